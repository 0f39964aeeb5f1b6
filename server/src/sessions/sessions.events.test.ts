import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createClass,
  createStaff,
  createStudent,
  createTestApp,
  login,
  type TestApp,
} from '../../test/harness.js';
import { ExamClosed, ExamPublished, type ExamLifecycleEvent } from '../exams/exams.events.js';
import { SessionScored, type SessionScoredEvent } from './sessions.events.js';
import { createPublishedExam, type ExamSpec } from './test-factories.js';

/**
 * Domain events on the bus: `session.scored` once per recorded result (at submit when graded
 * at once, when a teacher finishes grading otherwise), `exam.published` and `exam.closed`.
 */
let t: TestApp;
let classId: string;
let staff: Record<string, string>;
const scored: SessionScoredEvent[] = [];
const lifecycle: (ExamLifecycleEvent & { what: string })[] = [];

beforeAll(async () => {
  t = await createTestApp({ ROLES: 'api' });
  classId = (await createClass(t.sql)).id;
  const admin = await createStaff(t.sql);
  staff = bearer(
    (await login(t.app, { email: admin.email, password: admin.password })).accessToken,
  );
  t.ctx.bus.subscribe(SessionScored, (e) => void scored.push(e));
  t.ctx.bus.subscribe(ExamPublished, (e) => void lifecycle.push({ ...e, what: 'published' }));
  t.ctx.bus.subscribe(ExamClosed, (e) => void lifecycle.push({ ...e, what: 'closed' }));
});
afterAll(async () => t?.close());

async function sitting(questions: ExamSpec['questions']) {
  const exam = await createPublishedExam(t.sql, {
    targets: [{ type: 'CLASS', value: classId }],
    questions,
  });
  const s = await createStudent(t.sql, { classId });
  const headers = bearer((await login(t.app, { nisn: s.nisn, password: s.password })).accessToken);
  const started = await t.app.inject({
    method: 'POST',
    url: `/api/v1/exams/${exam.id}/sessions`,
    headers,
    payload: { entryToken: exam.entryToken },
  });
  return { exam, student: s, headers, sessionId: started.json<{ sessionId: string }>().sessionId };
}

describe('domain events', () => {
  it('session.scored: once for a session graded at submit, however often it is submitted', async () => {
    const { exam, student, headers, sessionId } = await sitting([
      { kind: 'single', options: ['A', 'B'], correct: ['B'], points: 3 },
    ]);
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/sessions/${sessionId}/answers`,
      headers,
      payload: { questionId: exam.questionIds[0], answer: 'B' },
    });
    const first = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${sessionId}/submit`,
      headers,
    });
    await t.app.inject({ method: 'POST', url: `/api/v1/sessions/${sessionId}/submit`, headers });
    await expect
      .poll(() => scored.filter((e) => e.sessionId === sessionId))
      .toEqual([
        {
          sessionId,
          examId: exam.id,
          studentId: student.id,
          score: 3,
          maxScore: 3,
          percentage: 100,
          submittedAt: first.json<{ submittedAt: string }>().submittedAt,
          // a first grading's version is its submission time
          version: Date.parse(first.json<{ submittedAt: string }>().submittedAt),
        },
      ]);
    await new Promise((r) => setTimeout(r, 50));
    expect(scored.filter((e) => e.sessionId === sessionId)).toHaveLength(1);
  });

  it('session.scored: not while a written answer waits for a teacher; once the teacher has graded it', async () => {
    const { exam, headers, sessionId } = await sitting([{ kind: 'text', points: 4 }]);
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/sessions/${sessionId}/answers`,
      headers,
      payload: { questionId: exam.questionIds[0], answer: 'photosynthesis' },
    });
    await t.app.inject({ method: 'POST', url: `/api/v1/sessions/${sessionId}/submit`, headers });
    await new Promise((r) => setTimeout(r, 50));
    expect(scored.filter((e) => e.sessionId === sessionId)).toEqual([]);
    const graded = await t.app.inject({
      method: 'PUT',
      url: `/api/v1/admin/sessions/${sessionId}/answers/${exam.questionIds[0]}/grade`,
      headers: staff,
      payload: { points: 3 },
    });
    expect(graded.statusCode, graded.body).toBe(200);
    await expect
      .poll(() => scored.filter((e) => e.sessionId === sessionId))
      .toMatchObject([{ score: 3, maxScore: 4 }]);
  });

  it('exam.published and exam.closed, once each', async () => {
    const draft = await createPublishedExam(t.sql, {
      status: 'DRAFT',
      targets: [{ type: 'CLASS', value: classId }],
    });
    for (const step of ['publish', 'publish', 'close', 'close']) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/admin/exams/${draft.id}/${step}`,
        headers: staff,
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    await expect
      .poll(() => lifecycle.filter((e) => e.examId === draft.id).map((e) => e.what))
      .toEqual(['published', 'closed']);
  });
});
