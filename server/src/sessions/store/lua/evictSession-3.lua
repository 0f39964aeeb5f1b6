--[[
  Drops the hot copy of a finished session so the next read rebuilds it from PostgreSQL
  (after staff changed its durable result). Refused while the session is in progress (the
  hot copy is the only fresh state) or while its latest log entry is not in PostgreSQL yet
  (dropping it would let a rebuild read a stale row).

  KEYS[1] session meta hash
  KEYS[2] session answers hash
  KEYS[3] the shard's log stream

  Returns 1 evicted, 0 nothing hot
          -4 CONFLICT (in progress), -5 NOT_PERSISTED (retry once the writer caught up)
]]
-- @include codes

local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
if status == 'IN_PROGRESS' then return CONFLICT end
local lastLog = redis.call('HGET', KEYS[1], 'lastLog')
if lastLog and lastLog ~= '' and #redis.call('XRANGE', KEYS[3], lastLog, lastLog) > 0 then
  return NOT_PERSISTED
end
redis.call('DEL', KEYS[1], KEYS[2])
return 1
