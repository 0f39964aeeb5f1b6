import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createSql } from './platform/postgres.js';
import { startServerProcess, type ServerProcess } from '../test/process.js';

const running: ServerProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.stop('SIGKILL')));
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true }).catch(() => {});
});

async function tempDir() {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'examhall-main-'));
  dirs.push(d);
  return d;
}

describe('the server process', () => {
  it('two processes started at the same moment on an empty external database both reach ready', async () => {
    const name = `empty_${randomBytes(5).toString('hex')}`;
    const admin = createSql(inject('pgAdminUrl'), { max: 1 });
    await admin.unsafe(`CREATE DATABASE ${name}`);
    await admin.end();
    const env = { DATABASE_URL: inject('pgAdminUrl').replace(/\/postgres$/, `/${name}`), DATA_DIR: await tempDir(), DEMO: '1', JWT_SECRET: 'x'.repeat(40) };
    const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    running.push(a!, b!);
    await Promise.all([a!.waitReady(), b!.waitReady()]);
    const sql = createSql(env.DATABASE_URL, { max: 1 });
    const [migrations] = await sql<{ n: number }[]>`SELECT count(*) AS n FROM schema_migrations`;
    const [staff] = await sql<{ n: number }[]>`SELECT count(*) AS n FROM staff`;
    const [exams] = await sql<{ n: number }[]>`SELECT count(*) AS n FROM exams WHERE status = 'PUBLISHED'`;
    await sql.end();
    expect(exams!.n).toBe(1);
    expect(migrations!.n).toBeGreaterThan(0);
    expect(staff!.n).toBe(2); // the demo school was seeded exactly once
    expect(await a!.stop()).toBe(0);
    expect(await b!.stop()).toBe(0);
  });

  it('two processes on one fresh embedded DATA_DIR both reach ready, and a demo login works', async () => {
    const dataDir = await tempDir(); // mode 0700, as mkdtemp makes it: the server must cope
    const [a, b] = await Promise.all([startServerProcess({ DATA_DIR: dataDir }), startServerProcess({ DATA_DIR: dataDir })]);
    running.push(a!, b!);
    await Promise.all([a!.waitReady(), b!.waitReady()]);
    expect(a!.output() + b!.output()).toContain('demo school ready');
    const res = await fetch(`${a!.url}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nisn: '0012345601', password: 'demo-student' }),
    });
    expect(res.status).toBe(200);
    // …and the demo exam is there for that student, with the token the log printed.
    const token = /the demo exam's entry token is (\w{6})/.exec(a!.output() + b!.output())?.[1];
    expect(token).toBeDefined();
    const { accessToken } = (await res.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    const exams = (await (await fetch(`${a!.url}/api/v1/exams`, { headers: auth })).json()) as { id: string; questionCount: number }[];
    expect(exams).toHaveLength(1);
    expect(exams[0]!.questionCount).toBe(5);
    const started = await fetch(`${a!.url}/api/v1/exams/${exams[0]!.id}/sessions`, { method: 'POST', headers: auth, body: JSON.stringify({ entryToken: token }) });
    expect(started.status).toBe(201);
    // The process that did not start the database stops without stopping it for the other.
    const order = a!.output().includes('embedded PostgreSQL started') ? [b!, a!] : [a!, b!];
    expect(await order[0]!.stop()).toBe(0);
    expect((await fetch(`${order[1]!.url}/health/ready`)).status).toBe(200);
    expect(await order[1]!.stop()).toBe(0);
  });

  it('stops with a sentence naming the variable when configuration is invalid', async () => {
    const p = await startServerProcess({ PORT: '3000', WORKERS: 'many', DATA_DIR: await tempDir() });
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(/WORKERS/);
  });
});
