--[[
  The rows around a student by position in board order, with the first row's position and
  rank; later rows' ranks follow from those (index-port.ts, rankRows).

  KEYS[1] the board's order sorted set
  KEYS[2] the board's entries hash

  ARGV[1] student id
  ARGV[2] k: rows on each side

  Returns { first position, first rank, member1, stored1, member2, stored2, … }
          or false when not on the board
]]
-- @include held

local _, member = held(KEYS[2], ARGV[1])
if not member or member == '' then return false end
local k = tonumber(ARGV[2])
local position = redis.call('ZRANK', KEYS[1], member)
local first = math.max(0, position - k)
local rows = redis.call('ZRANGE', KEYS[1], first, position + k, 'WITHSCORES')
local reply = { first, rankOf(KEYS[1], rows[2]) }
for i = 1, #rows do reply[i + 2] = rows[i] end
return reply
