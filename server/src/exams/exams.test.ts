import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Exam } from '../../../contracts/exams.js';
import type { AnswerKey, PublishedExam } from '../../../contracts/published-exam.js';
import type { Question } from '../../../contracts/questions.js';
import {
  bearer,
  createClass,
  createStaff,
  createStudent,
  createTestApp,
  login,
  type TestApp,
} from '../../test/harness.js';
import { createExamsService } from './exams.service.js';

type Who = 'teacher' | 'other' | 'admin' | 'proctor';
let t: TestApp;
const tokens = {} as Record<Who, string>;
let qs: Question[] = [];
let classId: string;
let studentId: string;

beforeAll(async () => {
  t = await createTestApp();
  for (const [who, role] of [
    ['teacher', 'Teacher'],
    ['other', 'Teacher'],
    ['admin', 'Admin'],
    ['proctor', 'Proctor'],
  ] as const) {
    const s = await createStaff(t.sql, { role });
    tokens[who] = (await login(t.app, { email: s.email, password: s.password })).accessToken;
  }
  classId = (await createClass(t.sql, { gradeLevel: 10, majorCode: 'IPA' })).id;
  studentId = (await createStudent(t.sql, { classId })).id;
  qs = [];
  for (const body of [
    {
      kind: 'single',
      text: '<p>2+2?</p>',
      options: [
        { id: 'A', text: '3' },
        { id: 'B', text: '4' },
      ],
      correct: ['B'],
      explanation: 'SECRET-EXPLANATION',
    },
    {
      kind: 'multi',
      text: '<p>Primes?</p>',
      options: [
        { id: 'A', text: '2' },
        { id: 'B', text: '4' },
        { id: 'C', text: '5' },
      ],
      correct: ['A', 'C'],
      points: 2,
    },
    { kind: 'text', text: '<p>Why?</p>', points: 5 },
  ])
    qs.push((await api('POST', '/questions', 'teacher', body)).json() as Question);
});
afterAll(async () => t?.close());

function api(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, who: Who, payload?: object) {
  return t.app.inject({
    method,
    url: `/api/v1/admin${url}`,
    headers: bearer(tokens[who]),
    ...(payload ? { payload } : {}),
  });
}

const hour = 3_600_000;
const draft = (extra: object = {}) => ({
  title: 'Math midterm',
  description: '<p>Calculators allowed</p>',
  scheduledStart: new Date(Date.now() - hour).toISOString(),
  scheduledEnd: new Date(Date.now() + 2 * hour).toISOString(),
  durationMinutes: 60,
  targets: [
    { type: 'CLASS', value: classId },
    { type: 'GRADE', value: '10' },
  ],
  questions: [
    { questionId: qs[1]!.id, points: 4 },
    { questionId: qs[0]!.id },
    { questionId: qs[2]!.id },
  ],
  ...extra,
});

async function createExam(who: Who = 'teacher', extra: object = {}): Promise<Exam> {
  const res = await api('POST', '/exams', who, draft(extra));
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as Exam;
}

describe('exam CRUD', () => {
  it('creates a DRAFT with a generated token, ordered questions and targets', async () => {
    const exam = await createExam();
    expect(exam).toMatchObject({
      title: 'Math midterm',
      status: 'DRAFT',
      durationMinutes: 60,
      questionCount: 3,
      resultPolicy: 'immediate',
      shuffleQuestions: false,
      shuffleOptions: false,
      partialCredit: false,
      publishedAt: null,
      questions: [
        { questionId: qs[1]!.id, points: 4 },
        { questionId: qs[0]!.id },
        { questionId: qs[2]!.id },
      ],
      targets: [
        { type: 'CLASS', value: classId },
        { type: 'GRADE', value: '10' },
      ],
    });
    expect(exam.entryToken).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}$/);
    expect((await api('GET', `/exams/${exam.id}`, 'teacher')).json()).toEqual(exam);
  });

  it('validates targets, questions and the window, naming the field', async () => {
    const cases: [object, RegExp][] = [
      [
        { targets: [{ type: 'CLASS', value: '00000000-0000-4000-8000-000000000000' }] },
        /targets\[0\]\.value: no class/,
      ],
      [
        {
          targets: [
            { type: 'GRADE', value: '10' },
            { type: 'GRADE', value: '0' },
          ],
        },
        /targets\[1\]\.value must be a grade/,
      ],
      [
        { targets: [{ type: 'MAJOR', value: 'NOPE' }] },
        /targets\[0\]\.value: no class has the major NOPE/,
      ],
      [{ targets: [{ type: 'STUDENT', value: classId }] }, /targets\[0\]\.value: no student/],
      [{ targets: [{ type: 'ROOM', value: 'x' }] }, /targets/],
      [
        { questions: [{ questionId: qs[0]!.id }, { questionId: qs[0]!.id }] },
        /questions\[1\]\.questionId is listed twice/,
      ],
      [
        { questions: [{ questionId: '00000000-0000-4000-8000-000000000000' }] },
        /questions\[0\]\.questionId: no question/,
      ],
      [
        { scheduledEnd: new Date(Date.now() - 2 * hour).toISOString() },
        /scheduledEnd must be after scheduledStart/,
      ],
      [{ durationMinutes: 0 }, /durationMinutes/],
      [{ surprise: 1 }, /additional properties/],
    ];
    for (const [extra, message] of cases) {
      const res = await api('POST', '/exams', 'teacher', draft(extra));
      expect(res.statusCode, JSON.stringify(extra)).toBe(400);
      expect(res.json().error).toEqual({
        code: 'VALIDATION_FAILED',
        message: expect.stringMatching(message),
      });
    }
    const ok = await createExam('teacher', {
      targets: [
        { type: 'MAJOR', value: 'IPA' },
        { type: 'STUDENT', value: studentId },
      ],
    });
    expect(ok.targets).toEqual([
      { type: 'MAJOR', value: 'IPA' },
      { type: 'STUDENT', value: studentId },
    ]);
  });

  it("hides another teacher's exam (404) while an admin manages it; a proctor only reads", async () => {
    const exam = await createExam('teacher');
    for (const [method, url, body] of [
      ['GET', `/exams/${exam.id}`],
      ['PATCH', `/exams/${exam.id}`, { title: 'Mine now' }],
      ['DELETE', `/exams/${exam.id}`],
      ['POST', `/exams/${exam.id}/publish`],
      ['POST', `/exams/${exam.id}/token`],
      ['GET', `/exams/${exam.id}/sessions`],
    ] as const) {
      const res = await api(method, url, 'other', body);
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await api('GET', '/exams', 'other')).json().items.map((e: Exam) => e.id)).not.toContain(
      exam.id,
    );
    expect((await api('GET', '/exams', 'teacher')).json().items.map((e: Exam) => e.id)).toContain(
      exam.id,
    );

    expect(
      (await api('PATCH', `/exams/${exam.id}`, 'admin', { title: 'Renamed by admin' })).json()
        .title,
    ).toBe('Renamed by admin');
    expect(
      (await api('GET', '/exams?search=renamed', 'admin')).json().items.map((e: Exam) => e.id),
    ).toContain(exam.id);

    expect((await api('GET', `/exams/${exam.id}`, 'proctor')).statusCode).toBe(200);
    expect((await api('PATCH', `/exams/${exam.id}`, 'proctor', { title: 'x' })).statusCode).toBe(
      403,
    );
  });

  it('edits a draft freely and deletes only drafts', async () => {
    const exam = await createExam();
    const edited = (
      await api('PATCH', `/exams/${exam.id}`, 'teacher', {
        questions: [{ questionId: qs[0]!.id, points: 10 }],
        shuffleOptions: true,
        description: '<p>x</p><script>y</script>',
      })
    ).json() as Exam;
    expect(edited).toMatchObject({
      questionCount: 1,
      questions: [{ questionId: qs[0]!.id, points: 10 }],
      shuffleOptions: true,
      description: '<p>x</p>',
    });
    expect((await api('DELETE', `/exams/${exam.id}`, 'teacher')).statusCode).toBe(204);
    expect((await api('GET', `/exams/${exam.id}`, 'teacher')).statusCode).toBe(404);
  });
});

describe('the leaderboard setting', () => {
  it('defaults to off, is set on create or update until the exam closes, and is read back', async () => {
    const plain = await createExam('teacher');
    expect(plain.leaderboard).toEqual({ enabled: false, visibility: 'staff' });
    const exam = await createExam('teacher', {
      leaderboard: { enabled: true, visibility: 'anonymous' },
    });
    expect(exam.leaderboard).toEqual({ enabled: true, visibility: 'anonymous' });
    expect((await api('POST', `/exams/${exam.id}/publish`, 'teacher')).statusCode).toBe(200);
    // Published: still settable; visibility is kept when only `enabled` is sent.
    const off = await api('PATCH', `/exams/${exam.id}`, 'teacher', {
      leaderboard: { enabled: false },
    });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json<Exam>().leaderboard).toEqual({ enabled: false, visibility: 'anonymous' });
    const bad = await api('PATCH', `/exams/${exam.id}`, 'teacher', {
      leaderboard: { enabled: true, visibility: 'everyone' },
    });
    expect(bad.statusCode).toBe(400);
    expect((await api('POST', `/exams/${exam.id}/close`, 'teacher')).statusCode).toBe(200);
    const closed = await api('PATCH', `/exams/${exam.id}`, 'teacher', {
      leaderboard: { enabled: true },
    });
    expect(closed.statusCode).toBe(409);
    expect(closed.json<{ error: { message: string } }>().error.message).toMatch(/leaderboard/);
    expect((await api('GET', `/exams/${exam.id}`, 'teacher')).json<Exam>().leaderboard).toEqual({
      enabled: false,
      visibility: 'anonymous',
    });
  });
});

describe('negative marking', () => {
  it('defaults to off, is set while a draft, frozen into the payload at publish, and refused after', async () => {
    expect((await createExam('teacher')).negativeMarking).toBe(0);
    const exam = await createExam('teacher', { negativeMarking: 0.25 });
    expect(exam.negativeMarking).toBe(0.25);
    for (const bad of [-0.1, 1.5, '0.5']) {
      const res = await api('PATCH', `/exams/${exam.id}`, 'teacher', { negativeMarking: bad });
      expect(res.statusCode, String(bad)).toBe(400);
    }
    const changed = await api('PATCH', `/exams/${exam.id}`, 'teacher', { negativeMarking: 0.5 });
    expect(changed.json<Exam>().negativeMarking).toBe(0.5);
    expect((await api('POST', `/exams/${exam.id}/publish`, 'teacher')).statusCode).toBe(200);
    const [row] = await t.sql<{ payload: PublishedExam }[]>`
      SELECT published_payload AS payload FROM exams WHERE id = ${exam.id}`;
    expect(row!.payload.negativeMarking).toBe(0.5);
    const frozen = await api('PATCH', `/exams/${exam.id}`, 'teacher', { negativeMarking: 0 });
    expect(frozen.statusCode).toBe(409);
    expect(frozen.json<{ error: { message: string } }>().error.message).toMatch(/negativeMarking/);
    // The same value sent back is no change.
    const same = await api('PATCH', `/exams/${exam.id}`, 'teacher', { negativeMarking: 0.5 });
    expect(same.statusCode).toBe(200);
  });
});

describe('publish', () => {
  it('stores a payload with no correct answers anywhere, and the key beside it', async () => {
    const exam = await createExam('teacher', { resultPolicy: 'after_close' });
    const res = await api('POST', `/exams/${exam.id}/publish`, 'teacher');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'PUBLISHED', publishedAt: expect.any(String) });

    const [row] = await t.sql<{ payload: PublishedExam; key: AnswerKey; status: string }[]>`
      SELECT published_payload AS payload, answer_key AS key, status FROM exams WHERE id = ${exam.id}`;
    const json = JSON.stringify(row!.payload);
    expect(json).not.toMatch(/correct|SECRET-EXPLANATION|explanation/i);
    expect(row!.payload.questions.map((q) => [q.id, q.points])).toEqual([
      [qs[1]!.id, 4],
      [qs[0]!.id, 1],
      [qs[2]!.id, 5],
    ]);
    expect(row!.payload).toMatchObject({
      examId: exam.id,
      resultPolicy: 'after_close',
      durationMinutes: 60,
    });
    expect(row!.key).toEqual({
      [qs[1]!.id]: { kind: 'multi', correct: ['A', 'C'], points: 4 },
      [qs[0]!.id]: { kind: 'single', correct: ['B'], points: 1 },
      [qs[2]!.id]: { kind: 'text', correct: [], points: 5 },
    });

    // publishing twice is harmless: same snapshot, same result
    const again = await api('POST', `/exams/${exam.id}/publish`, 'teacher');
    expect(again.json()).toEqual(res.json());
    const [after] = await t.sql<
      { payload: PublishedExam }[]
    >`SELECT published_payload AS payload FROM exams WHERE id = ${exam.id}`;
    expect(after!.payload).toEqual(row!.payload);
  });

  it('needs questions and a window that has not ended', async () => {
    const empty = await createExam('teacher', { questions: [] });
    expect((await api('POST', `/exams/${empty.id}/publish`, 'teacher')).json().error).toEqual({
      code: 'CONFLICT',
      message: expect.stringMatching(/no questions/),
    });
    const past = await createExam('teacher', {
      scheduledStart: new Date(Date.now() - 3 * hour).toISOString(),
      scheduledEnd: new Date(Date.now() - hour).toISOString(),
    });
    expect((await api('POST', `/exams/${past.id}/publish`, 'teacher')).statusCode).toBe(409);
  });

  it('refuses question and setting edits after publish (409) but allows title, targets and a later end', async () => {
    const exam = await createExam();
    await api('POST', `/exams/${exam.id}/publish`, 'teacher');
    for (const patch of [
      { questions: [{ questionId: qs[0]!.id }] },
      { durationMinutes: 90 },
      { shuffleQuestions: true },
      { resultPolicy: 'manual' },
      { scheduledStart: new Date().toISOString() },
      { scheduledEnd: new Date(Date.now() + hour).toISOString() },
    ]) {
      const res = await api('PATCH', `/exams/${exam.id}`, 'teacher', patch);
      expect(res.statusCode, JSON.stringify(patch)).toBe(409);
      expect(res.json().error.code).toBe('CONFLICT');
    }
    expect((await api('DELETE', `/exams/${exam.id}`, 'teacher')).statusCode).toBe(409);

    const later = new Date(Date.now() + 5 * hour).toISOString();
    const ok = await api('PATCH', `/exams/${exam.id}`, 'teacher', {
      title: 'Math midterm (room B)',
      scheduledEnd: later,
      targets: [{ type: 'STUDENT', value: studentId }],
      questions: exam.questions,
      durationMinutes: 60, // unchanged values are fine
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const [row] = await t.sql<
      { payload: PublishedExam }[]
    >`SELECT published_payload AS payload FROM exams WHERE id = ${exam.id}`;
    expect(row!.payload).toMatchObject({
      title: 'Math midterm (room B)',
      scheduledEnd: new Date(later).toISOString(),
      targets: [{ type: 'STUDENT', value: studentId }],
    });
    expect(row!.payload.questions).toHaveLength(3);
  });

  it('rotates the token, closes, and tells the hot store each time', async () => {
    const exam = await createExam();
    const rotated = (await api('POST', `/exams/${exam.id}/token`, 'teacher')).json() as Exam;
    expect(rotated.entryToken).toMatch(/^[A-Z2-9]{6}$/);
    expect(rotated.entryToken).not.toBe(exam.entryToken);

    // the same service with a spy for the hook the sessions feature will provide
    const onExamChanged = vi.fn(async (_id: string) => {});
    const exams = createExamsService({ sql: t.sql, questions: t.ctx.questions, onExamChanged });
    const staff = await t.ctx.auth.authenticate(tokens.teacher);
    if (staff.kind !== 'staff') throw new Error('expected a staff principal');

    await exams.update(staff, exam.id, { title: 'draft edits do not reach the hot store' });
    expect(onExamChanged).not.toHaveBeenCalled();
    await exams.publish(staff, exam.id);
    await exams.rotateToken(staff, exam.id);
    await exams.update(staff, exam.id, { targets: [{ type: 'GRADE', value: '10' }] });
    const closed = await exams.close(staff, exam.id);
    expect(closed).toMatchObject({ status: 'CLOSED', closedAt: expect.any(String) });
    expect(onExamChanged.mock.calls).toEqual([[exam.id], [exam.id], [exam.id], [exam.id]]);

    expect((await api('POST', `/exams/${exam.id}/token`, 'teacher')).statusCode).toBe(409);
    expect((await api('POST', `/exams/${exam.id}/publish`, 'teacher')).statusCode).toBe(409);
    expect((await api('PATCH', `/exams/${exam.id}`, 'teacher', { targets: [] })).statusCode).toBe(
      409,
    );
    expect(
      (await api('PATCH', `/exams/${exam.id}`, 'teacher', { title: 'Archived' })).statusCode,
    ).toBe(200);
    expect((await api('POST', `/exams/${exam.id}/close`, 'teacher')).statusCode).toBe(200); // closing again is harmless
  });
});
