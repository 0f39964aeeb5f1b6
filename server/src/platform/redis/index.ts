import type { Logger } from 'pino';
import type { FailureCounter, FailurePolicy } from '../failure-counter.js';
import type { Metrics } from '../metrics.js';
import { checkSharedSettings, connectRedis, parseRedisUrl } from './connection.js';
import { RedisKeys } from './keys.js';
import { LogHandlers } from './log-handlers.js';
import { LogWriter, type LogWriterOptions } from './log-writer.js';
import { createRedisFailureCounter } from './login-failures.js';
import { PersistWatch } from './persist-watch.js';
import { createRedisBus } from './bus.js';
import { createScripts } from './scripts.js';

export { LogWriter } from './log-writer.js';
export type { LogEntryHandler } from './log-handlers.js';

export interface RedisPlatformInput {
  /** REDIS_URL, with optional `prefix` and `shards` parameters (connection.ts) */
  url: string;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics?: Metrics;
  /** run a log writer in this process (config.roles.writer) */
  writer: boolean;
  writerOptions?: Omit<LogWriterOptions, 'metrics' | 'logger'>;
}

/**
 * What Redis gives every feature of a process, built from REDIS_URL: the connection, key
 * names, the durable log (its writer when this process has the writer role, and the
 * registry where features put the handlers of their entry types), persistence watching,
 * cross-process pub/sub and shared failure counters. Features build their own fast-lane
 * adapters on it (sessions/store). Two connections: commands, and one in subscribe mode.
 */
export function createRedisPlatform(input: RedisPlatformInput) {
  const settings = parseRedisUrl(input.url);
  const keys = new RedisKeys(settings.prefix, settings.shards);
  const redis = connectRedis(settings, 'commands');
  const subscriber = connectRedis(settings, 'subscriber');
  const onRedisError = (err: Error) =>
    input.logger.warn({ err: err.message }, 'redis connection problem');
  redis.on('error', onRedisError);
  subscriber.on('error', onRedisError);

  const scripts = createScripts(redis, keys);
  const bus = createRedisBus({ publisher: redis, subscriber, keys, logger: input.logger });
  const watch = new PersistWatch(redis, keys, bus);
  const log = new LogHandlers();
  const writer = input.writer
    ? new LogWriter(redis, keys, scripts, bus, log, {
        ...(settings.leaseMs ? { leaseMs: settings.leaseMs } : {}),
        ...input.writerOptions,
        logger: input.logger,
        ...(input.metrics ? { metrics: input.metrics } : {}),
      })
    : undefined;

  if (input.metrics) {
    // Scraped from Redis, so every process reports the shared log, not only its own part.
    input.metrics.gauge(
      'examhall_log_pending_entries',
      'Log entries not yet in PostgreSQL',
      [],
      async function () {
        this.set((await watch.lag()).pending);
      },
    );
    input.metrics.gauge(
      'examhall_log_oldest_pending_seconds',
      'Age of the oldest log entry not yet in PostgreSQL',
      [],
      async function () {
        this.set((await watch.lag()).oldestMs / 1000);
      },
    );
  }

  let closing: Promise<void> | undefined;
  return {
    keys,
    redis,
    scripts,
    bus,
    watch,
    log,
    writer,

    /** Checks the shared settings and starts the writer (after features registered their log handlers); await before serving. */
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

    /** A failed-attempt counter every process shares (platform/failure-counter.ts has the rule). */
    failureCounter(scope: string, policy: FailurePolicy): FailureCounter {
      return createRedisFailureCounter(redis, keys, scripts, scope, policy);
    },

    /** Stops the writer (its batch in hand committed), disconnects. Close the features' stores first: they drain into the log. */
    close(): Promise<void> {
      closing ??= (async () => {
        await writer?.stop();
        watch.close();
        await bus.close();
        await Promise.allSettled([redis.quit(), subscriber.quit()]);
      })();
      return closing;
    },
  };
}

export type RedisPlatform = ReturnType<typeof createRedisPlatform>;
