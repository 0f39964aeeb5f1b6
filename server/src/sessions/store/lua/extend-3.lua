--[[
  Moves an IN_PROGRESS session's deadline and logs it. Also used to undo an extension
  PostgreSQL could not store in time (ARGV[3] = the deadline that extension set: the undo
  only applies if nothing moved it since).

  KEYS[1] session meta hash
  KEYS[2] the shard's due index
  KEYS[3] the shard's log stream

  ARGV[1] session id
  ARGV[2] new endsAt (epoch ms)
  ARGV[3] expected current endsAt, or '' for an unconditional move

  Returns { applied (1/0), metaFields, lastLog, previous endsAt }
          -1 NOT_FOUND, -2 SESSION_CLOSED
]]
-- @include codes
-- @include session

local status = redis.call('HGET', KEYS[1], 'status')
if not status then return NOT_FOUND end
if status ~= 'IN_PROGRESS' then return SESSION_CLOSED end
local previous = redis.call('HGET', KEYS[1], 'endsAt')
if ARGV[3] ~= '' and previous ~= ARGV[3] then
  return { 0, redis.call('HGETALL', KEYS[1]), redis.call('HGET', KEYS[1], 'lastLog') or '', previous }
end

redis.call('HSET', KEYS[1], 'endsAt', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
local id = appendLog(KEYS[3], KEYS[1], { 't', 'extend', 's', ARGV[1], 'e', ARGV[2] })
return { 1, redis.call('HGETALL', KEYS[1]), id, previous }
