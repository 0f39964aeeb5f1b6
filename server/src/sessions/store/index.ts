import type { Logger } from 'pino';
import type { Metrics } from '../../platform/metrics.js';
import type { Sql } from '../../platform/postgres.js';
import {
  createRedisPlatform,
  type RedisPlatform,
  type RedisPlatformInput,
} from '../../platform/redis/index.js';
import { sessionLogHandler } from './log-entries.js';
import { MemorySessionStore } from './memory.js';
import { RedisSessionStore } from './redis.js';
import type { SessionStore } from './types.js';

export type { SessionStore } from './types.js';

export interface SessionStoreHooks {
  onCommit?: (rows: number, seconds: number) => void;
}

/**
 * The exam sessions' fast-lane port, with its adapter: `memory` (the embedded default: RAM in
 * front, group commit into PostgreSQL) or, given the Redis platform, `redis` (Lua scripts on
 * the session's keys, the durable log drained by the writers, which this registers the
 * session entry types with).
 */
export function createSessionStore(input: {
  sql: Sql;
  logger: Pick<Logger, 'error'>;
  metrics?: Metrics | undefined;
  redis?: RedisPlatform | undefined;
  writeThroughTimeoutMs?: number;
  hooks?: SessionStoreHooks;
}): SessionStore {
  const { sql, logger, redis } = input;
  if (redis) {
    redis.log.register(sessionLogHandler(sql));
    const finalWrites = input.metrics && {
      seconds: input.metrics.histogram(
        'examhall_final_write_seconds',
        'Time to commit one batch of finished sessions (answers, status, result) to PostgreSQL',
        [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      ),
      sessions: input.metrics.histogram(
        'examhall_final_write_sessions',
        'Finished sessions per final-write batch',
        [1, 2, 5, 10, 20, 50, 100, 200],
      ),
    };
    return new RedisSessionStore({
      redis: redis.redis,
      keys: redis.keys,
      bus: redis.bus,
      watch: redis.watch,
      sql,
      ...(input.writeThroughTimeoutMs
        ? { writeThroughTimeoutMs: input.writeThroughTimeoutMs }
        : {}),
      onError: (err, what) => logger.error({ err, what }, 'redis session store: dependency failed'),
      ...(finalWrites
        ? {
            onFinalWrite: (sessions: number, seconds: number) => {
              finalWrites.sessions.observe(sessions);
              finalWrites.seconds.observe(seconds);
            },
          }
        : {}),
    });
  }
  // The same series the redis lane's writer counts its dead letters in.
  const deadLetters = input.metrics?.counter(
    'examhall_log_dead_letters_total',
    'Entries PostgreSQL refused for good (set aside as dead letters)',
  );
  return new MemorySessionStore(sql, {
    ...(input.hooks?.onCommit ? { onCommit: input.hooks.onCommit } : {}),
    onError: (err, what) =>
      logger.error({ err, what }, 'session store could not write to PostgreSQL; retrying'),
    onSetAside: (rows, err) => {
      deadLetters?.inc(rows.length);
      logger.error(
        { err, sessionId: rows[0]?.sessionId, rows: rows.length },
        'PostgreSQL refused a save for good; set aside in dead_letters',
      );
    },
  });
}

/**
 * The Redis platform with the session store on it, as one process has them: for tests and
 * for a stand-in writer process. `close()` drains the store, then stops the platform.
 */
export function createRedisSessionLane(
  input: RedisPlatformInput & { sql: Sql; writeThroughTimeoutMs?: number },
) {
  const platform = createRedisPlatform(input);
  const store = createSessionStore({
    sql: input.sql,
    logger: input.logger,
    metrics: input.metrics,
    redis: platform,
    ...(input.writeThroughTimeoutMs ? { writeThroughTimeoutMs: input.writeThroughTimeoutMs } : {}),
  });
  let closing: Promise<void> | undefined;
  return {
    ...platform,
    store,
    close(): Promise<void> {
      closing ??= (async () => {
        await store.close();
        await platform.close();
      })();
      return closing;
    },
  };
}

export type RedisSessionLane = ReturnType<typeof createRedisSessionLane>;
