-- Adds or replaces one student's entry on one board if `version` is newer than the one held:
-- the old order member goes and the new one comes in the same step. Returns 'applied',
-- 'unchanged' (same version: a replay) or 'stale' (an older version). Needs `held`.
local function putEntry(orderKey, entriesKey, boardsKey, studentId, version, member, score, board)
  local heldVersion, heldMember = held(entriesKey, studentId)
  if heldVersion then
    local incoming = tonumber(version)
    if heldVersion > incoming then return 'stale' end
    if heldVersion == incoming then return 'unchanged' end
    if heldMember ~= '' then redis.call('ZREM', orderKey, heldMember) end
  end
  redis.call('ZADD', orderKey, score, member)
  redis.call('HSET', entriesKey, studentId, version .. '|' .. member)
  redis.call('SADD', boardsKey, board)
  return 'applied'
end
