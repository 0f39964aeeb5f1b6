--[[
  Saves answers, last write wins per question: checks the idempotency key, the status and
  the deadline, gives each answer the next per-session seq, stores it and appends it to
  the durable log — one atomic step, so no submit can land between the check and the write
  and no acknowledged save can be missing from the log.

  KEYS[1] session meta hash
  KEYS[2] session answers hash
  KEYS[3] this save's idempotency key (ignored when ARGV[3] is '')
  KEYS[4] the shard's log stream

  ARGV[1]  now (epoch ms)
  ARGV[2]  grace ms (saves are accepted until endsAt + grace)
  ARGV[3]  idempotency TTL ms, or '' when the save carries no key
  ARGV[4]  session id
  ARGV[5]  the saving student's id: another student's session is NOT_FOUND ('' = no check)
  ARGV[6..] four values per answer: questionId, answer JSON, clientTs ('' = null),
            answered ('1' unless the answer is cleared: null, [] or '')

  Returns { savedCount, savedAt } — for a replayed key, the first save's ack
          -1 NOT_FOUND, -2 SESSION_CLOSED, -3 TIME_UP
]]
-- @include codes
-- @include session

local now = ARGV[1]
local useKey = ARGV[3] ~= ''

-- Ownership first, in the same atomic step as the write: no separate read of the session.
if ARGV[5] ~= '' then
  local owner = redis.call('HGET', KEYS[1], 'studentId')
  if owner and owner ~= ARGV[5] then return NOT_FOUND end
end

-- A retried save that already landed answers like the first time, even after submit.
if useKey then
  local first = redis.call('GET', KEYS[3])
  if first then
    local count, at = string.match(first, '^(%d+):(%d+)$')
    return { tonumber(count), at }
  end
end

local status = redis.call('HGET', KEYS[1], 'status')
if not status then return NOT_FOUND end
if status ~= 'IN_PROGRESS' then return SESSION_CLOSED end
-- endsAt and now are epoch ms (< 2^53): exact as Lua doubles.
if tonumber(now) > tonumber(redis.call('HGET', KEYS[1], 'endsAt')) + tonumber(ARGV[2]) then return TIME_UP end

local entry = { 't', 'answers', 's', ARGV[4] }
local answeredDelta = 0
local count = 0
for i = 6, #ARGV, 4 do
  local questionId, answer, ts, answered = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
  if ts == '' then ts = 'null' end
  -- The record is built by hand (no cjson.encode: it would turn [] into {}); "a" goes last
  -- so the prefix pattern below never reads into the student's text.
  local record = '{"seq":' .. seq .. ',"at":' .. now .. ',"ts":' .. ts .. ',"on":' .. answered .. ',"a":' .. answer .. '}'
  local previous = redis.call('HGET', KEYS[2], questionId)
  local wasAnswered = previous and string.match(previous, '^{"seq":%d+,"at":%d+,"ts":[%dnul]+,"on":(%d)') == '1'
  if wasAnswered then answeredDelta = answeredDelta - 1 end
  if answered == '1' then answeredDelta = answeredDelta + 1 end
  redis.call('HSET', KEYS[2], questionId, record)
  entry[#entry + 1] = questionId
  entry[#entry + 1] = record
  count = count + 1
end

redis.call('HINCRBY', KEYS[1], 'answeredCount', answeredDelta)
redis.call('HSET', KEYS[1], 'lastActivityAt', now)
appendLog(KEYS[4], KEYS[1], entry)
if useKey then redis.call('SET', KEYS[3], count .. ':' .. now, 'PX', ARGV[3]) end
return { count, now }
