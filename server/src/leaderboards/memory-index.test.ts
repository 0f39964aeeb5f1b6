import { leaderboardIndexContract } from './index-contract.js';
import { createMemoryLeaderboardIndex } from './memory-index.js';

leaderboardIndexContract('memory', () =>
  Promise.resolve({ index: createMemoryLeaderboardIndex(), close: () => Promise.resolve() }),
);
