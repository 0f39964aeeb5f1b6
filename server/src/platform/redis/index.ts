import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { FailureCounter, FailurePolicy, FailureScope } from '../../auth/login-limiter.js';
import type { LoginRegistry, LoginRevoked } from '../../auth/login-registry.js';
import type { StaffAccessCache, StaffAccessChange } from '../../auth/staff-access.js';
import type { Metrics } from '../metrics.js';
import type { Sql } from '../postgres.js';
import { checkSharedSettings, connectRedis, parseRedisUrl } from './connection.js';
import { RedisHotStore } from './hotstore.js';
import { RedisKeys } from './keys.js';
import { LogWriter, type LogWriterOptions } from './log-writer.js';
import { createRedisFailureCounter } from './login-failures.js';
import { PersistWatch } from './persist-watch.js';
import { RedisBus } from './pubsub.js';
import { createScripts } from './scripts.js';

export { RedisHotStore } from './hotstore.js';
export { LogWriter } from './log-writer.js';

export interface RedisLaneInput {
  /** REDIS_URL, with optional `prefix` and `shards` parameters (connection.ts) */
  url: string;
  sql: Sql;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics?: Metrics;
  /** run a log writer in this process (config.roles.writer) */
  writer: boolean;
  writerOptions?: Omit<LogWriterOptions, 'metrics' | 'logger'>;
  writeThroughTimeoutMs?: number;
}

/**
 * Everything the `redis` fast lane gives a process, built from REDIS_URL: the hot store,
 * the log writer (when this process has the writer role), cross-process pub/sub and shared
 * login-failure counters. Two connections: commands, and one held in subscribe mode.
 */
export function createRedisLane(input: RedisLaneInput) {
  const settings = parseRedisUrl(input.url);
  const keys = new RedisKeys(settings.prefix, settings.shards);
  const redis = connectRedis(settings, 'commands');
  const subscriber = connectRedis(settings, 'subscriber');
  const onRedisError = (err: Error) => input.logger.warn({ err: err.message }, 'redis connection problem');
  redis.on('error', onRedisError);
  subscriber.on('error', onRedisError);

  const scripts = createScripts(redis, keys);
  const bus = new RedisBus(redis, subscriber, keys);
  const watch = new PersistWatch(redis, keys, bus);
  const hotStore = new RedisHotStore({
    redis, keys, scripts, bus, watch, sql: input.sql,
    ...(input.writeThroughTimeoutMs ? { writeThroughTimeoutMs: input.writeThroughTimeoutMs } : {}),
    onError: (err, what) => input.logger.error({ err, what }, 'redis hot store: dependency failed'),
  });
  const writer = input.writer
    ? new LogWriter(redis, keys, scripts, bus, input.sql, {
        ...(settings.leaseMs ? { leaseMs: settings.leaseMs } : {}),
        ...input.writerOptions,
        logger: input.logger,
        ...(input.metrics ? { metrics: input.metrics } : {}),
      })
    : undefined;

  if (input.metrics) {
    // Scraped from Redis, so every process reports the shared log, not only its own part.
    input.metrics.gauge('examhall_log_pending_entries', 'Log entries not yet in PostgreSQL', [], async function () {
      this.set((await watch.lag()).pending);
    });
    input.metrics.gauge('examhall_log_oldest_pending_seconds', 'Age of the oldest log entry not yet in PostgreSQL', [], async function () {
      this.set((await watch.lag()).oldestMs / 1000);
    });
  }

  let closing: Promise<void> | undefined;
  return {
    keys,
    redis,
    bus,
    hotStore,
    writer,

    /** Checks the shared settings and starts the writer; await before serving. */
    async start(): Promise<void> {
      try {
        await checkSharedSettings(redis, keys);
      } catch (err) {
        redis.disconnect();
        subscriber.disconnect();
        throw err;
      }
      writer?.start();
    },

    /** A failed-attempt counter every process shares (auth/login-limiter.ts has the rule). */
    failureCounter(scope: FailureScope, policy: FailurePolicy): FailureCounter {
      return createRedisFailureCounter(redis, keys, scripts, scope, policy);
    },

    /** Revocations made here reach every other process (their sockets get kicked there). */
    connectLogins(registry: LoginRegistry): void {
      const origin = randomBytes(8).toString('hex');
      registry.publish = (event) => {
        bus.publish('logins', JSON.stringify({ origin, event })).catch((err: unknown) => {
          // PostgreSQL has the revocation: other processes still refuse the token once
          // their cached state is re-read; only the instant kick is lost.
          input.logger.warn({ err }, 'could not announce a login revocation');
        });
      };
      bus.on('logins', (message) => {
        const { origin: from, event } = JSON.parse(message) as { origin: string; event: LoginRevoked };
        if (from !== origin) registry.applyRemote(event);
      });
    },

    /** Staff and role changes made here drop the cached permissions of every other process. */
    connectStaffAccess(cache: StaffAccessCache): void {
      const origin = randomBytes(8).toString('hex');
      cache.publish = (change) => {
        bus.publish('staff', JSON.stringify({ origin, change })).catch((err: unknown) => {
          // The other processes' cached copies expire within their TTL anyway.
          input.logger.warn({ err }, 'could not announce a staff access change');
        });
      };
      bus.on('staff', (message) => {
        const { origin: from, change } = JSON.parse(message) as { origin: string; change: StaffAccessChange };
        if (from !== origin) cache.applyRemote(change);
      });
    },

    /** Drains the log into PostgreSQL (as far as writers anywhere get), stops, disconnects. */
    close(): Promise<void> {
      closing ??= (async () => {
        await hotStore.close();
        await writer?.stop();
        watch.close();
        bus.close();
        await Promise.allSettled([redis.quit(), subscriber.quit()]);
      })();
      return closing;
    },
  };
}

export type RedisLane = ReturnType<typeof createRedisLane>;
