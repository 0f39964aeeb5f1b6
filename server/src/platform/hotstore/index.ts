import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Metrics } from '../metrics.js';
import type { Sql } from '../postgres.js';
import { MemoryHotStore } from './memory.js';
import type { HotStore } from './types.js';

export interface HotStoreHooks {
  onCommit?: (rows: number, seconds: number) => void;
}

/**
 * The embedded default, `memory`. With REDIS_URL the context takes the redis lane's hot
 * store instead (platform/redis), so this is only reached without Redis.
 */
export function createHotStore(input: { config: Config; sql: Sql; logger: Logger; metrics: Metrics; hooks?: HotStoreHooks }): HotStore {
  const { sql, logger } = input;
  // The same series the redis lane's writer counts its dead letters in.
  const deadLetters = input.metrics.counter('examhall_log_dead_letters_total', 'Entries PostgreSQL refused for good (set aside as dead letters)');
  return new MemoryHotStore(sql, {
    ...(input.hooks?.onCommit ? { onCommit: input.hooks.onCommit } : {}),
    onError: (err, what) => logger.error({ err, what }, 'hot store could not write to PostgreSQL; retrying'),
    onSetAside: (rows, err) => {
      deadLetters.inc(rows.length);
      logger.error({ err, sessionId: rows[0]?.sessionId, rows: rows.length }, 'PostgreSQL refused a save for good; set aside in dead_letters');
    },
  });
}
