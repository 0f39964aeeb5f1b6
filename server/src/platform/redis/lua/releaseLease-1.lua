--[[
  Gives a shard's lease up, only if this writer still holds it.

  KEYS[1] the shard's lease
  ARGV[1] writer (consumer name)

  Returns 1 released, 0 not ours
]]
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
