--[[
  Freezes a session: status leaves IN_PROGRESS, so no save can land afterwards, and hands
  back every answer saved before it. A second submit gets the same frozen answers.

  KEYS[1] session meta hash
  KEYS[2] session answers hash
  KEYS[3] the shard's due index
  KEYS[4] the shard's log stream

  ARGV[1] session id
  ARGV[2] now (epoch ms)
  ARGV[3] reason: STUDENT | TIME_UP | STAFF
  ARGV[4] onlyIfDue grace ms, or '' — the sweeper submits only when now > endsAt + grace,
          checked here so an extension that landed first wins

  Returns { firstSubmit (1/0), metaFields, answerFields }
          -1 NOT_FOUND, -4 CONFLICT (onlyIfDue and not due yet)
]]
-- @include codes
-- @include session

local status = redis.call('HGET', KEYS[1], 'status')
if not status then return NOT_FOUND end

local first = 0
if status == 'IN_PROGRESS' then
  local now = ARGV[2]
  if ARGV[4] ~= '' and tonumber(now) <= tonumber(redis.call('HGET', KEYS[1], 'endsAt')) + tonumber(ARGV[4]) then
    return CONFLICT
  end
  redis.call('HSET', KEYS[1], 'status', 'SUBMITTED', 'submittedAt', now, 'submitReason', ARGV[3])
  redis.call('ZREM', KEYS[3], ARGV[1])
  appendLog(KEYS[4], KEYS[1], { 't', 'submit', 's', ARGV[1], 'at', now, 'r', ARGV[3] })
  first = 1
end
local state = sessionState(KEYS[1], KEYS[2])
return { first, state[1], state[2] }
