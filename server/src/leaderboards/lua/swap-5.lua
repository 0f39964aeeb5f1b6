--[[
  Swaps a rebuilt board in for the live one: two RENAMEs in one step, so readers see the old
  board or the new one. The staging keys carry a TTL (a crashed rebuild cleans itself up),
  which RENAME moves along, so it is dropped here.

  KEYS[1] the board's order sorted set
  KEYS[2] the board's entries hash
  KEYS[3] the staging order sorted set
  KEYS[4] the staging entries hash
  KEYS[5] the group's set of board names

  ARGV[1] board name
  ARGV[2] the entry count the rebuild wrote

  Returns the new board's entry count
          -4 CONFLICT: staging does not hold that many (it expired mid-build); nothing changed
]]
-- @include codes

local expected = tonumber(ARGV[2])
if redis.call('ZCARD', KEYS[3]) ~= expected or redis.call('HLEN', KEYS[4]) ~= expected then
  return CONFLICT
end
if expected == 0 then
  -- Redis keeps no empty sets, so an empty rebuild has nothing to rename.
  redis.call('DEL', KEYS[1], KEYS[2])
else
  redis.call('RENAME', KEYS[3], KEYS[1])
  redis.call('PERSIST', KEYS[1])
  redis.call('RENAME', KEYS[4], KEYS[2])
  redis.call('PERSIST', KEYS[2])
end
redis.call('SADD', KEYS[5], ARGV[1])
return expected
