--[[
  Counts one failed attempt (a login, an entry-token guess), the rule of
  createMemoryFailureCounter (auth/login-limiter.ts): failures count within a window from
  the first; reaching the limit locks the key for the first lock, doubled for every
  further lock (capped); locks are remembered for a while after they end. A failure while
  locked does not count.

  KEYS[1] failures in the current window (counter; its TTL is the window)
  KEYS[2] the lock (exists while locked; its TTL is the wait)
  KEYS[3] locks so far (counter; forgotten `memory` ms after the last lock ends)
  ARGV[1] limit
  ARGV[2] window ms
  ARGV[3] first lock ms
  ARGV[4] longest lock ms
  ARGV[5] memory ms

  Returns the failures within the window, this one included (the limit while locked)
]]
local limit = tonumber(ARGV[1])
if redis.call('EXISTS', KEYS[2]) == 1 then return limit end
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if count >= limit then
  local strikes = redis.call('INCR', KEYS[3])
  local lockMs = math.floor(math.min(tonumber(ARGV[3]) * 2 ^ (strikes - 1), tonumber(ARGV[4])))
  redis.call('SET', KEYS[2], '1', 'PX', lockMs)
  redis.call('PEXPIRE', KEYS[3], lockMs + tonumber(ARGV[5]))
  redis.call('DEL', KEYS[1])
end
return count
