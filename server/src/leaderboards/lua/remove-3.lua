--[[
  Takes a student off a board. With a version, the removal is kept at that version (an empty
  member), so a replayed older put cannot bring the entry back; without one it forgets.

  KEYS[1] the board's order sorted set
  KEYS[2] the board's entries hash
  KEYS[3] the group's set of board names

  ARGV[1] student id
  ARGV[2] version, or '' for an unconditional removal
  ARGV[3] board name

  Returns 'applied' (an entry was removed) | 'unchanged' | 'stale' (a newer version is held)
]]
-- @include held

local version, member = held(KEYS[2], ARGV[1])
if ARGV[2] == '' then
  if not version then return 'unchanged' end
  redis.call('HDEL', KEYS[2], ARGV[1])
else
  local incoming = tonumber(ARGV[2])
  if version and version > incoming then return 'stale' end
  if version and version == incoming then return 'unchanged' end
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. '|')
  -- The removal is state the group must clear too.
  redis.call('SADD', KEYS[3], ARGV[3])
end
if member and member ~= '' then
  redis.call('ZREM', KEYS[1], member)
  return 'applied'
end
return 'unchanged'
