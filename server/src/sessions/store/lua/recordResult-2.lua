--[[
  Records a submitted session's graded result, first writer wins: every caller gets the
  winning result back, so a session is graded exactly once whoever races.

  KEYS[1] session meta hash
  KEYS[2] the shard's log stream

  ARGV[1] session id
  ARGV[2] result JSON
  ARGV[3] result status: SCORED | PENDING_REVIEW

  Returns { recorded (1 = this call won, 0 = one was there), resultJson, lastLog }
          -1 NOT_FOUND, -4 CONFLICT (never submitted)
]]
-- @include codes
-- @include session

local status = redis.call('HGET', KEYS[1], 'status')
if not status then return NOT_FOUND end
if status == 'IN_PROGRESS' then return CONFLICT end

local existing = redis.call('HGET', KEYS[1], 'result')
if existing and existing ~= '' then
  return { 0, existing, redis.call('HGET', KEYS[1], 'lastLog') or '' }
end
redis.call('HSET', KEYS[1], 'result', ARGV[2], 'status', ARGV[3])
local reason = redis.call('HGET', KEYS[1], 'submitReason') or ''
local id = appendLog(KEYS[2], KEYS[1], { 't', 'result', 's', ARGV[1], 'j', ARGV[2], 'r', reason })
return { 1, ARGV[2], id }
