--[[
  Moves one log entry PostgreSQL refuses for good (bad data, not an outage) to the shard's
  dead-letter stream with the reason, so one poisoned entry cannot stall its shard forever.

  KEYS[1] the shard's log stream
  KEYS[2] the shard's dead-letter stream

  ARGV[1] consumer group
  ARGV[2] entry id
  ARGV[3] why PostgreSQL refused it

  Returns 1 moved, 0 the entry was gone already
]]
local entries = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
if #entries == 0 then return 0 end
local fields = entries[1][2]
fields[#fields + 1] = 'error'
fields[#fields + 1] = ARGV[3]
fields[#fields + 1] = 'logId'
fields[#fields + 1] = ARGV[2]
redis.call('XADD', KEYS[2], '*', unpack(fields))
redis.call('XDEL', KEYS[1], ARGV[2])
return 1
