import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { parseRedisUrl } from '../platform/redis/connection.js';
import { RedisKeys } from '../platform/redis/keys.js';
import { freshRedisUrl } from '../../test/harness.js';
import { wipeRedis } from '../../test/redis-lane.js';
import { leaderboardIndexContract } from './index-contract.js';
import { createRedisLeaderboardIndex } from './redis-index.js';

/** What Redis Cluster hashes a key by: the first non-empty `{…}`, else the whole key. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** The run's real redis-server, under a fresh key prefix per file. */
async function connect() {
  const url = freshRedisUrl();
  const settings = parseRedisUrl(url);
  const redis = new Redis(settings.url);
  const keys = new RedisKeys(settings.prefix, settings.shards);
  return {
    redis,
    keys,
    index: createRedisLeaderboardIndex({ redis, keys }),
    async close() {
      redis.disconnect();
      await wipeRedis(url);
    },
  };
}

leaderboardIndexContract('redis', connect);

describe('redis leaderboard layout', () => {
  it('keeps every key of a group in one hash slot, and leaves nothing behind a rebuild or a clear', async () => {
    const { redis, keys, index, close } = await connect();
    try {
      const group = 'exam-1';
      await index.put(
        { group, board: 'exam' },
        { studentId: 'a', score: 1, submittedAt: 1, version: 1 },
      );
      await index.replaceAll({ group, board: 'class:x' }, [
        { studentId: 'a', score: 1, submittedAt: 1, version: 1 },
      ]);
      await index.remove({ group, board: 'major:ipa' }, 'a', 1);
      const found = await redis.keys(`${keys.prefix}*`);
      expect(found.sort()).toEqual(
        [
          keys.leaderboardBoards(group),
          keys.leaderboard(group, 'exam').order,
          keys.leaderboard(group, 'exam').entries,
          keys.leaderboard(group, 'class:x').order,
          keys.leaderboard(group, 'class:x').entries,
          keys.leaderboard(group, 'major:ipa').entries,
        ].sort(),
      );
      const slots = new Set(found.map(hashTag));
      expect([...slots]).toEqual(['lb:exam-1']);
      // A rebuilt board is permanent: the staging TTL went with the rename.
      expect(await redis.pttl(keys.leaderboard(group, 'class:x').order)).toBe(-1);

      await index.clear(group);
      expect(await redis.keys(`${keys.prefix}*`)).toEqual([]);
    } finally {
      await close();
    }
  });
});
