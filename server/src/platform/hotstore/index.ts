import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Sql } from '../postgres.js';
import { MemoryHotStore } from './memory.js';
import type { HotStore } from './types.js';

export interface HotStoreHooks {
  onCommit?: (rows: number, seconds: number) => void;
}

/**
 * Picks the adapter from configuration: no REDIS_URL → `memory` (the embedded default).
 * The Redis adapter plugs in here when REDIS_URL is set.
 */
export function createHotStore(input: { config: Config; sql: Sql; logger: Logger; hooks?: HotStoreHooks }): HotStore {
  const { config, sql, logger } = input;
  if (config.redisUrl) {
    logger.warn('REDIS_URL is set but the redis hot store is not built in yet; using the memory hot store');
  }
  return new MemoryHotStore(sql, {
    ...(input.hooks?.onCommit ? { onCommit: input.hooks.onCommit } : {}),
    onError: (err, what) => logger.error({ err, what }, 'hot store could not write to PostgreSQL; retrying'),
  });
}
