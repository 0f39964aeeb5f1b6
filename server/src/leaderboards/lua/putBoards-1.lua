--[[
  One result on several boards of a group at once (an exam's `exam`, class, grade and major
  boards): put-3.lua's step for each, in one round trip. The boards' keys are built from the
  base keys.ts gives (RedisKeys.leaderboardBoardBase, in step with leaderboard(), as
  clear-1.lua does): all carry the group's hash tag, so they are in KEYS[1]'s slot.

  KEYS[1] the group's set of board names

  ARGV[1] the group's board key base (`…lb:{lb:<group>}:b:`)
  ARGV[2] student id
  ARGV[3] version
  ARGV[4] order member
  ARGV[5] −(score in hundredths)
  ARGV[6…] board names

  Returns one of 'applied' | 'unchanged' | 'stale' per board, in the order given
]]
-- @include held
-- @include putEntry

local outcomes = {}
for i = 6, #ARGV do
  local board = ARGV[i]
  outcomes[#outcomes + 1] = putEntry(ARGV[1] .. board .. ':order', ARGV[1] .. board .. ':entries',
    KEYS[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], board)
end
return outcomes
