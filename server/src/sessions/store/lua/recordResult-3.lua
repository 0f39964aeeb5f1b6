--[[
  Records a submitted session's graded result, first writer wins: every caller gets the
  winning result back, so a session is graded exactly once whoever races. Also hands back
  the whole frozen session, which the adapter writes to PostgreSQL directly (one batched,
  idempotent final write) instead of waiting for the shard's backlog to get there.

  KEYS[1] session meta hash
  KEYS[2] session answers hash
  KEYS[3] the shard's log stream

  ARGV[1] session id
  ARGV[2] result JSON
  ARGV[3] result status: SCORED | PENDING_REVIEW

  Returns { recorded (1 = this call won, 0 = one was there), resultJson, lastLog,
            metaFields, answerFields }
          -1 NOT_FOUND, -4 CONFLICT (never submitted)
]]
-- @include codes
-- @include session

local status = redis.call('HGET', KEYS[1], 'status')
if not status then return NOT_FOUND end
if status == 'IN_PROGRESS' then return CONFLICT end

local existing = redis.call('HGET', KEYS[1], 'result')
if existing and existing ~= '' then
  local state = sessionState(KEYS[1], KEYS[2])
  return { 0, existing, redis.call('HGET', KEYS[1], 'lastLog') or '', state[1], state[2] }
end
redis.call('HSET', KEYS[1], 'result', ARGV[2], 'status', ARGV[3])
local reason = redis.call('HGET', KEYS[1], 'submitReason') or ''
local id = appendLog(KEYS[3], KEYS[1], { 't', 'result', 's', ARGV[1], 'j', ARGV[2], 'r', reason })
local state = sessionState(KEYS[1], KEYS[2])
return { 1, ARGV[2], id, state[1], state[2] }
