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
import { createPublishedExam, type ExamSpec, type TestExam } from './test-factories.js';

let t: TestApp;
let classId: string;

type Headers = { authorization: string };

async function staffAs(role: 'Admin' | 'Teacher' | 'Proctor') {
  const s = await createStaff(t.sql, { role });
  const { accessToken } = await login(t.app, { email: s.email, password: s.password });
  return { id: s.id, headers: bearer(accessToken) };
}

async function studentIn(exam: TestExam) {
  const s = await createStudent(t.sql, { classId });
  const { accessToken } = await login(t.app, { nisn: s.nisn, password: s.password });
  const headers = bearer(accessToken);
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/exams/${exam.id}/sessions`,
    headers,
    payload: { entryToken: exam.entryToken },
  });
  return { headers, sessionId: res.json().sessionId as string };
}

const examFor = (authorId: string, spec: ExamSpec = {}) =>
  createPublishedExam(t.sql, { authorId, targets: [{ type: 'CLASS', value: classId }], ...spec });
const extend = (headers: Headers, sessionId: string, minutes: number) =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/admin/sessions/${sessionId}/extend`,
    headers,
    payload: { minutes },
  });
const grade = (headers: Headers, sessionId: string, questionId: string, points: number) =>
  t.app.inject({
    method: 'PUT',
    url: `/api/v1/admin/sessions/${sessionId}/answers/${questionId}/grade`,
    headers,
    payload: { points },
  });
const submit = (headers: Headers, sessionId: string) =>
  t.app.inject({ method: 'POST', url: `/api/v1/sessions/${sessionId}/submit`, headers });

beforeAll(async () => {
  t = await createTestApp({ ROLES: 'api' });
  classId = (await createClass(t.sql)).id;
});
afterAll(async () => t?.close());

describe("a student's paper", () => {
  const review = (headers: Headers, sessionId: string) =>
    t.app.inject({ method: 'GET', url: `/api/v1/admin/sessions/${sessionId}`, headers });

  it("shows answers in authored order with the key and the points awarded, to the exam's readers only", async () => {
    const author = await staffAs('Teacher');
    const exam = await examFor(author.id);
    const student = await studentIn(exam);
    const [single, multi, text] = exam.questionIds as [string, string, string];
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/sessions/${student.sessionId}/answers`,
      headers: student.headers,
      payload: {
        answers: [
          { questionId: single, answer: 'B' },
          { questionId: text, answer: 'Light makes sugar.' },
        ],
      },
    });

    const during = (await review(author.headers, student.sessionId)).json();
    expect(during).toMatchObject({
      status: 'IN_PROGRESS',
      score: null,
      maxScore: 11,
      pendingCount: 0,
      submittedAt: null,
      canGrade: true,
    });
    expect(during.studentName).toMatch(/^Student /);
    expect(during.nisn).toMatch(/^\d+$/);
    expect(during.answers.map((a: { questionId: string }) => a.questionId)).toEqual([
      single,
      multi,
      text,
    ]);
    expect(during.answers[0]).toMatchObject({
      position: 1,
      kind: 'single',
      answer: 'B',
      correctAnswer: ['B'],
      maxPoints: 2,
      awardedPoints: null,
    });
    expect(during.answers[1]).toMatchObject({ answer: null, correctAnswer: ['A', 'C'] });

    await submit(student.headers, student.sessionId);
    const after = (await review(author.headers, student.sessionId)).json();
    expect(after).toMatchObject({
      status: 'PENDING_REVIEW',
      score: 2,
      pendingCount: 1,
      submittedAt: expect.any(String),
    });
    expect(
      after.answers.map((a: { awardedPoints: number | null; pending: boolean }) => [
        a.awardedPoints,
        a.pending,
      ]),
    ).toEqual([
      [2, false],
      [0, false],
      [null, true],
    ]);
    expect((await grade(author.headers, student.sessionId, text, 4)).statusCode).toBe(200);
    expect((await review(author.headers, student.sessionId)).json()).toMatchObject({
      status: 'SCORED',
      score: 6,
      pendingCount: 0,
    });

    const proctor = await staffAs('Proctor');
    const asProctor = await review(proctor.headers, student.sessionId);
    expect(asProctor.statusCode).toBe(200);
    expect(asProctor.json().canGrade).toBe(false);
    const stranger = await staffAs('Teacher');
    expect((await review(stranger.headers, student.sessionId)).statusCode).toBe(404);
    expect((await review(student.headers as Headers, student.sessionId)).statusCode).toBe(403);
  });
});

describe('extend time', () => {
  it("moves the author's student's deadline; a proctor may too; another teacher sees nothing", async () => {
    const author = await staffAs('Teacher');
    const exam = await examFor(author.id);
    const { headers, sessionId } = await studentIn(exam);
    const before = (
      await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}`, headers })
    ).json().endsAt as string;

    const res = await extend(author.headers, sessionId, 10);
    expect(res.statusCode).toBe(200);
    expect(Date.parse(res.json().endsAt) - Date.parse(before)).toBe(10 * 60_000);
    expect((await extend((await staffAs('Proctor')).headers, sessionId, 5)).statusCode).toBe(200);
    expect((await extend((await staffAs('Teacher')).headers, sessionId, 5)).statusCode).toBe(404);
    const after = (
      await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}`, headers })
    ).json().endsAt;
    expect(Date.parse(after) - Date.parse(before)).toBe(15 * 60_000);
  });

  it('is refused once submitted, and for unknown sessions', async () => {
    const admin = await staffAs('Admin');
    const exam = await examFor(admin.id);
    const { headers, sessionId } = await studentIn(exam);
    await submit(headers, sessionId);
    expect((await extend(admin.headers, sessionId, 5)).json().error.code).toBe('SESSION_CLOSED');
    expect(
      (await extend(admin.headers, '00000000-0000-4000-8000-000000000000', 5)).statusCode,
    ).toBe(404);
    expect((await extend(admin.headers, sessionId, 0)).statusCode).toBe(400);
  });
});

describe('manual grading', () => {
  it('settles text answers one by one; SCORED with the final score when none is pending', async () => {
    const author = await staffAs('Teacher');
    const exam = await examFor(author.id, {
      questions: [
        { kind: 'single', options: ['A', 'B'], correct: ['A'], points: 2 },
        { kind: 'text', points: 5 },
        { kind: 'text', points: 3 },
      ],
    });
    const [single, essay1, essay2] = exam.questionIds as [string, string, string];
    const { headers, sessionId } = await studentIn(exam);
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/sessions/${sessionId}/answers`,
      headers,
      payload: {
        answers: [
          { questionId: single, answer: 'A' },
          { questionId: essay1, answer: 'one' },
          { questionId: essay2, answer: 'two' },
        ],
      },
    });
    expect((await submit(headers, sessionId)).json()).toMatchObject({
      status: 'PENDING_REVIEW',
      score: 2,
      pendingCount: 2,
    });

    const first = await grade(author.headers, sessionId, essay1, 4);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      status: 'PENDING_REVIEW',
      score: 6,
      pendingCount: 1,
      gradedCount: 2,
    });
    const last = await grade(author.headers, sessionId, essay2, 3);
    expect(last.json()).toMatchObject({
      status: 'SCORED',
      score: 9,
      maxScore: 10,
      percentage: 90,
      pendingCount: 0,
    });

    const result = (
      await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}/result`, headers })
    ).json();
    expect(result).toMatchObject({ status: 'SCORED', score: 9 });
    expect(
      result.breakdown.find((b: { questionId: string }) => b.questionId === essay2),
    ).toMatchObject({ correct: true, points: 3, pending: false });
    const [row] =
      await t.sql`SELECT awarded_points::float AS p, graded_by AS by FROM session_answers WHERE session_id = ${sessionId} AND question_id = ${essay1}`;
    expect(row).toEqual({ p: 4, by: author.id });
    const [s] =
      await t.sql`SELECT status, score::float AS score FROM exam_sessions WHERE id = ${sessionId}`;
    expect(s).toEqual({ status: 'SCORED', score: 9 });
  });

  it('checks the points, the question kind, the session state and who grades', async () => {
    const author = await staffAs('Teacher');
    const exam = await examFor(author.id);
    const [single, , essay] = exam.questionIds as [string, string, string];
    const { headers, sessionId } = await studentIn(exam);
    expect((await grade(author.headers, sessionId, essay, 1)).json().error.code).toBe('CONFLICT');
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/sessions/${sessionId}/answers`,
      headers,
      payload: { questionId: essay, answer: 'text' },
    });
    await submit(headers, sessionId);
    expect((await grade(author.headers, sessionId, essay, 6)).json().error.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await grade(author.headers, sessionId, essay, -1)).json().error.code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await grade(author.headers, sessionId, single, 1)).json().error.code).toBe('CONFLICT');
    expect(
      (await grade(author.headers, sessionId, '00000000-0000-4000-8000-000000000000', 1))
        .statusCode,
    ).toBe(404);
    expect((await grade((await staffAs('Teacher')).headers, sessionId, essay, 1)).statusCode).toBe(
      404,
    );
    expect(
      (await grade((await staffAs('Proctor')).headers, sessionId, essay, 1)).json().error.code,
    ).toBe('FORBIDDEN');
    expect(
      (await grade((await staffAs('Admin')).headers, sessionId, essay, 5)).json(),
    ).toMatchObject({ status: 'SCORED', score: 5 });
  });
});

describe('releasing results (resultPolicy manual)', () => {
  it('hides scores until released, then shows them', async () => {
    const author = await staffAs('Teacher');
    const exam = await examFor(author.id, {
      resultPolicy: 'manual',
      questions: [{ kind: 'single', options: ['A', 'B'], correct: ['B'], points: 1 }],
    });
    const { headers, sessionId } = await studentIn(exam);
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/sessions/${sessionId}/answers`,
      headers,
      payload: { questionId: exam.questionIds[0], answer: 'B' },
    });
    expect((await submit(headers, sessionId)).json()).toMatchObject({
      status: 'SUBMITTED',
      resultAvailableAt: null,
    });

    const release = (h: Headers) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/admin/exams/${exam.id}/results/release`,
        headers: h,
      });
    expect((await release((await staffAs('Teacher')).headers)).statusCode).toBe(404);
    expect((await release((await staffAs('Proctor')).headers)).statusCode).toBe(403);
    const res = await release(author.headers);
    expect(res.statusCode).toBe(200);
    expect((await release(author.headers)).json().resultsReleasedAt).toBe(
      res.json().resultsReleasedAt,
    );

    const result = (
      await t.app.inject({ method: 'GET', url: `/api/v1/sessions/${sessionId}/result`, headers })
    ).json();
    expect(result).toMatchObject({
      status: 'SCORED',
      score: 1,
      breakdown: [expect.objectContaining({ correctAnswer: ['B'] })],
    });
  });

  it('is a conflict for other policies', async () => {
    const admin = await staffAs('Admin');
    const exam = await examFor(admin.id, { resultPolicy: 'immediate' });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/exams/${exam.id}/results/release`,
      headers: admin.headers,
    });
    expect(res.json().error.code).toBe('CONFLICT');
  });
});

describe('the publish handshake with authoring', () => {
  it('an exam built and published through the staff API is taken and graded by a student', async () => {
    const teacher = await staffAs('Teacher');
    const post = (url: string, payload?: object) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/admin${url}`,
        headers: teacher.headers,
        ...(payload ? { payload } : {}),
      });
    const q1 = await post('/questions', {
      kind: 'single',
      text: '<p>Capital of France?</p>',
      options: [
        { id: 'A', text: 'Paris' },
        { id: 'B', text: 'Rome' },
      ],
      correct: ['A'],
      points: 3,
    });
    expect(q1.statusCode, q1.body).toBe(201);
    const now = Date.now();
    const created = await post('/exams', {
      title: 'Geography',
      scheduledStart: new Date(now - 60_000).toISOString(),
      scheduledEnd: new Date(now + 3_600_000).toISOString(),
      durationMinutes: 30,
      targets: [{ type: 'CLASS', value: classId }],
      questions: [{ questionId: q1.json().id }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const examId = created.json().id as string;
    expect((await post(`/exams/${examId}/publish`)).statusCode).toBe(200);
    const entryToken = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/admin/exams/${examId}`,
        headers: teacher.headers,
      })
    ).json().entryToken as string;

    const s = await createStudent(t.sql, { classId });
    const headers = bearer(
      (await login(t.app, { nisn: s.nisn, password: s.password })).accessToken,
    );
    const start = await t.app.inject({
      method: 'POST',
      url: `/api/v1/exams/${examId}/sessions`,
      headers,
      payload: { entryToken },
    });
    expect(start.statusCode, start.body).toBe(201);
    expect(start.body).not.toContain('correct');
    const sessionId = start.json().sessionId as string;
    await t.app.inject({
      method: 'PUT',
      url: `/api/v1/sessions/${sessionId}/answers`,
      headers,
      payload: { questionId: q1.json().id, answer: 'A' },
    });
    expect((await submit(headers, sessionId)).json()).toMatchObject({
      status: 'SCORED',
      score: 3,
      maxScore: 3,
    });

    // Rotating the token reaches the hot copy at once (onExamChanged).
    const rotated = await post(`/exams/${examId}/token`);
    expect(rotated.statusCode).toBe(200);
    const other = await createStudent(t.sql, { classId });
    const otherHeaders = bearer(
      (await login(t.app, { nisn: other.nisn, password: other.password })).accessToken,
    );
    const stale = await t.app.inject({
      method: 'POST',
      url: `/api/v1/exams/${examId}/sessions`,
      headers: otherHeaders,
      payload: { entryToken },
    });
    expect(stale.json().error.code).toBe('BAD_ENTRY_TOKEN');
    // Closing it does too, and ends sessions still being written (reason STAFF).
    const writing = await t.app.inject({
      method: 'POST',
      url: `/api/v1/exams/${examId}/sessions`,
      headers: otherHeaders,
      payload: { entryToken: rotated.json().entryToken },
    });
    expect(writing.statusCode).toBe(201);
    expect((await post(`/exams/${examId}/close`)).statusCode).toBe(200);
    for (let i = 0; i < 50; i += 1) {
      const [row] =
        await t.sql`SELECT status FROM exam_sessions WHERE id = ${writing.json().sessionId} AND result IS NOT NULL`;
      if (row) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const [ended] =
      await t.sql`SELECT status, submit_reason AS reason FROM exam_sessions WHERE id = ${writing.json().sessionId}`;
    expect(ended).toEqual({ status: 'SCORED', reason: 'STAFF' });
    const third = await createStudent(t.sql, { classId });
    const thirdHeaders = bearer(
      (await login(t.app, { nisn: third.nisn, password: third.password })).accessToken,
    );
    const closed = await t.app.inject({
      method: 'POST',
      url: `/api/v1/exams/${examId}/sessions`,
      headers: thirdHeaders,
      payload: { entryToken: rotated.json().entryToken },
    });
    expect(closed.json().error.code).toBe('EXAM_NOT_OPEN');
  });
});
