import { Redis } from 'ioredis';
import type { Sql } from '../src/platform/postgres.js';
import { createRedisSessionLane, type RedisSessionLane } from '../src/sessions/store/index.js';
import type { LogWriterOptions } from '../src/platform/redis/log-writer.js';

/** Test helpers for the redis lane on the run's real redis-server (global-setup.ts). */
export { freshRedisUrl } from './harness.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

export async function startLane(
  url: string,
  sql: Sql,
  options: {
    writer?: boolean;
    writerOptions?: Omit<LogWriterOptions, 'metrics' | 'logger'>;
    writeThroughTimeoutMs?: number;
  } = {},
): Promise<RedisSessionLane> {
  const lane = createRedisSessionLane({
    url,
    sql,
    logger: quiet,
    writer: options.writer ?? true,
    writerOptions: { leaseMs: 1_000, maxIdleMs: 20, ...options.writerOptions },
    ...(options.writeThroughTimeoutMs
      ? { writeThroughTimeoutMs: options.writeThroughTimeoutMs }
      : {}),
  });
  await lane.start();
  return lane;
}

/** Every key under the URL's prefix, deleted: Redis restarted without persistence. */
export async function wipeRedis(url: string): Promise<void> {
  const parsed = new URL(url);
  const prefix = parsed.searchParams.get('prefix') ?? '';
  parsed.search = '';
  const redis = new Redis(parsed.toString());
  try {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (found.length > 0) await redis.del(...found);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
