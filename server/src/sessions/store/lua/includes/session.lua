-- A session is two hashes in its log shard's slot: the meta hash (flat fields, see
-- codec.ts) and the answers hash (questionId -> answer record JSON).

-- The whole session as one consistent snapshot: { metaFields, answerFields }.
local function sessionState(metaKey, answersKey)
  return { redis.call('HGETALL', metaKey), redis.call('HGETALL', answersKey) }
end

-- Appends one entry to the shard's durable log and remembers it as the session's latest.
-- Entries of one session are in one stream, so the writer applies them in order, and
-- "lastLog is gone from the stream" means everything of this session is in PostgreSQL.
local function appendLog(logKey, metaKey, fields)
  local id = redis.call('XADD', logKey, '*', unpack(fields))
  redis.call('HSET', metaKey, 'lastLog', id)
  return id
end
