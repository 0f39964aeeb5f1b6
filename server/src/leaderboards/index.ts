/**
 * Leaderboards (API.md, "Exam leaderboards and ranks"). So far the index port and its two
 * adapters; the service that feeds it from results and the routes come next.
 */
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
