import type { Redis } from 'ioredis';
import type { FailureCounter } from '../../auth/login-limiter.js';
import type { RedisKeys } from './keys.js';
import type { Scripts } from './scripts.js';

/**
 * Failed-login counters shared by every process (the memory counter would let an attacker
 * get `limit` tries per process). Same rule as createMemoryFailureCounter: the window opens
 * at the first failure and reaching the limit locks the key for a full window from then.
 */
export function createRedisFailureCounter(
  redis: Redis,
  keys: RedisKeys,
  scripts: Scripts,
  scope: 'account' | 'ip',
  limit: number,
  windowSeconds: number,
): FailureCounter {
  return {
    async blockedFor(key) {
      const counter = keys.loginFailures(scope, key);
      const [count, ttlMs] = await Promise.all([redis.get(counter), redis.pttl(counter)]);
      if (count === null || Number(count) < limit || ttlMs <= 0) return 0;
      return Math.ceil(ttlMs / 1000);
    },
    async fail(key) {
      return scripts.loginFailure(keys.loginFailures(scope, key), limit, windowSeconds * 1000);
    },
    async clear(key) {
      await redis.del(keys.loginFailures(scope, key));
    },
  };
}
