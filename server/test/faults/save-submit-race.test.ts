import { afterEach, expect, it } from 'vitest';
import { deploy, type Deployment, logDrained } from './deployment.js';
import { call, durableSession, publishExam, Student, type SubmitView } from './students.js';

/**
 * A save racing a submit on another process: the save either lands before the freeze (and
 * is graded) or is refused — never acknowledged and then missing. Every save here writes a
 * question's correct answer, so the score must be exactly the points of the acked saves.
 */
let d: Deployment | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a save racing a submit on another process is graded or refused, never acked and lost', async () => {
  d = await deploy();
  const [a, b] = [await d.start(), await d.start()];
  const exam = await publishExam(a.url, d.sql, { questions: 8 });
  const students = await Promise.all(
    Array.from({ length: 16 }, () => Student.enrol(d!.sql, exam, [a.url])),
  );
  await Promise.all(
    students.map(async (s, i) => {
      await s.login();
      await s.start(exam);
      if (i % 2 === 0) await s.openSocket();
    }),
  );

  const [first, ...racing] = exam.questions;
  const views: SubmitView[] = await Promise.all(
    students.map(async (s, i) => {
      const transport = i % 2 === 0 ? 'ws' : 'http';
      // One save surely before the freeze…
      await s.trySave(transport, first!.id, first!.correct);
      // …then saves through A (socket or HTTP) and the submit through B, all at once: each
      // racing save may land either side of the freeze, and must be graded or refused.
      const saves = racing.map(async (q, j) => {
        await pause((i * 7 + j * 5) % 25);
        return s.trySave(transport, q.id, q.correct);
      });
      const submitted = (async () => {
        await pause(8 + (i % 5) * 3);
        return call<SubmitView>(b.url, 'POST', `/api/v1/sessions/${s.sessionId}/submit`, s.token);
      })();
      await Promise.all(saves);
      const view = await submitted;
      // …and one surely after it, which must be refused.
      await s.trySave(transport, racing[0]!.id, racing[0]!.correct);
      return view;
    }),
  );

  const outcomes = students.flatMap((s) => s.tried.map((t) => t.outcome));
  expect(outcomes).not.toContain('unknown');
  for (const s of students) {
    expect(s.tried[0]!.outcome).toBe('acked');
    expect(s.tried.at(-1)!.outcome).toBe('refused');
  }

  for (const [i, s] of students.entries()) {
    const acked = new Set(s.tried.filter((t) => t.outcome === 'acked').map((t) => t.questionId));
    const points = exam.questions.filter((q) => acked.has(q.id)).reduce((n, q) => n + q.points, 0);
    expect(views[i]!.score).toBe(points);
    const durable = await durableSession(d.sql, s.sessionId);
    expect(new Set(durable.answers.keys())).toEqual(acked);
    expect(durable.session).toMatchObject({ status: 'SCORED', result: { score: points } });
  }
  await logDrained(d);
});
