import { afterEach, expect, it } from 'vitest';
import { deploy, type Deployment } from './deployment.js';
import { durableSession, publishExam, Student, type Question } from './students.js';

/**
 * SIGTERM under load: the process stops accepting, tells its sockets to reconnect (1012
 * "service restart"), drains the durable log into PostgreSQL — here with a backlog, since
 * the writer was held up — and only then exits 0. Nothing is pending afterwards and every
 * acknowledged answer is in PostgreSQL; a new process then grades every session once.
 */
let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

const scoreOf = (answers: Map<string, string>, questions: Question[]) =>
  questions.reduce((sum, q) => sum + (answers.get(q.id) === q.correct ? q.points : 0), 0);

it('SIGTERM under load drains the log to zero pending, closes sockets with 1012, exits 0', async () => {
  d = await deploy();
  const a = await d.start({ LOG_LEVEL: 'info' });
  const exam = await publishExam(a.url, d.sql);
  const students = await Promise.all(
    Array.from({ length: 10 }, () => Student.enrol(d!.sql, exam, [a.url])),
  );
  await Promise.all(
    students.map(async (s, i) => {
      await s.login();
      await s.start(exam);
      if (i % 2 === 0) await s.openSocket();
    }),
  );

  // Hold the writer up (every session row locked) so a backlog is waiting at SIGTERM.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const locking = d.sql.begin(async (tx) => {
    await tx`SELECT id FROM exam_sessions WHERE exam_id = ${exam.examId} FOR UPDATE`;
    await held;
  });

  // Load until the server stops answering; every save is acked, refused or unknown.
  const load = Promise.all(
    students.map(async (s, i) => {
      for (let n = 0; ; n += 1) {
        const q = exam.questions[n % exam.questions.length]!;
        if ((await s.trySave(i % 2 === 0 ? 'ws' : 'http', q.id, 'ABCD'[(i + n) % 4]!)) !== 'acked')
          return;
        await new Promise((r) => setTimeout(r, 10));
      }
    }),
  );
  await new Promise((r) => setTimeout(r, 1_000));
  expect((await d.logState()).pending).toBeGreaterThan(0);
  a.child.kill('SIGTERM');
  await load;
  // Still draining: the backlog cannot reach PostgreSQL yet, so the process must wait.
  await new Promise((r) => setTimeout(r, 1_000));
  expect(a.child.exitCode).toBeNull();
  release();
  await locking;

  const code = await a.exited;
  // On a failure, what the process said while shutting down (requests left out).
  const said = a
    .output()
    .split('\n')
    .filter((l) => !/"(incoming request|request completed)"/.test(l))
    .slice(-15)
    .join('\n');
  expect(code, said).toBe(0);
  expect(a.output()).toContain('log drained into PostgreSQL');
  expect(await d.logState()).toEqual({ pending: 0, unacked: 0 });
  for (const [i, s] of students.entries()) if (i % 2 === 0) expect(s.socket!.closeCode).toBe(1012);
  expect(students.every((s) => s.tried.filter((t) => t.outcome === 'acked').length > 5)).toBe(true);

  const durable = await Promise.all(students.map((s) => durableSession(d!.sql, s.sessionId)));
  for (const [i, s] of students.entries())
    expect(s.durableMismatches(durable[i]!.answers)).toEqual([]);

  // A restarted process grades every session exactly once, on what was stored.
  const b = await d.start();
  for (const [i, s] of students.entries()) {
    s.bases.splice(0, 1, b.url);
    const view = await s.submitHttp();
    expect(view.score).toBe(scoreOf(durable[i]!.answers, exam.questions));
    expect((await durableSession(d.sql, s.sessionId)).session).toMatchObject({
      status: 'SCORED',
      result: { score: view.score },
    });
  }
});
