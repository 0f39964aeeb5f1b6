import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, expect, it } from 'vitest';
import {
  startEmbeddedPostgres,
  type EmbeddedDatabase,
} from '../../src/platform/embedded-postgres.js';
import { migrate } from '../../src/platform/migrate.js';
import { createSql, type Sql } from '../../src/platform/postgres.js';
import { deploy, type Deployment, logDrained } from './deployment.js';
import { durableSession, publishExam, Student } from './students.js';

/**
 * PostgreSQL stops for 10 s in the middle of an exam and comes back. Students keep saving
 * (the fast lane never waits on PostgreSQL); the writers keep the log pending and retry with
 * backoff, never dropping or acknowledging early; once PostgreSQL is back everything lands.
 * Uses its own embedded PostgreSQL, since the shared one serves every other test.
 */
const log = pino({ level: 'warn' });
let dir: string | undefined;
let pg: EmbeddedDatabase | undefined;
let sql: Sql | undefined;
let d: Deployment | undefined;

afterAll(async () => {
  await d?.close();
  await sql?.end({ timeout: 1 });
  await pg?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

it('PostgreSQL down for 10 s under load: saves go on, then every acknowledged answer lands', async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'examhall-pg-outage-'));
  await fs.chmod(dir, 0o755);
  pg = await startEmbeddedPostgres(dir, log);
  sql = createSql(pg.url, { max: 4 });
  await migrate(sql, log);
  d = await deploy({ database: { url: pg.url, sql } });
  const [a, b] = [await d.start(), await d.start()];
  const exam = await publishExam(a.url, sql);
  const students = await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      Student.enrol(sql!, exam, i % 2 === 0 ? [a.url, b.url] : [b.url, a.url]),
    ),
  );
  await Promise.all(
    students.map(async (s, i) => {
      await s.login();
      await s.start(exam);
      if (i % 4 < 2) await s.openSocket();
    }),
  );

  let phase: 'before' | 'outage' | 'after' | 'done' = 'before';
  const ackedIn = { before: 0, outage: 0, after: 0, done: 0 };
  const load = Promise.all(
    students.map(async (s, i) => {
      for (let n = 0; phase !== 'done'; n += 1) {
        const q = exam.questions[n % exam.questions.length]!;
        const answer = 'ABCD'[(i + n) % 4]!;
        await (i % 4 < 2 ? s.saveWs(q.id, answer) : s.saveHttp(q.id, answer));
        ackedIn[phase] += 1;
        await new Promise((r) => setTimeout(r, 20));
      }
    }),
  );

  await new Promise((r) => setTimeout(r, 1_000));
  await pg.stop();
  phase = 'outage';
  const outageStarted = Date.now();
  await new Promise((r) => setTimeout(r, 5_000));
  // Not ready (no database), and the persist lag shows the backlog waiting.
  const ready = await fetch(`${a.url}/health/ready`);
  expect(ready.status).toBe(503);
  const readiness = (await ready.json()) as {
    checks: { persistLag: { pending: number; oldestMs: number } };
  };
  expect(readiness.checks.persistLag.pending).toBeGreaterThan(0);
  expect((await d.logState()).pending).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 10_000 - (Date.now() - outageStarted)));

  pg = await startEmbeddedPostgres(dir, log);
  phase = 'after';
  await new Promise((r) => setTimeout(r, 1_000));
  phase = 'done';
  await load;
  expect(ackedIn.outage).toBeGreaterThan(100);
  expect(ackedIn.after).toBeGreaterThan(0);

  const views = await Promise.all(students.map((s) => s.submitHttp()));
  for (const [i, s] of students.entries()) {
    expect(views[i]!.score).toBe(s.expectedScore(exam.questions));
    const durable = await durableSession(sql, s.sessionId);
    expect(durable.answers).toEqual(s.acked);
    expect(durable.session).toMatchObject({ status: 'SCORED', result: { score: views[i]!.score } });
  }
  await logDrained(d);
  // Retried, not dropped: the writers logged their failures while PostgreSQL was away.
  expect(a.output() + b.output()).toContain('batch not persisted; retrying');
  // And rode it out: neither process died (a transaction cut by the outage used to kill
  // its process from inside postgres.js — see log-sql.ts).
  expect([a.child.exitCode, b.child.exitCode]).toEqual([null, null]);
});
