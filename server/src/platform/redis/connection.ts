import { Redis } from 'ioredis';
import { DEFAULT_PREFIX, DEFAULT_SHARDS, RedisKeys } from './keys.js';

/**
 * REDIS_URL carries, besides where Redis is, the two settings every process sharing that
 * Redis must agree on, so they cannot drift apart between processes:
 *   `?prefix=examhall:`  key prefix (several deployments or test runs in one Redis)
 *   `&shards=16`         log shards (more spreads sessions over more Cluster slots)
 *   `&leaseMs=5000`      how long a dead writer's shards wait before another takes them
 * They are stripped before the URL reaches ioredis.
 */
export interface RedisSettings {
  /** the URL without our parameters */
  url: string;
  prefix: string;
  shards: number;
  leaseMs: number | undefined;
}

export function parseRedisUrl(raw: string): RedisSettings {
  const url = new URL(raw);
  const prefix = url.searchParams.get('prefix') ?? DEFAULT_PREFIX;
  const shardsParam = url.searchParams.get('shards');
  const shards = shardsParam === null ? DEFAULT_SHARDS : Number(shardsParam);
  const leaseParam = url.searchParams.get('leaseMs');
  const leaseMs = leaseParam === null ? undefined : Number(leaseParam);
  if (leaseMs !== undefined && !(Number.isInteger(leaseMs) && leaseMs >= 200))
    throw new Error(`REDIS_URL leaseMs must be an integer >= 200: ${leaseParam}`);
  for (const name of ['prefix', 'shards', 'leaseMs']) url.searchParams.delete(name);
  // Validates prefix and shards (braces, range) before anything connects.
  new RedisKeys(prefix, shards);
  return { url: url.toString(), prefix, shards, leaseMs };
}

/**
 * One connection. Commands fail fast while Redis is away (a save then answers UNAVAILABLE
 * and the client retries with its idempotency key) instead of queueing without bound.
 */
export function connectRedis(settings: RedisSettings, name: string): Redis {
  return new Redis(settings.url, {
    connectionName: `examhall:${name}:${process.pid}`,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 3,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
  });
}

/**
 * Refuses to run against a Redis that other processes use with a different shard count:
 * sessions would be looked for in the wrong shard (and rebuilt over live hot copies).
 */
export async function checkSharedSettings(redis: Redis, keys: RedisKeys): Promise<void> {
  await redis.hsetnx(keys.settings(), 'shards', String(keys.shards));
  const agreed = Number(await redis.hget(keys.settings(), 'shards'));
  if (agreed !== keys.shards) {
    throw new Error(
      `This Redis (prefix ${keys.prefix}) is used with shards=${agreed}, not ${keys.shards}. ` +
        'Drain the log and stop every process before changing it.',
    );
  }
}
