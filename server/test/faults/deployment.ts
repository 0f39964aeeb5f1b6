import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'undici';
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
  /**
   * Keep-alive connections into `server`, opened until each of its `workers` worker
   * processes holds `perWorker` of them (grouped by worker). node:cluster hands every new
   * connection to a worker and keep-alive then sticks to it, so which connection a client
   * uses decides which worker serves it: load reaches every worker by construction, even one
   * that started listening late. Closed with the deployment.
   */
  connectionsToEachWorker(
    server: ServerProcess,
    workers: number,
    perWorker: number,
  ): Promise<WorkerConnection[][]>;
  close(): Promise<void>;
}

/** One connection into a cluster, and the worker process it reaches. */
export interface WorkerConnection {
  pid: number;
  client: Client;
}

export async function deploy(
  options: { database?: { url: string; sql: Sql }; shards?: number; leaseMs?: number } = {},
): Promise<Deployment> {
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
  const clients: Client[] = [];

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
      return Promise.all(
        Array.from({ length: shards }, (_, shard) => redis.get(`${prefix}lease:{L${shard}}`)),
      );
    },
    async connectionsToEachWorker(server, workers, perWorker) {
      const byPid = new Map<number, WorkerConnection[]>();
      const full = () =>
        byPid.size === workers && [...byPid.values()].every((held) => held.length === perWorker);
      const deadline = Date.now() + 60_000;
      while (!full()) {
        if (Date.now() > deadline) {
          const held = [...byPid].map(([pid, list]) => `${pid}: ${list.length}`).join(', ');
          throw new Error(
            `could not reach ${workers} workers with ${perWorker} connections each (${held})`,
          );
        }
        const client = new Client(server.url);
        clients.push(client);
        const pid = await workerOf(server, client);
        const held = byPid.get(pid) ?? [];
        if (held.length < perWorker && (byPid.has(pid) || byPid.size < workers))
          byPid.set(pid, [...held, { pid, client }]);
        else await client.close();
      }
      return [...byPid.values()];
    },
    async close() {
      await Promise.all(clients.map((c) => c.destroy()));
      await Promise.all(processes.map((p) => p.stop('SIGKILL')));
      redis.disconnect();
      await owned?.drop();
    },
  };
}

/** Polls until `check` holds (or fails the test with `what`). */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The durable log is empty: every entry is in PostgreSQL. Polled, since a finished session
 * reaches PostgreSQL in its own final write and the log's copies of it land a moment later.
 */
export function logDrained(d: Pick<Deployment, 'logState'>): Promise<void> {
  return eventually('the durable log drained into PostgreSQL', async () => {
    const state = await d.logState();
    return state.pending === 0 && state.unacked === 0;
  });
}

interface RequestLog {
  pid: number;
  reqId: string;
  msg: string;
  req?: { method: string; url: string };
}

function requestLogs(output: string): RequestLog[] {
  const logs: RequestLog[] = [];
  for (const line of output.split('\n')) {
    if (!line.includes('"request completed"') && !line.includes('"incoming request"')) continue;
    try {
      logs.push(JSON.parse(line) as RequestLog);
    } catch {
      // a partial line at the end of the buffer
    }
  }
  return logs;
}

/**
 * The pids of the processes that completed a request (LOG_LEVEL=info), of the requests
 * `which` picks (all by default): who served traffic.
 */
export function servingPids(
  output: string,
  which: (req: { method: string; url: string }) => boolean = () => true,
): Set<number> {
  const logs = requestLogs(output);
  const picked = new Set(
    logs.filter((l) => l.msg === 'incoming request' && l.req && which(l.req)).map((l) => l.reqId),
  );
  return new Set(
    logs.filter((l) => l.msg === 'request completed' && picked.has(l.reqId)).map((l) => l.pid),
  );
}

/**
 * The worker behind a connection: one request over it carrying its own X-Request-Id, then
 * the pid on that request's log line. (The health routes log only warnings, so the probe
 * asks for a path that does not exist: the 404 is logged like any request.)
 */
async function workerOf(server: ServerProcess, client: Client): Promise<number> {
  const reqId = `which-worker-${randomBytes(8).toString('hex')}`;
  const res = await client.request({
    method: 'GET',
    path: '/which-worker',
    headers: { 'x-request-id': reqId },
  });
  await res.body.dump();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [line] = requestLogs(server.output()).filter(
      (l) => l.reqId === reqId && l.msg === 'request completed',
    );
    if (line) return line.pid;
    // The log line travels through a pipe and may land a moment after the response.
    if (Date.now() > deadline)
      throw new Error(`request ${reqId} was never logged: is LOG_LEVEL=info?`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
