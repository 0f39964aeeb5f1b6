--[[
  A student's standing, read in one step so rank, total and below agree with each other.

  KEYS[1] the board's order sorted set
  KEYS[2] the board's entries hash

  ARGV[1] student id

  Returns { rank, total, below, stored score (−hundredths) } or false when not on the board
]]
-- @include held

local _, member = held(KEYS[2], ARGV[1])
if not member or member == '' then return false end
local stored = redis.call('ZSCORE', KEYS[1], member)
local below = redis.call('ZCOUNT', KEYS[1], '(' .. stored, '+inf')
return { rankOf(KEYS[1], stored), redis.call('ZCARD', KEYS[1]), below, stored }
