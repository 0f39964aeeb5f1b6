--[[
  Set-if-absent with a TTL: the first writer's value stays and everyone gets it back.

  KEYS[1] the idempotency record
  ARGV[1] value (JSON)
  ARGV[2] TTL ms

  Returns the stored value (JSON)
]]
local stored = redis.call('GET', KEYS[1])
if stored then return stored end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
