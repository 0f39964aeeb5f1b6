--[[
  Reads one session as a consistent snapshot (meta and answers at the same instant).

  KEYS[1] session meta hash
  KEYS[2] session answers hash

  Returns { metaFields, answerFields }, or -1 NOT_FOUND when the session is not hot
  (the adapter then rebuilds it from PostgreSQL).
]]
-- @include codes
-- @include session

if redis.call('EXISTS', KEYS[1]) == 0 then return NOT_FOUND end
return sessionState(KEYS[1], KEYS[2])
