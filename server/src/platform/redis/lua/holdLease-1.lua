--[[
  Takes or keeps a writer's lease on one log shard. One owner per shard at a time keeps
  the shard's entries applied in order; the TTL hands a dead writer's shards on.

  KEYS[1] the shard's lease
  ARGV[1] writer (consumer name)
  ARGV[2] TTL ms

  Returns 1 held by this writer now, 0 another writer holds it
]]
local owner = redis.call('GET', KEYS[1])
if owner and owner ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
