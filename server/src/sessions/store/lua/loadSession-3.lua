--[[
  Loads a session into the hot store — a new one, or one rebuilt from PostgreSQL after a
  restart — unless a copy is already hot. A hot copy is never overwritten: it may hold
  saves PostgreSQL has not received yet (another process rebuilt or created it first).

  KEYS[1] session meta hash
  KEYS[2] session answers hash
  KEYS[3] the shard's due index (sorted set by endsAt)

  ARGV[1]  session id
  ARGV[2]  n = number of meta values (field, value pairs follow: 2n values)
  ARGV[..] meta field/value pairs, then answers questionId/record pairs to the end

  Returns { loaded (1 = written now, 0 = a hot copy won), metaFields, answerFields }
]]
-- @include session

if redis.call('EXISTS', KEYS[1]) == 1 then
  local state = sessionState(KEYS[1], KEYS[2])
  return { 0, state[1], state[2] }
end

local metaEnd = 2 + 2 * tonumber(ARGV[2])
local meta = {}
for i = 3, metaEnd do meta[#meta + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(meta))

local answers = {}
for i = metaEnd + 1, #ARGV do answers[#answers + 1] = ARGV[i] end
if #answers > 0 then redis.call('HSET', KEYS[2], unpack(answers)) end

if redis.call('HGET', KEYS[1], 'status') == 'IN_PROGRESS' then
  redis.call('ZADD', KEYS[3], redis.call('HGET', KEYS[1], 'endsAt'), ARGV[1])
end
local state = sessionState(KEYS[1], KEYS[2])
return { 1, state[1], state[2] }
