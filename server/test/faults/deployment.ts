import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createTestDatabase, freshRedisUrl } from '../harness.js';
import { startServerProcess, type ServerProcess } from '../process.js';
import type { Sql } from '../../src/platform/postgres.js';

/**
 * A production-shaped deployment for fault tests: real server processes (tsx on the
 * sources) sharing one PostgreSQL database and one Redis key prefix, as several machines
 * would. Each test gets its own database and prefix.
 */
export interface Deployment {
  sql: Sql;
  databaseUrl: string;
  redisUrl: string;
  processes: ServerProcess[];
  /** starts one more process with the shared settings (plus `env`) and waits until ready */
  start(env?: Record<string, string>): Promise<ServerProcess>;
  /** Redis as the processes see it (same prefix), for assertions on the log */
  logState(): Promise<{ pending: number; unacked: number }>;
  /** shard → the writer holding its lease (consumer names are host:pid:random) */
  leaseOwners(): Promise<(string | null)[]>;
  close(): Promise<void>;
}

export async function deploy(options: { database?: { url: string; sql: Sql }; shards?: number; leaseMs?: number } = {}): Promise<Deployment> {
  const owned = options.database ? undefined : await createTestDatabase();
  const database = options.database ?? { url: owned!.url, sql: owned!.sql };
  const redisUrl = new URL(freshRedisUrl(options.shards ?? 4));
  redisUrl.searchParams.set('leaseMs', String(options.leaseMs ?? 1_500));
  const shared: Record<string, string> = {
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl.toString(),
    JWT_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: `/tmp/examhall-fault-${randomBytes(4).toString('hex')}`,
    DEMO: '0',
    LOG_LEVEL: 'warn',
    STAFF_BCRYPT_COST: '4',
    STUDENT_BCRYPT_COST: '4',
    LOGIN_MAX_FAILURES_PER_IP: '100000',
  };
  const processes: ServerProcess[] = [];
  const prefix = redisUrl.searchParams.get('prefix')!;
  const shards = Number(redisUrl.searchParams.get('shards'));
  const plain = new URL(redisUrl);
  plain.search = '';
  const redis = new Redis(plain.toString());

  return {
    sql: database.sql,
    databaseUrl: database.url,
    redisUrl: redisUrl.toString(),
    processes,
    async start(env = {}) {
      const p = await startServerProcess({ ...shared, ...env });
      processes.push(p);
      await p.waitReady();
      return p;
    },
    async logState() {
      let pending = 0;
      let unacked = 0;
      for (let shard = 0; shard < shards; shard += 1) {
        const log = `${prefix}log:{L${shard}}`;
        pending += await redis.xlen(log);
        const summary = (await redis.xpending(log, 'writers').catch(() => [0])) as unknown[];
        unacked += Number(summary[0] ?? 0);
      }
      return { pending, unacked };
    },
    async leaseOwners() {
      return Promise.all(Array.from({ length: shards }, (_, shard) => redis.get(`${prefix}lease:{L${shard}}`)));
    },
    async close() {
      await Promise.all(processes.map((p) => p.stop('SIGKILL')));
      redis.disconnect();
      await owned?.drop();
    },
  };
}

/** Polls until `check` holds (or fails the test with `what`). */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The pids of the processes that logged a request (LOG_LEVEL=info): who served traffic. */
export function servingPids(output: string): Set<number> {
  const pids = new Set<number>();
  for (const line of output.split('\n')) {
    if (!line.includes('"request completed"')) continue;
    try {
      pids.add((JSON.parse(line) as { pid: number }).pid);
    } catch {
      // a partial line at the end of the buffer
    }
  }
  return pids;
}
