import { afterEach, expect, it } from 'vitest';
import { deploy, eventually, type Deployment } from './deployment.js';
import { durableSession, publishExam, Student } from './students.js';

/**
 * kill -9 a writer in the middle of a batch: it has read entries from the log and begun its
 * transaction, but not committed. Its entries stay pending in the consumer group, its shard
 * lease expires, and the other writer claims and applies them (XAUTOCLAIM) before anything
 * newer — so every acknowledged answer still reaches PostgreSQL, exactly once in effect.
 */
let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

it('kill -9 of a writer mid-batch: the other writer reclaims its entries, nothing is lost', async () => {
  d = await deploy({ shards: 2, leaseMs: 1_000 });
  const api = await d.start({ ROLES: 'api' });
  const [w1, w2] = [await d.start({ ROLES: 'writer' }), await d.start({ ROLES: 'writer' })];
  const pidOf = (owner: string | null) => Number(owner?.split(':')[1]);
  // One shard each (fair share), so killing w1 leaves a shard only a takeover can drain.
  await eventually('each writer owns a shard', async () => {
    const owners = (await d!.leaseOwners()).map(pidOf);
    return owners.includes(w1.child.pid!) && owners.includes(w2.child.pid!);
  });

  const exam = await publishExam(api.url, d.sql);
  const students = await Promise.all(
    Array.from({ length: 10 }, () => Student.enrol(d!.sql, exam, [api.url])),
  );
  await Promise.all(students.map(async (s) => (await s.login(), await s.start(exam))));
  const answerAll = (round: number) =>
    Promise.all(
      students.map(async (s, i) => {
        for (const [j, q] of exam.questions.entries())
          await s.saveHttp(q.id, 'ABCD'[(i + j + round) % 4]!);
      }),
    );
  await answerAll(0);

  // Hold every session row of the exam: each writer's next batch blocks inside its
  // transaction (the answer upsert needs the row's key-share lock), i.e. mid-batch.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const locking = d.sql.begin(async (tx) => {
    await tx`SELECT id FROM exam_sessions WHERE exam_id = ${exam.examId} FOR UPDATE`;
    await held;
  });
  await answerAll(1);
  await eventually('both writers blocked in a batch', async () => {
    const [row] = await d!.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`;
    return (row?.n ?? 0) >= 2;
  });

  await w1.stop('SIGKILL');
  const afterKill = await d.logState();
  expect(afterKill.unacked).toBeGreaterThan(0);
  release();
  await locking;

  await answerAll(2);
  const views = await Promise.all(students.map((s) => s.submitHttp()));
  for (const [i, s] of students.entries()) {
    expect(views[i]!.score).toBe(s.expectedScore(exam.questions));
    const durable = await durableSession(d.sql, s.sessionId);
    expect(durable.answers).toEqual(s.acked);
    expect(durable.session).toMatchObject({ status: 'SCORED', result: { score: views[i]!.score } });
  }
  // w2 takes over w1's shard once its lease runs out (a submit no longer waits for that:
  // its session reached PostgreSQL in its final write), and nothing is left pending anywhere.
  await eventually('w2 holds every shard', async () =>
    (await d!.leaseOwners()).every((owner) => pidOf(owner) === w2.child.pid),
  );
  await eventually('log empty', async () => {
    const state = await d!.logState();
    return state.pending === 0 && state.unacked === 0;
  });
});
