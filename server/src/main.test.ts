import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
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
    const env = {
      DATABASE_URL: inject('pgAdminUrl').replace(/\/postgres$/, `/${name}`),
      DATA_DIR: await tempDir(),
      DEMO: '1',
      JWT_SECRET: 'x'.repeat(40),
    };
    const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    running.push(a!, b!);
    await Promise.all([a!.waitReady(), b!.waitReady()]);
    const sql = createSql(env.DATABASE_URL, { max: 1 });
    const [migrations] = await sql<{ n: number }[]>`SELECT count(*) AS n FROM schema_migrations`;
    const [staff] = await sql<{ n: number }[]>`SELECT count(*) AS n FROM staff`;
    const [exams] = await sql<
      { n: number }[]
    >`SELECT count(*) AS n FROM exams WHERE status = 'PUBLISHED'`;
    await sql.end();
    expect(exams!.n).toBe(1);
    expect(migrations!.n).toBeGreaterThan(0);
    expect(staff!.n).toBe(2); // the demo school was seeded exactly once
    expect(await a!.stop()).toBe(0);
    expect(await b!.stop()).toBe(0);
  });

  it('two processes on one fresh embedded DATA_DIR both reach ready, and a demo login works', async () => {
    const dataDir = await tempDir(); // mode 0700, as mkdtemp makes it: the server must cope
    const [a, b] = await Promise.all([
      startServerProcess({ DATA_DIR: dataDir }),
      startServerProcess({ DATA_DIR: dataDir }),
    ]);
    running.push(a!, b!);
    await Promise.all([a!.waitReady(), b!.waitReady()]);
    expect(a!.output() + b!.output()).toContain('demo school ready');
    const res = await fetch(`${a!.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nisn: '0012345601', password: 'demo-student' }),
    });
    expect(res.status).toBe(200);
    // …and the demo exam is there for that student, with the token the log printed.
    const token = /the demo exam's entry token is (\w{6})/.exec(a!.output() + b!.output())?.[1];
    expect(token).toBeDefined();
    const { accessToken } = (await res.json()) as { accessToken: string };
    const auth = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    const exams = (await (await fetch(`${a!.url}/api/v1/exams`, { headers: auth })).json()) as {
      id: string;
      questionCount: number;
    }[];
    expect(exams).toHaveLength(1);
    expect(exams[0]!.questionCount).toBe(5);
    const started = await fetch(`${a!.url}/api/v1/exams/${exams[0]!.id}/sessions`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ entryToken: token }),
    });
    expect(started.status).toBe(201);
    // The process that did not start the database stops without stopping it for the other.
    const order = a!.output().includes('embedded PostgreSQL started') ? [b!, a!] : [a!, b!];
    expect(await order[0]!.stop()).toBe(0);
    expect((await fetch(`${order[1]!.url}/health/ready`)).status).toBe(200);
    expect(await order[1]!.stop()).toBe(0);
  });

  it('stops the embedded PostgreSQL even when the drain runs out of time', async () => {
    const dataDir = await tempDir();
    const p = await startServerProcess({ DATA_DIR: dataDir, SHUTDOWN_TIMEOUT_SECONDS: '2' });
    running.push(p);
    await p.waitReady();
    const post = (url: string, body: object, token?: string) =>
      fetch(`${p.url}${url}`, {
        method: url.includes('/answers') ? 'PUT' : 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
    const { accessToken } = (await (
      await post('/api/v1/auth/login', { nisn: '0012345601', password: 'demo-student' })
    ).json()) as { accessToken: string };
    const exams = (await (
      await fetch(`${p.url}/api/v1/exams`, { headers: { authorization: `Bearer ${accessToken}` } })
    ).json()) as { id: string }[];
    const token = /the demo exam's entry token is (\w{6})/.exec(p.output())![1]!;
    const view = (await (
      await post(`/api/v1/exams/${exams[0]!.id}/sessions`, { entryToken: token }, accessToken)
    ).json()) as {
      sessionId: string;
      questions: { id: string; kind: string; options: { id: string }[] }[];
    };
    const q = view.questions.find((x) => x.options.length > 0)!;
    // A transaction elsewhere holds session_answers: the next save can never commit, so the drain cannot finish.
    const info = JSON.parse(
      await fs.readFile(path.join(dataDir, 'pg', 'cluster.json'), 'utf8'),
    ) as { port: number; password: string };
    const blocker = createSql(
      `postgres://postgres:${encodeURIComponent(info.password)}@127.0.0.1:${info.port}/postgres`,
      { max: 2 },
    );
    const reserved = await blocker.reserve();
    await reserved.unsafe('BEGIN');
    await reserved.unsafe('LOCK TABLE session_answers IN ACCESS EXCLUSIVE MODE');
    let answered = 'no answer yet';
    const stuck = post(
      `/api/v1/sessions/${view.sessionId}/answers`,
      // The demo exam shuffles per session: answer in the shape of whichever question came first.
      { questionId: q.id, answer: q.kind === 'multi' ? [q.options[0]!.id] : q.options[0]!.id },
      accessToken,
    ).then(
      async (r) => (answered = `${r.status} ${await r.text()}`),
      (err: unknown) => (answered = String(err)),
    );

    // SIGTERM only once the save's commit waits on the lock inside PostgreSQL, and readiness counts it.
    const waiting = async () =>
      (
        await blocker<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%session_answers%'`
      )[0]!.n;
    await expect
      .poll(waiting, { timeout: 30_000, interval: 100 })
      .toBe(1)
      .catch((err: unknown) => {
        // Read when it failed, not when the wait began: what the save got, what the server said.
        throw new Error(
          `the save's commit never waited on the lock (its answer: ${answered}); server log:\n${p.output().slice(-4000)}`,
          { cause: err },
        );
      });
    const ready = (await (await fetch(`${p.url}/health/ready`)).json()) as {
      checks: { persistLag: { pending: number } };
    };
    expect(ready.checks.persistLag.pending).toBe(1);
    expect(await p.stop('SIGTERM')).toBe(1);
    expect(p.output()).toContain('shutdown timed out');
    // The database went down with it: no postmaster left, nothing listening on its port.
    await expect(fs.access(path.join(dataDir, 'pg', 'data', 'postmaster.pid'))).rejects.toThrow();
    const refused = await new Promise<boolean>((resolve) => {
      const probe = net.connect(info.port, '127.0.0.1');
      probe.once('connect', () => (probe.destroy(), resolve(false)));
      probe.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
    // (The blocker's connection was cut by the stop; querying it would trip porsager/postgres#1208.)
    await blocker.end({ timeout: 1 }).catch(() => undefined);
    await stuck;
  });

  it('stops with a sentence naming the variable when configuration is invalid', async () => {
    const p = await startServerProcess({
      PORT: '3000',
      WORKERS: 'many',
      DATA_DIR: await tempDir(),
    });
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(/WORKERS/);
  });
});
