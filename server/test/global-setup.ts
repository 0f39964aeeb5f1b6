import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../src/platform/embedded-postgres.js';
import { migrate } from '../src/platform/migrate.js';
import { createSql } from '../src/platform/postgres.js';

/**
 * Real parts, not mocks: one embedded PostgreSQL and one Debian redis-server for the whole
 * run. Each test file clones its own database from a migrated template (harness.ts).
 */
declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    redisUrl: string;
  }
}

const TEMPLATE = 'examhall_template';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function startRedis(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('redis-server did not start (is it installed? npm run setup:test)')),
      15_000,
    );
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { url: `redis://127.0.0.1:${port}`, child };
}

export default async function setup(project: TestProject) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'examhall-test-'));
  await fs.chmod(dir, 0o755);
  const log = pino({ level: 'warn' });
  const db = await startEmbeddedPostgres(dir, log);
  const admin = createSql(db.url, { max: 2 });
  await admin.unsafe(`CREATE DATABASE ${TEMPLATE}`);
  const templateUrl = db.url.replace(/\/postgres$/, `/${TEMPLATE}`);
  const template = createSql(templateUrl, { max: 1 });
  await migrate(template, log);
  await template.end();
  await admin.end();

  const redis = await startRedis(dir);

  project.provide('pgAdminUrl', db.url);
  project.provide('pgTemplate', TEMPLATE);
  project.provide('redisUrl', redis.url);

  return async () => {
    redis.child.kill('SIGTERM');
    await db.stop();
    await fs.rm(dir, { recursive: true, force: true });
  };
}
