--[[
  Counts one failed login. The window starts at the first failure; reaching the limit
  starts a full lock-out window from now (the same rule as the memory counter).

  KEYS[1] the failure counter
  ARGV[1] limit
  ARGV[2] window ms

  Returns the failures within the window, this one included
]]
local count = redis.call('INCR', KEYS[1])
if count == 1 or count == tonumber(ARGV[1]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return count
