import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createClass,
  createStudent,
  createTestApp,
  login,
  type TestApp,
} from '../../test/harness.js';
import { createPublishedExam } from './test-factories.js';

let t: TestApp;
let classId: string;

beforeAll(async () => {
  // The writer role runs the sweeper; a 1 s grace keeps the test short.
  t = await createTestApp({ ROLES: 'api,writer', SAVE_GRACE_SECONDS: '1' });
  classId = (await createClass(t.sql)).id;
});
afterAll(async () => t?.close());

async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<{ value: T; at: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return { value, at: Date.now() };
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the expiry sweeper', () => {
  it('grades a session nobody submitted shortly after endsAt + grace, on what was saved', async () => {
    const scheduledEnd = new Date(Date.now() + 3000);
    const exam = await createPublishedExam(t.sql, {
      targets: [{ type: 'CLASS', value: classId }],
      scheduledEnd,
      questions: [
        { kind: 'single', options: ['A', 'B'], correct: ['A'], points: 1 },
        { kind: 'single', options: ['A', 'B'], correct: ['B'], points: 1 },
      ],
    });
    const s = await createStudent(t.sql, { classId });
    const headers = bearer(
      (await login(t.app, { nisn: s.nisn, password: s.password })).accessToken,
    );
    const { sessionId, endsAt } = (
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/exams/${exam.id}/sessions`,
        headers,
        payload: { entryToken: exam.entryToken },
      })
    ).json();
    expect(endsAt).toBe(scheduledEnd.toISOString());
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/sessions/${sessionId}/answers`,
      headers,
      payload: { questionId: exam.questionIds[0], answer: 'A' },
    });

    const graded = await waitFor(async () => {
      const [row] = await t.sql<{ status: string; reason: string; score: number }[]>`
        SELECT status, submit_reason AS reason, score::float AS score FROM exam_sessions WHERE id = ${sessionId} AND result IS NOT NULL`;
      return row;
    }, 10_000);
    expect(graded.value).toEqual({ status: 'SCORED', reason: 'TIME_UP', score: 1 });
    const lateBy = graded.at - (scheduledEnd.getTime() + t.config.saveGraceMs);
    expect(lateBy).toBeGreaterThanOrEqual(0);
    expect(lateBy).toBeLessThan(2500);
    const result = (
      await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}/result`, headers })
    ).json();
    expect(result).toMatchObject({ status: 'SCORED', score: 1, maxScore: 2 });
  });

  it('finishes sessions a crash left behind: overdue IN_PROGRESS and SUBMITTED-but-ungraded rows', async () => {
    const exam = await createPublishedExam(t.sql, {
      targets: [{ type: 'CLASS', value: classId }],
      questions: [{ kind: 'single', options: ['A', 'B'], correct: ['B'], points: 2 }],
    });
    const qid = exam.questionIds[0]!;
    const orphan = async (status: 'IN_PROGRESS' | 'SUBMITTED', answer: string) => {
      const id = randomUUID();
      const student = await createStudent(t.sql, { classId });
      // Written as a previous process would have left them; this process's RAM never saw them.
      await t.sql`
        INSERT INTO exam_sessions (id, exam_id, student_id, status, started_at, ends_at, shuffle_seed, question_order, submitted_at, submit_reason)
        VALUES (${id}, ${exam.id}, ${student.id}, ${status}, now() - interval '2 hours', now() - interval '1 hour', 1,
                ${t.sql.array([qid])}::uuid[], ${status === 'SUBMITTED' ? new Date() : null}, ${status === 'SUBMITTED' ? 'STUDENT' : null})`;
      await t.sql`INSERT INTO session_answers (session_id, question_id, answer, seq, saved_at) VALUES (${id}, ${qid}, ${t.sql.json(answer)}, 1, now() - interval '90 minutes')`;
      return id;
    };
    const overdue = await orphan('IN_PROGRESS', 'B');
    const ungraded = await orphan('SUBMITTED', 'A');

    await t.ctx.sessions.sweeper.tick({ scanDatabase: true });

    const rows = await t.sql<{ id: string; status: string; reason: string; score: number }[]>`
      SELECT id, status, submit_reason AS reason, score::float AS score FROM exam_sessions WHERE id IN (${overdue}, ${ungraded})`;
    expect(rows.find((r) => r.id === overdue)).toMatchObject({
      status: 'SCORED',
      reason: 'TIME_UP',
      score: 2,
    });
    expect(rows.find((r) => r.id === ungraded)).toMatchObject({
      status: 'SCORED',
      reason: 'STUDENT',
      score: 0,
    });
  });

  it('leaves an extended session alone', async () => {
    const exam = await createPublishedExam(t.sql, { targets: [{ type: 'CLASS', value: classId }] });
    const s = await createStudent(t.sql, { classId });
    const headers = bearer(
      (await login(t.app, { nisn: s.nisn, password: s.password })).accessToken,
    );
    const { sessionId } = (
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/exams/${exam.id}/sessions`,
        headers,
        payload: { entryToken: exam.entryToken },
      })
    ).json();
    await t.ctx.hotStore.extend(sessionId, Date.now() + 60_000);
    await t.ctx.sessions.sweeper.tick({ scanDatabase: true });
    expect((await t.ctx.hotStore.getSession(sessionId))?.meta.status).toBe('IN_PROGRESS');
  });
});
