import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sleep } from './schedule.js';

/**
 * `--mode memory|redis --workers N`: the runner starts its own server on a free loopback
 * port with a fresh DATA_DIR (so an embedded PostgreSQL of its own), and a redis-server
 * when asked — then stops everything it started, by pid.
 */
export interface StartedServer {
  url: string;
  pid: number;
  dataDir: string;
  logFile: string;
  /** the embedded PostgreSQL's postmaster, once it is up */
  postgresPid: () => number | undefined;
  /** the embedded PostgreSQL's URL (read from DATA_DIR), for the direct integrity check */
  embeddedDatabaseUrl: () => string | undefined;
  redisPid: number | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  mode: 'memory' | 'redis';
  workers: number;
  entry: 'src' | 'dist';
  adminEmail: string;
  adminPassword: string;
  databaseUrl: string | undefined;
  cpuProfDir: string | undefined;
  keepData: boolean;
  logDir: string;
  log: (line: string) => void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(
  child: ChildProcess,
  name: string,
  graceMs: number,
  log: (s: string) => void,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, graceMs)) return;
  log(`${name} (pid ${child.pid}) did not stop within ${graceMs / 1000} s; killing it`);
  child.kill('SIGKILL');
  await waitForExit(child, 5000);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A Redis PING over a raw socket: no client library needed to know it is up. */
function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function startRedis(
  dataDir: string,
  logDir: string,
  log: (s: string) => void,
): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const dir = path.join(dataDir, 'redis');
  await fsp.mkdir(dir, { recursive: true });
  const redisLog = fs.openSync(path.join(logDir, 'redis.log'), 'a');
  // The production shape: an append-only file synced every second (the durable log lives here).
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
    ],
    { stdio: ['ignore', redisLog, redisLog] },
  );
  for (let i = 0; i < 100; i += 1) {
    if (await redisPing(port)) {
      log(`redis-server pid ${child.pid} on 127.0.0.1:${port}`);
      return { child, url: `redis://127.0.0.1:${port}` };
    }
    if (child.exitCode !== null) break;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start (is it installed? scripts/install-system-deps.sh)');
}

async function waitReady(
  url: string,
  child: ChildProcess,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the server exited with code ${child.exitCode}; see ${logFile}`);
    try {
      const res = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`the server was not ready within ${timeoutMs / 1000} s; see ${logFile}`);
}

export async function startServer(opts: StartOptions): Promise<StartedServer> {
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'examhall-bench-'));
  // mkdtemp makes it 0700; run as root, the embedded PostgreSQL drops to the `postgres`
  // user, which must be able to traverse DATA_DIR to reach its own pg/ folder.
  await fsp.chmod(dataDir, 0o755);
  await fsp.mkdir(opts.logDir, { recursive: true });
  const redis =
    opts.mode === 'redis'
      ? await startRedis(dataDir, opts.logDir, opts.log).catch(async (err: unknown) => {
          await fsp.rm(dataDir, { recursive: true, force: true });
          throw err;
        })
      : undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(opts.logDir, `server-${port}.log`);
  const nodeArgs = [
    ...(opts.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir] : []),
    ...(opts.entry === 'src'
      ? ['--import', 'tsx', 'server/src/main.ts']
      : ['dist/server/src/main.js']),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  Object.assign(env, {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ADMIN_EMAIL: opts.adminEmail,
    ADMIN_PASSWORD: opts.adminPassword,
    WORKERS: String(opts.workers),
    LOG_LEVEL: 'warn',
    DEMO: '0',
    NODE_ENV: 'production',
    // A whole day (provisioning, phases, integrity) outlasts the default 15-minute token.
    ACCESS_TOKEN_TTL_SECONDS: '14400',
    ...(redis ? { REDIS_URL: redis.url } : {}),
    ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
  });
  const out = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, nodeArgs, {
    cwd: process.cwd(),
    env,
    stdio: ['ignore', out, out],
  });
  opts.log(
    `server pid ${child.pid}: ${opts.mode}, ${opts.workers} worker(s), ${opts.entry}, ${url} (log ${logFile})`,
  );
  try {
    await waitReady(url, child, logFile, 180_000);
  } catch (err) {
    await stopChild(child, 'server', 5000, opts.log);
    if (redis) await stopChild(redis.child, 'redis-server', 5000, opts.log);
    if (!opts.keepData) await fsp.rm(dataDir, { recursive: true, force: true });
    throw err;
  }

  const pgDir = path.join(dataDir, 'pg');
  const postgresPid = (): number | undefined => {
    try {
      const pid = Number(
        fs.readFileSync(path.join(pgDir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
      );
      return pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  };
  const embeddedDatabaseUrl = (): string | undefined => {
    if (opts.databaseUrl) return opts.databaseUrl;
    try {
      const info = JSON.parse(fs.readFileSync(path.join(pgDir, 'cluster.json'), 'utf8')) as {
        port: number;
        password: string;
      };
      return `postgres://postgres:${encodeURIComponent(info.password)}@127.0.0.1:${info.port}/postgres`;
    } catch {
      return undefined;
    }
  };

  return {
    url,
    pid: child.pid as number,
    dataDir,
    logFile,
    postgresPid,
    embeddedDatabaseUrl,
    redisPid: redis?.child.pid,
    async stop() {
      const pg = postgresPid();
      await stopChild(child, 'server', 40_000, opts.log);
      // The embedded PostgreSQL is a daemon that outlives a killed app (by design): stop the one we caused.
      if (pg !== undefined && pidAlive(pg)) {
        process.kill(pg, 'SIGINT');
        for (let i = 0; i < 100 && pidAlive(pg); i += 1) await sleep(100);
      }
      if (redis) await stopChild(redis.child, 'redis-server', 10_000, opts.log);
      if (!opts.keepData) await fsp.rm(dataDir, { recursive: true, force: true });
      else opts.log(`kept DATA_DIR ${dataDir}`);
    },
  };
}
