--[[
  Drops every board of a group. The boards are only known here, so their keys are built
  from the base keys.ts gives (RedisKeys.leaderboardBoardBase, in step with leaderboard()):
  all of them carry the group's hash tag, so they are in KEYS[1]'s slot.

  KEYS[1] the group's set of board names

  ARGV[1] the group's board key base (`…lb:{lb:<group>}:b:`)

  Returns the number of boards dropped
]]

local boards = redis.call('SMEMBERS', KEYS[1])
for _, board in ipairs(boards) do
  redis.call('DEL', ARGV[1] .. board .. ':order', ARGV[1] .. board .. ':entries')
end
redis.call('DEL', KEYS[1])
return #boards
