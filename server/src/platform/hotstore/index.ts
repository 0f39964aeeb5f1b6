import type { Logger } from 'pino';
import type { Config } from '../../config.js';
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
export function createHotStore(input: { config: Config; sql: Sql; logger: Logger; hooks?: HotStoreHooks }): HotStore {
  const { sql, logger } = input;
  return new MemoryHotStore(sql, {
    ...(input.hooks?.onCommit ? { onCommit: input.hooks.onCommit } : {}),
    onError: (err, what) => logger.error({ err, what }, 'hot store could not write to PostgreSQL; retrying'),
  });
}
