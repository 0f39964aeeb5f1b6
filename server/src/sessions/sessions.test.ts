import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { createContext } from '../context.js';
import {
  bearer,
  createClass,
  createStaff,
  createStudent,
  createTestApp,
  login,
  type TestApp,
} from '../../test/harness.js';
import { createPublishedExam, type TestExam } from './test-factories.js';

let t: TestApp;
let classId: string;
let exam: TestExam;

/** A student in the targeted class, signed in. */
async function student(cls: string | null = classId) {
  const s = await createStudent(t.sql, { classId: cls });
  const { accessToken } = await login(t.app, { nisn: s.nisn, password: s.password });
  return { ...s, headers: bearer(accessToken) };
}
type Student = Awaited<ReturnType<typeof student>>;

const start = (who: Student, examId: string, entryToken?: string) =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/exams/${examId}/sessions`,
    headers: who.headers,
    payload: entryToken === undefined ? {} : { entryToken },
  });
const save = (
  who: Student,
  sessionId: string,
  payload: object,
  headers: Record<string, string> = {},
) =>
  t.app.inject({
    method: 'PUT',
    url: `/api/v1/sessions/${sessionId}/answers`,
    headers: { ...who.headers, ...headers },
    payload,
  });
const submit = (who: Student, sessionId: string, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/sessions/${sessionId}/submit`,
    headers: { ...who.headers, ...headers },
  });
const get = (who: Student, url: string) =>
  t.app.inject({ method: 'GET', url, headers: who.headers });

function expectError(
  res: { statusCode: number; json: () => { error: { code: string; message: string } } },
  status: number,
  code: string,
) {
  expect(res.statusCode, JSON.stringify(res.json())).toBe(status);
  expect(res.json().error.code).toBe(code);
  return res.json().error.message;
}

/** Every correct answer of the key, as it would appear if leaked. */
function expectNoCorrectAnswers(body: string) {
  expect(body).not.toMatch(/"correct(Answer)?"/);
}

beforeAll(async () => {
  // No sweeper here: these tests move deadlines by hand and must not race it.
  t = await createTestApp({ ROLES: 'api' });
  classId = (await createClass(t.sql, { gradeLevel: 11, majorCode: 'IPA' })).id;
  exam = await createPublishedExam(t.sql, {
    targets: [{ type: 'CLASS', value: classId }],
    shuffleQuestions: true,
    shuffleOptions: true,
  });
});
afterAll(async () => t?.close());

describe('my exams', () => {
  it('lists targeted exams with my status, and nothing for an untargeted student', async () => {
    const ana = await student();
    const list = (await get(ana, '/api/v1/exams')).json();
    expect(list).toContainEqual(
      expect.objectContaining({
        id: exam.id,
        myStatus: 'NOT_STARTED',
        questionCount: 3,
        durationMinutes: 90,
      }),
    );
    const { sessionId } = (await start(ana, exam.id, exam.entryToken)).json();
    const after = (await get(ana, '/api/v1/exams')).json() as {
      id: string;
      myStatus: string;
      sessionId?: string;
    }[];
    expect(after.find((e) => e.id === exam.id)).toMatchObject({
      myStatus: 'IN_PROGRESS',
      sessionId,
    });
    const outsider = await student(null);
    expect((await get(outsider, '/api/v1/exams')).json()).toEqual([]);
  });

  it('matches GRADE and MAJOR targets through the class', async () => {
    const byGrade = await createPublishedExam(t.sql, { targets: [{ type: 'GRADE', value: '11' }] });
    const byMajor = await createPublishedExam(t.sql, {
      targets: [{ type: 'MAJOR', value: 'IPA' }],
    });
    const ids = ((await get(await student(), '/api/v1/exams')).json() as { id: string }[]).map(
      (e) => e.id,
    );
    expect(ids).toEqual(expect.arrayContaining([byGrade.id, byMajor.id]));
  });
});

describe('start and resume', () => {
  it('starts (201) with the session view, then resumes (200) the same session without the token', async () => {
    const ana = await student();
    const res = await start(ana, exam.id, exam.entryToken.toLowerCase());
    expect(res.statusCode).toBe(201);
    expectNoCorrectAnswers(res.body);
    const view = res.json();
    expect(view).toMatchObject({ examId: exam.id, status: 'IN_PROGRESS', answers: {} });
    expect(Date.parse(view.endsAt) - Date.parse(view.startedAt)).toBe(90 * 60_000);
    expect(Math.abs(Date.parse(view.serverNow) - Date.now())).toBeLessThan(5000);
    expect([...view.questions.map((q: { id: string }) => q.id)].sort()).toEqual(
      [...exam.questionIds].sort(),
    );
    expect(Object.keys(view.questions[0])).toEqual(['id', 'kind', 'text', 'options', 'points']);

    const again = await start(ana, exam.id);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({
      sessionId: view.sessionId,
      questions: view.questions,
      startedAt: view.startedAt,
    });
    expect((await get(ana, `/api/v1/sessions/${view.sessionId}`)).json().questions).toEqual(
      view.questions,
    );
  });

  it('ends at the scheduled end when that comes before start + duration', async () => {
    const scheduledEnd = new Date(Date.now() + 20 * 60_000);
    const short = await createPublishedExam(t.sql, {
      targets: [{ type: 'CLASS', value: classId }],
      scheduledEnd,
    });
    const view = (await start(await student(), short.id, short.entryToken)).json();
    expect(view.endsAt).toBe(scheduledEnd.toISOString());
  });

  it('refuses an untargeted student, a wrong token, and outside the window', async () => {
    expectError(await start(await student(null), exam.id, exam.entryToken), 403, 'NOT_ELIGIBLE');
    expectError(await start(await student(), exam.id, 'WRONG1'), 403, 'BAD_ENTRY_TOKEN');
    expectError(await start(await student(), exam.id), 403, 'BAD_ENTRY_TOKEN');
    const targets = [{ type: 'CLASS' as const, value: classId }];
    const later = await createPublishedExam(t.sql, {
      targets,
      scheduledStart: new Date(Date.now() + 60_000),
      scheduledEnd: new Date(Date.now() + 3_600_000),
    });
    expectError(await start(await student(), later.id, later.entryToken), 409, 'EXAM_NOT_OPEN');
    const closed = await createPublishedExam(t.sql, { targets, status: 'CLOSED' });
    expectError(await start(await student(), closed.id, closed.entryToken), 409, 'EXAM_NOT_OPEN');
    const draft = await createPublishedExam(t.sql, { targets, status: 'DRAFT' });
    expectError(await start(await student(), draft.id, draft.entryToken), 404, 'NOT_FOUND');
  });

  it('two tabs starting at once share one session', async () => {
    const ana = await student();
    const [a, b] = await Promise.all([
      start(ana, exam.id, exam.entryToken),
      start(ana, exam.id, exam.entryToken),
    ]);
    expect(a.json().sessionId).toBe(b.json().sessionId);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 201]);
  });
});

describe('saving answers', () => {
  let ana: Student;
  let sessionId: string;
  const [single, multi, text] = [0, 1, 2];
  beforeAll(async () => {
    ana = await student();
    sessionId = (await start(ana, exam.id, exam.entryToken)).json().sessionId;
  });

  it('saves one answer or a batch; last write wins; the view shows them', async () => {
    const one = await save(ana, sessionId, {
      questionId: exam.questionIds[single],
      answer: 'A',
      clientTs: new Date().toISOString(),
    });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toEqual({ saved: 1, savedAt: expect.any(String) });
    const batch = await save(ana, sessionId, {
      answers: [
        { questionId: exam.questionIds[single], answer: 'B' },
        { questionId: exam.questionIds[multi], answer: ['C', 'A'] },
        { questionId: exam.questionIds[text], answer: 'Light and water make sugar.' },
      ],
    });
    expect(batch.json().saved).toBe(3);
    const view = (await get(ana, `/api/v1/sessions/${sessionId}`)).json();
    expect(view.answers).toEqual({
      [exam.questionIds[single]!]: 'B',
      [exam.questionIds[multi]!]: ['C', 'A'],
      [exam.questionIds[text]!]: 'Light and water make sugar.',
    });
  });

  it('refuses unknown questions and options and wrong shapes with 400 naming the field', async () => {
    const q = exam.questionIds;
    expect(
      expectError(
        await save(ana, sessionId, {
          questionId: '00000000-0000-4000-8000-000000000000',
          answer: 'A',
        }),
        400,
        'VALIDATION_FAILED',
      ),
    ).toContain('questionId');
    expect(
      expectError(
        await save(ana, sessionId, { questionId: q[single], answer: 'Z' }),
        400,
        'VALIDATION_FAILED',
      ),
    ).toContain('"Z"');
    expect(
      expectError(
        await save(ana, sessionId, { questionId: q[single], answer: ['A'] }),
        400,
        'VALIDATION_FAILED',
      ),
    ).toContain('body.answer');
    expect(
      expectError(
        await save(ana, sessionId, {
          answers: [
            { questionId: q[single], answer: 'A' },
            { questionId: q[multi], answer: 'A' },
          ],
        }),
        400,
        'VALIDATION_FAILED',
      ),
    ).toContain('answers[1].answer');
    expectError(
      await save(ana, sessionId, { questionId: q[multi], answer: ['A', 'A'] }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await save(ana, sessionId, { questionId: q[text], answer: 42 }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(
      await save(ana, sessionId, { questionId: q[single], answer: 'A', extra: true }),
      400,
      'VALIDATION_FAILED',
    );
    expectError(await save(ana, sessionId, { questionId: q[single] }), 400, 'VALIDATION_FAILED');
  });

  it('an Idempotency-Key replay returns the first ack and does not overwrite', async () => {
    const q = exam.questionIds[single]!;
    const first = await save(
      ana,
      sessionId,
      { questionId: q, answer: 'C' },
      { 'idempotency-key': 'save-1' },
    );
    await new Promise((r) => setTimeout(r, 5));
    const replay = await save(
      ana,
      sessionId,
      { questionId: q, answer: 'D' },
      { 'idempotency-key': 'save-1' },
    );
    expect(replay.json()).toEqual(first.json());
    expect((await get(ana, `/api/v1/sessions/${sessionId}`)).json().answers[q]).toBe('C');
  });

  it('null clears an answer', async () => {
    const q = exam.questionIds[multi]!;
    await save(ana, sessionId, { questionId: q, answer: null });
    expect((await get(ana, `/api/v1/sessions/${sessionId}`)).json().answers[q]).toBeUndefined();
  });

  it('TIME_UP after endsAt + grace', async () => {
    const bob = await student();
    const id = (await start(bob, exam.id, exam.entryToken)).json().sessionId;
    await t.ctx.hotStore.extend(id, Date.now() - t.config.saveGraceMs - 1000);
    expectError(
      await save(bob, id, { questionId: exam.questionIds[single], answer: 'A' }),
      409,
      'TIME_UP',
    );
  });
});

describe('submit and result', () => {
  it('negative marking: a wrong choice loses its share, a blank and an essay do not, the total stays ≥ 0', async () => {
    const marked = await createPublishedExam(t.sql, {
      targets: [{ type: 'CLASS', value: classId }],
      negativeMarking: 0.5,
    });
    const [single, multi, text] = marked.questionIds;
    const submitWith = async (answers: { questionId: string; answer: string | string[] }[]) => {
      const who = await student();
      const { sessionId } = (await start(who, marked.id, marked.entryToken)).json();
      if (answers.length > 0) await save(who, sessionId, { answers });
      return (await submit(who, sessionId)).json();
    };
    // single (2 points) wrong: −1; multi (4) right: +4; the essay waits for a teacher.
    const mixed = await submitWith([
      { questionId: single!, answer: 'A' },
      { questionId: multi!, answer: ['A', 'C'] },
      { questionId: text!, answer: 'An essay' },
    ]);
    expect(mixed).toMatchObject({ score: 3, maxScore: 11, pendingCount: 1 });
    expect(mixed.breakdown).toContainEqual(
      expect.objectContaining({ questionId: single, correct: false, points: -1 }),
    );
    // Both choices wrong: −1 and −2 per question, but the total is 0, never below.
    const wrong = await submitWith([
      { questionId: single!, answer: 'A' },
      { questionId: multi!, answer: ['B'] },
    ]);
    expect(wrong).toMatchObject({ status: 'SCORED', score: 0, percentage: 0 });
    expect(await submitWith([])).toMatchObject({ status: 'SCORED', score: 0 });
  });

  it('grades at once (immediate policy), is identical when repeated, and closes the session', async () => {
    const ana = await student();
    const { sessionId } = (await start(ana, exam.id, exam.entryToken)).json();
    const [single, multi, text] = exam.questionIds;
    await save(ana, sessionId, {
      answers: [
        { questionId: single, answer: 'B' },
        { questionId: multi, answer: ['A'] },
        { questionId: text, answer: 'essay' },
      ],
    });
    const res = await submit(ana, sessionId);
    expect(res.statusCode).toBe(200);
    const result = res.json();
    expect(result).toMatchObject({
      sessionId,
      status: 'PENDING_REVIEW',
      score: 2,
      maxScore: 11,
      gradedCount: 2,
      pendingCount: 1,
    });
    expect(result.breakdown).toContainEqual(
      expect.objectContaining({
        questionId: single,
        correct: true,
        points: 2,
        correctAnswer: ['B'],
      }),
    );
    expect(result.breakdown).toContainEqual(
      expect.objectContaining({ questionId: text, correct: null, pending: true }),
    );

    expect((await submit(ana, sessionId)).json()).toEqual(result);
    expect((await get(ana, `/api/v1/sessions/${sessionId}/result`)).json()).toEqual(result);
    expectError(
      await save(ana, sessionId, { questionId: single, answer: 'A' }),
      409,
      'SESSION_CLOSED',
    );
    expect((await get(ana, `/api/v1/sessions/${sessionId}`)).json().status).toBe('PENDING_REVIEW');
    const mine = (await get(ana, '/api/v1/exams')).json() as { id: string; myStatus: string }[];
    expect(mine.find((e) => e.id === exam.id)?.myStatus).toBe('PENDING_REVIEW');
  });

  it('SCORED when there is nothing to review; an Idempotency-Key replays the first answer', async () => {
    const mcq = await createPublishedExam(t.sql, {
      targets: [{ type: 'CLASS', value: classId }],
      questions: [
        { kind: 'single', options: ['A', 'B'], correct: ['A'], points: 1 },
        { kind: 'multi', options: ['A', 'B', 'C'], correct: ['A', 'B'], points: 2 },
      ],
      partialCredit: true,
    });
    const ana = await student();
    const { sessionId } = (await start(ana, mcq.id, mcq.entryToken)).json();
    await save(ana, sessionId, { questionId: mcq.questionIds[1], answer: ['A'] });
    const first = await submit(ana, sessionId, { 'idempotency-key': 'sub-1' });
    expect(first.json()).toMatchObject({
      status: 'SCORED',
      score: 1,
      maxScore: 3,
      percentage: 33.33,
      pendingCount: 0,
    });
    expect((await submit(ana, sessionId, { 'idempotency-key': 'sub-1' })).json()).toEqual(
      first.json(),
    );
  });

  it('after_close hides the score until the exam ends; manual until staff release it', async () => {
    const scheduledEnd = new Date(Date.now() + 30 * 60_000);
    const later = await createPublishedExam(t.sql, {
      targets: [{ type: 'CLASS', value: classId }],
      resultPolicy: 'after_close',
      scheduledEnd,
    });
    const ana = await student();
    const { sessionId } = (await start(ana, later.id, later.entryToken)).json();
    const hidden = await submit(ana, sessionId);
    expectNoCorrectAnswers(hidden.body);
    expect(hidden.json()).toEqual({
      sessionId,
      status: 'SUBMITTED',
      submittedAt: expect.any(String),
      resultAvailableAt: scheduledEnd.toISOString(),
    });

    const manual = await createPublishedExam(t.sql, {
      targets: [{ type: 'CLASS', value: classId }],
      resultPolicy: 'manual',
    });
    const { sessionId: s2 } = (await start(ana, manual.id, manual.entryToken)).json();
    const held = await submit(ana, s2);
    expect(held.json()).toMatchObject({ status: 'SUBMITTED', resultAvailableAt: null });
    expect(held.json().score).toBeUndefined();
    expectNoCorrectAnswers((await get(ana, `/api/v1/sessions/${s2}/result`)).body);
  });

  it('result of a session still in progress is a conflict', async () => {
    const ana = await student();
    const { sessionId } = (await start(ana, exam.id, exam.entryToken)).json();
    expectError(await get(ana, `/api/v1/sessions/${sessionId}/result`), 409, 'CONFLICT');
  });
});

describe('ownership and signals', () => {
  it("another student's session is not visible (404) on every route", async () => {
    const ana = await student();
    const mallory = await student();
    const { sessionId } = (await start(ana, exam.id, exam.entryToken)).json();
    expectError(await get(mallory, `/api/v1/sessions/${sessionId}`), 404, 'NOT_FOUND');
    expectError(
      await save(mallory, sessionId, { questionId: exam.questionIds[0], answer: 'A' }),
      404,
      'NOT_FOUND',
    );
    expectError(await submit(mallory, sessionId), 404, 'NOT_FOUND');
    expectError(await get(mallory, `/api/v1/sessions/${sessionId}/result`), 404, 'NOT_FOUND');
    const signal = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${sessionId}/signals`,
      headers: mallory.headers,
      payload: { type: 'blur', at: new Date().toISOString() },
    });
    expectError(signal, 404, 'NOT_FOUND');
    expect((await get(ana, `/api/v1/sessions/${sessionId}`)).json().status).toBe('IN_PROGRESS');
  });

  it('records anti-cheat signals (202) in session_events', async () => {
    const ana = await student();
    const { sessionId } = (await start(ana, exam.id, exam.entryToken)).json();
    for (const type of ['blur', 'paste', 'fullscreen_exit']) {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/sessions/${sessionId}/signals`,
        headers: ana.headers,
        payload: { type, at: new Date().toISOString() },
      });
      expect(res.statusCode).toBe(202);
    }
    const bad = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${sessionId}/signals`,
      headers: ana.headers,
      payload: { type: 'screenshot', at: new Date().toISOString() },
    });
    expectError(bad, 400, 'VALIDATION_FAILED');
    await t.ctx.hotStore.flush();
    const rows = await t.sql`SELECT type FROM session_events WHERE session_id = ${sessionId}`;
    expect(rows.map((r) => r['type']).sort()).toEqual(['blur', 'fullscreen_exit', 'paste']);
  });

  it('student routes need a student token', async () => {
    expectError(
      await t.app.inject({ method: 'GET', url: '/api/v1/exams' }),
      401,
      'UNAUTHENTICATED',
    );
    const staff = await createStaff(t.sql);
    const { accessToken } = await login(t.app, { email: staff.email, password: staff.password });
    expectError(
      await t.app.inject({ method: 'GET', url: '/api/v1/exams', headers: bearer(accessToken) }),
      403,
      'FORBIDDEN',
    );
  });

  it('reports the hot store and persist lag in readiness', async () => {
    const ready = (await t.app.inject({ method: 'GET', url: '/health/ready' })).json();
    expect(ready.checks).toMatchObject({
      hotStore: `ok (${t.ctx.hotStore.kind})`,
      persistLag: { pending: expect.any(Number), oldestMs: expect.any(Number) },
    });
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain('examhall_answer_saves_total{transport="http"}');
    if (t.ctx.hotStore.kind === 'memory')
      expect(metrics).toContain('examhall_group_commit_rows_bucket');
    else expect(metrics).toContain('examhall_log_pending_entries');
  });
});

describe('after a crash', () => {
  it('a fresh process rebuilds every acknowledged answer from PostgreSQL and grades them', async () => {
    const ana = await student();
    const { sessionId } = (await start(ana, exam.id, exam.entryToken)).json();
    const [single, multi] = exam.questionIds;
    expect((await save(ana, sessionId, { questionId: single, answer: 'B' })).statusCode).toBe(200);
    expect((await save(ana, sessionId, { questionId: multi, answer: ['A', 'C'] })).statusCode).toBe(
      200,
    );

    // A second process on the same database: its RAM has never seen this session.
    const ctx = createContext({
      config: t.config,
      sql: t.sql,
      logger: pino({ level: 'silent' }),
      jwtSecret: randomBytes(32).toString('hex'),
    });
    const restarted = await buildApp(ctx);
    await restarted.ready();
    try {
      const again = await login(restarted, { nisn: ana.nisn, password: ana.password });
      const headers = bearer(again.accessToken);
      const resumed = await restarted.inject({
        method: 'POST',
        url: `/api/v1/exams/${exam.id}/sessions`,
        headers,
        payload: {},
      });
      expect(resumed.statusCode).toBe(200);
      expect(resumed.json()).toMatchObject({
        sessionId,
        status: 'IN_PROGRESS',
        answers: { [single!]: 'B', [multi!]: ['A', 'C'] },
      });
      const result = (
        await restarted.inject({
          method: 'POST',
          url: `/api/v1/sessions/${sessionId}/submit`,
          headers,
        })
      ).json();
      expect(result).toMatchObject({ status: 'SCORED', score: 6 });
    } finally {
      await restarted.close();
    }
  });
});
