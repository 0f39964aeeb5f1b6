import type { Redis } from 'ioredis';
import type { FailureCounter, FailurePolicy } from '../failure-counter.js';
import type { RedisKeys } from './keys.js';
import type { Scripts } from './scripts.js';

/**
 * Failed-attempt counters shared by every process (the memory counter would let an attacker
 * get `limit` tries per process), with the rule of createMemoryFailureCounter
 * (lua/recordFailure-3.lua). Waiting is the lock key's TTL: one PTTL per attempt.
 */
export function createRedisFailureCounter(
  redis: Redis,
  keys: RedisKeys,
  scripts: Scripts,
  scope: string,
  policy: FailurePolicy,
): FailureCounter {
  return {
    async blockedFor(key) {
      const ttlMs = await redis.pttl(keys.failures(scope, key).lock);
      return ttlMs > 0 ? Math.ceil(ttlMs / 1000) : 0;
    },
    async fail(key) {
      return scripts.recordFailure(scope, key, policy);
    },
    async clear(key) {
      const k = keys.failures(scope, key);
      await redis.del(k.count, k.lock, k.strikes);
    },
  };
}
