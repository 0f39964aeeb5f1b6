--[[
  A student's entry as held, read in one step so the version and the score belong together.

  KEYS[1] the board's order sorted set
  KEYS[2] the board's entries hash

  ARGV[1] student id

  Returns { version, order member, stored score (−hundredths) } or false when not on the board
]]
-- @include held

local version, member = held(KEYS[2], ARGV[1])
if not member or member == '' then return false end
return { version, member, redis.call('ZSCORE', KEYS[1], member) }
