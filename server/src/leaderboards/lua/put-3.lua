--[[
  Adds or replaces one student's entry on a board, if its version is newer than the one
  held: the old order member goes and the new one comes in the same step, so no reader sees
  the student twice or not at all.

  KEYS[1] the board's order sorted set (member `<submittedAt 15 digits>:<studentId>`,
          score −(score in hundredths))
  KEYS[2] the board's entries hash (studentId → `<version>|<order member or empty>`)
  KEYS[3] the group's set of board names

  ARGV[1] student id
  ARGV[2] version
  ARGV[3] order member
  ARGV[4] −(score in hundredths)
  ARGV[5] board name

  Returns 'applied' | 'unchanged' (same version: a replay) | 'stale' (an older version)
]]
-- @include held
-- @include putEntry

return putEntry(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
