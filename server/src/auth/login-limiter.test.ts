import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { RedisKeys } from '../platform/redis/keys.js';
import { createRedisFailureCounter } from '../platform/redis/login-failures.js';
import { createScripts } from '../platform/redis/scripts.js';
import {
  createMemoryFailureCounter,
  failurePolicies,
  lockSecondsFor,
  type FailureCounter,
  type FailurePolicy,
} from './login-limiter.js';

const policy: FailurePolicy = {
  limit: 3,
  windowSeconds: 60,
  lockSeconds: 60,
  maxLockSeconds: 150,
  memorySeconds: 3600,
};

/** One backend under test: a counter, and a way to let a key's current lock run out. */
interface Backend {
  counter: FailureCounter;
  endLock: (key: string) => Promise<void>;
}

function memoryBackend(): Backend {
  let clock = 1_000_000;
  const counter = createMemoryFailureCounter(policy, () => clock);
  return {
    counter,
    endLock: async (key) => {
      clock += (await counter.blockedFor(key)) * 1000 + 1;
    },
  };
}

let redis: Redis;
const keys = new RedisKeys(`t${randomBytes(5).toString('hex')}:`, 4);

function redisBackend(): Backend {
  return {
    counter: createRedisFailureCounter(redis, keys, createScripts(redis, keys), 'account', policy),
    // The lock key's TTL is the wait; deleting it is what its expiry does.
    endLock: async (key) => {
      await redis.del(keys.failures('account', key).lock);
    },
  };
}

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  const found = await redis.keys(`${keys.prefix}*`);
  if (found.length > 0) await redis.del(...found);
  redis.disconnect();
});

const fails = async (c: FailureCounter, key: string, n: number) => {
  const counts: number[] = [];
  for (let i = 0; i < n; i += 1) counts.push(await c.fail(key));
  return counts;
};

describe.each([
  ['memory', memoryBackend],
  ['redis', redisBackend],
] as const)('failure counter (%s)', (_name, make) => {
  it('locks at the limit for the first lock, and failures while locked do not count', async () => {
    const { counter } = make();
    const key = `k-${randomBytes(4).toString('hex')}`;
    expect(await fails(counter, key, 2)).toEqual([1, 2]);
    expect(await counter.blockedFor(key)).toBe(0);
    expect(await counter.fail(key)).toBe(3);
    const wait = await counter.blockedFor(key);
    expect(wait).toBeGreaterThan(55);
    expect(wait).toBeLessThanOrEqual(60);
    expect(await counter.fail(key)).toBe(3);
    expect(await counter.blockedFor(key)).toBeLessThanOrEqual(60);
  });

  it('doubles the lock each further time, up to the longest', async () => {
    const { counter, endLock } = make();
    const key = `k-${randomBytes(4).toString('hex')}`;
    const locks: number[] = [];
    for (let round = 0; round < 4; round += 1) {
      await fails(counter, key, 3);
      locks.push(await counter.blockedFor(key));
      await endLock(key);
      expect(await counter.blockedFor(key)).toBe(0);
    }
    // Within a second of 60, 120, 150, 150 (Redis TTLs tick while the test runs).
    expect(locks.map((s) => Math.ceil(s / 10) * 10)).toEqual([60, 120, 150, 150]);
  });

  it('clear lifts the lock and forgets earlier locks', async () => {
    const { counter, endLock } = make();
    const key = `k-${randomBytes(4).toString('hex')}`;
    await fails(counter, key, 3);
    await endLock(key);
    await fails(counter, key, 3);
    expect(await counter.blockedFor(key)).toBeGreaterThan(60);
    await counter.clear(key);
    expect(await counter.blockedFor(key)).toBe(0);
    expect(await fails(counter, key, 3)).toEqual([1, 2, 3]);
    expect(await counter.blockedFor(key)).toBeLessThanOrEqual(60);
  });

  it('keeps keys apart', async () => {
    const { counter } = make();
    const a = `a-${randomBytes(4).toString('hex')}`;
    await fails(counter, a, 3);
    expect(await counter.blockedFor(`b-${a}`)).toBe(0);
  });
});

describe('failure policies', () => {
  it('locks an account for a minute after ten failures, doubling to at most 15 minutes', () => {
    const account = failurePolicies({ perAccount: 10, perIp: 500 }).account;
    expect(account.limit).toBe(10);
    expect([1, 2, 3, 4, 5, 6].map((strikes) => lockSecondsFor(account, strikes))).toEqual([
      60, 120, 240, 480, 900, 900,
    ]);
  });

  it('counts failures within the window of the first only', async () => {
    let clock = 0;
    const counter = createMemoryFailureCounter(policy, () => clock);
    expect(await fails(counter, 'k', 2)).toEqual([1, 2]);
    clock += 61_000;
    expect(await counter.fail('k')).toBe(1);
    expect(await counter.blockedFor('k')).toBe(0);
  });
});
