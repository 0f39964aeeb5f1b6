import { afterEach, expect, it } from 'vitest';
import { deploy, type Deployment, logDrained } from './deployment.js';
import { durableSession, publishExam, Student, type PublishedExam } from './students.js';

/**
 * kill -9 one of two app processes in the middle of an exam. Its students' sockets and
 * requests break; they carry on against the other process (resending what was in flight
 * with the same idempotency keys). Nothing acknowledged may be missing afterwards, and
 * every session is graded exactly once — including those whose writer died with the
 * process (its log shards move to the surviving writer).
 */
let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

/** Each student answers every question `rounds` times: sockets for even students, HTTP for odd. */
async function answerAll(
  students: Student[],
  exam: PublishedExam,
  rounds: number,
  onProgress?: () => void,
): Promise<void> {
  await Promise.all(
    students.map(async (s, i) => {
      for (let r = 0; r < rounds; r += 1) {
        for (const [j, q] of exam.questions.entries()) {
          const answer = 'ABCD'[(i + j + r) % 4]!;
          await (i % 2 === 0 ? s.saveWs(q.id, answer) : s.saveHttp(q.id, answer));
          onProgress?.();
        }
      }
    }),
  );
}

it('kill -9 of one app process mid-exam: its clients move to the other, nothing acknowledged is lost', async () => {
  d = await deploy();
  const [a, b] = [await d.start(), await d.start()];
  const exam = await publishExam(b.url, d.sql);
  // Every student starts on A (the one that dies) and knows B as the fallback.
  const students = await Promise.all(
    Array.from({ length: 12 }, () => Student.enrol(d!.sql, exam, [a.url, b.url])),
  );
  await Promise.all(
    students.map(async (s, i) => {
      await s.login();
      await s.start(exam);
      if (i % 2 === 0) await s.openSocket();
    }),
  );

  // A drains part of the log: its shards must move to B's writer when it dies.
  await expect
    .poll(
      async () => (await d!.leaseOwners()).filter((o) => o?.includes(`:${a.child.pid}:`)).length,
    )
    .toBeGreaterThan(0);

  let saves = 0;
  const killAfter = 60;
  let killed: Promise<unknown> | undefined;
  await answerAll(students, exam, 4, () => {
    saves += 1;
    if (saves === killAfter) killed = a.stop('SIGKILL');
  });
  await killed;
  expect(a.child.signalCode).toBe('SIGKILL');
  // Everyone had to move to B (sockets reconnected, HTTP retried there).
  for (const s of students) expect(s.base).toBe(b.url);

  const views = await Promise.all(students.map((s) => s.submitHttp()));
  for (const [i, s] of students.entries()) {
    expect(views[i]!.score).toBe(s.expectedScore(exam.questions));
    const durable = await durableSession(d.sql, s.sessionId);
    expect(durable.answers).toEqual(s.acked);
    expect(durable.session).toMatchObject({
      status: 'SCORED',
      result: { score: views[i]!.score, submittedAt: Date.parse(views[i]!.submittedAt) },
    });
  }
  await logDrained(d);
});
