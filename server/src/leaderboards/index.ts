/**
 * Leaderboards (API.md, "Exam leaderboards and ranks"): what the rest of the server uses.
 * context.ts builds the feature from the sources it needs (sources.types.ts), app.ts mounts
 * its plugin; the index port and its adapters are here for the benchmark and for tests.
 */
export {
  createLeaderboardsFeature,
  leaderboardsPlugin,
  type LeaderboardsFeature,
} from './leaderboards.feature.js';
export type { LeaderboardsService } from './leaderboards.service.js';
export type { BoardExam, LeaderboardSources, RankedResult } from './sources.types.js';
export type {
  BoardEntry,
  BoardRank,
  BoardRef,
  BoardRow,
  IndexChange,
  LeaderboardIndex,
} from './index-port.js';
export { createMemoryLeaderboardIndex } from './memory-index.js';
export { createRedisLeaderboardIndex } from './redis-index.js';
