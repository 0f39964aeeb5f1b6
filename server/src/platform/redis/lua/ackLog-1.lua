--[[
  Acknowledges log entries the writer has COMMITTED to PostgreSQL and deletes them, in one
  step: the stream then holds exactly the writes not yet in PostgreSQL, so its length is
  the persist lag and "entry gone" means "entry persisted". (Never called before COMMIT.)

  KEYS[1] the shard's log stream
  ARGV[1] consumer group
  ARGV[2..] entry ids

  Returns the number of entries acknowledged
]]
local ids = {}
for i = 2, #ARGV do ids[#ids + 1] = ARGV[i] end
local acked = redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
redis.call('XDEL', KEYS[1], unpack(ids))
return acked
