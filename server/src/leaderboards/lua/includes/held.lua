-- A student's latest change on a board: version (number) and order member ('' once removed
-- at that version), or nil when the board has never seen the student.
local function held(entriesKey, studentId)
  local value = redis.call('HGET', entriesKey, studentId)
  if not value then return nil, nil end
  local bar = string.find(value, '|', 1, true)
  return tonumber(string.sub(value, 1, bar - 1)), string.sub(value, bar + 1)
end

-- Competition rank of an order score: 1 + entries with a strictly higher score (a strictly
-- lower stored score, since the stored score is negated).
local function rankOf(orderKey, stored)
  return 1 + redis.call('ZCOUNT', orderKey, '-inf', '(' .. stored)
end
