import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exam, ExamMonitor } from '../../../contracts/exams.js';
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

type Who = 'teacher' | 'other' | 'proctor';
let t: TestApp;
const tokens = {} as Record<Who, string>;
let exam: Exam;
let qs: Question[];
const students: Record<
  'scored' | 'working' | 'idle' | 'formula' | 'untargeted' | 'outsider',
  string
> = {
  scored: '',
  working: '',
  idle: '',
  formula: '',
  untargeted: '',
  outsider: '',
};

const api = (url: string, who: Who, method: 'GET' | 'POST' = 'GET', payload?: object) =>
  t.app.inject({
    method,
    url: `/api/v1/admin${url}`,
    headers: bearer(tokens[who]),
    ...(payload ? { payload } : {}),
  });

beforeAll(async () => {
  t = await createTestApp();
  for (const [who, role] of [
    ['teacher', 'Teacher'],
    ['other', 'Teacher'],
    ['proctor', 'Proctor'],
  ] as const) {
    const s = await createStaff(t.sql, { role });
    tokens[who] = (await login(t.app, { email: s.email, password: s.password })).accessToken;
  }
  const target = await createClass(t.sql, { name: 'X IPA 1' });
  const elsewhere = await createClass(t.sql, { name: 'X IPS 2', majorCode: 'IPS' });
  const add = async (key: keyof typeof students, name: string, nisn: string, classId: string) => {
    students[key] = (await createStudent(t.sql, { name, nisn, classId })).id;
  };
  await add('scored', 'Ayu Lestari', '0000000001', target.id);
  await add('working', 'Budi Santoso', '0000000002', target.id);
  await add('idle', 'Citra Dewi', '0000000003', target.id);
  await add('formula', '=HYPERLINK("http://evil")', '0000000004', target.id);
  await add('untargeted', 'Dimas Pratama', '0000000005', elsewhere.id); // started, then the target was narrowed
  await add('outsider', 'Eka Putri', '0000000006', elsewhere.id);

  qs = [];
  for (const body of [
    {
      kind: 'single',
      text: 'a?',
      options: [
        { id: 'A', text: 'x' },
        { id: 'B', text: 'y' },
      ],
      correct: ['A'],
    },
    {
      kind: 'multi',
      text: 'b?',
      options: [
        { id: 'A', text: 'x' },
        { id: 'B', text: 'y' },
      ],
      correct: ['A', 'B'],
      points: 4,
    },
    { kind: 'text', text: 'c?', points: 5 },
  ])
    qs.push((await api('/questions', 'teacher', 'POST', body)).json() as Question);

  exam = (
    await api('/exams', 'teacher', 'POST', {
      title: 'Biology: final',
      scheduledStart: new Date(Date.now() - 3_600_000).toISOString(),
      scheduledEnd: new Date(Date.now() + 3_600_000).toISOString(),
      durationMinutes: 60,
      targets: [{ type: 'CLASS', value: target.id }],
      questions: qs.map((q) => ({ questionId: q.id })),
    })
  ).json() as Exam;
  expect((await api(`/exams/${exam.id}/publish`, 'teacher', 'POST')).statusCode).toBe(200);

  // Sessions as the sessions feature would have written them.
  const started = new Date(Date.now() - 30 * 60_000);
  const ends = new Date(started.getTime() + 60 * 60_000);
  const session = async (
    student: string,
    status: string,
    extra: { score?: number; submitted?: Date } = {},
  ) => {
    const id = randomUUID();
    await t.sql`
      INSERT INTO exam_sessions (id, exam_id, student_id, status, started_at, ends_at, shuffle_seed, question_order,
                                 submitted_at, score, max_score, last_activity_at)
      VALUES (${id}, ${exam.id}, ${student}, ${status}, ${started}, ${ends}, 42, ${qs.map((q) => q.id)}::uuid[],
              ${extra.submitted ?? null}, ${extra.score ?? null}, ${extra.score === undefined ? null : 10}, ${started})`;
    return id;
  };
  const answer = async (
    sessionId: string,
    questionId: string,
    value: unknown,
    awarded: number | null,
    savedAt: Date,
  ) => {
    await t.sql`INSERT INTO session_answers (session_id, question_id, answer, saved_at, awarded_points)
                VALUES (${sessionId}, ${questionId}, ${t.sql.json(value as never)}, ${savedAt}, ${awarded})`;
  };
  const scored = await session(students.scored, 'SCORED', {
    score: 7.5,
    submitted: new Date(started.getTime() + 20 * 60_000),
  });
  await answer(scored, qs[0]!.id, 'A', 1, started);
  await answer(scored, qs[1]!.id, ['A'], 2, started);
  await answer(scored, qs[2]!.id, 'because', 4.5, started);
  // Per-question points are read from the recorded result, as the sessions feature stores it.
  const breakdown = [1, 2, 4.5].map((points, i) => ({
    questionId: qs[i]!.id,
    points,
    pending: false,
  }));
  await t.sql`UPDATE exam_sessions SET result = ${t.sql.json({ status: 'SCORED', breakdown })} WHERE id = ${scored}`;
  await t.sql`INSERT INTO session_events (session_id, type, at) VALUES (${scored}, 'blur', now()), (${scored}, 'paste', now())`;

  const working = await session(students.working, 'IN_PROGRESS');
  await answer(working, qs[0]!.id, 'B', null, new Date(Date.now() - 60_000));
  await answer(working, qs[1]!.id, null, null, new Date(Date.now() - 30_000)); // cleared: not answered
  await session(students.untargeted, 'PENDING_REVIEW', { score: 3, submitted: new Date() });
});
afterAll(async () => t?.close());

describe('live monitor', () => {
  it('lists every targeted student and anyone who started, with progress and counts', async () => {
    const res = await api(`/exams/${exam.id}/sessions`, 'teacher');
    expect(res.statusCode).toBe(200);
    const monitor = res.json() as ExamMonitor;
    expect(monitor).toMatchObject({
      examId: exam.id,
      status: 'PUBLISHED',
      questionCount: 3,
      serverNow: expect.any(String),
    });
    expect(monitor.counts).toEqual({
      NOT_STARTED: 2,
      IN_PROGRESS: 1,
      SUBMITTED: 0,
      SCORED: 1,
      PENDING_REVIEW: 1,
    });
    const byId = new Map(monitor.items.map((r) => [r.studentId, r]));
    expect(byId.has(students.outsider)).toBe(false);
    expect(monitor.items).toHaveLength(5);
    expect(byId.get(students.scored)).toMatchObject({
      studentName: 'Ayu Lestari',
      nisn: '0000000001',
      className: 'X IPA 1',
      status: 'SCORED',
      sessionId: expect.any(String),
      answeredCount: 3,
      score: 7.5,
      maxScore: 10,
      signalCount: 2,
      endsAt: expect.any(String),
      startedAt: expect.any(String),
      submittedAt: expect.any(String),
    });
    const working = byId.get(students.working)!;
    expect(working).toMatchObject({
      status: 'IN_PROGRESS',
      answeredCount: 1,
      score: null,
      signalCount: 0,
    });
    expect(Date.now() - Date.parse(working.lastActivityAt!)).toBeLessThan(60_000); // the latest save, not the start
    expect(byId.get(students.idle)).toEqual({
      studentId: students.idle,
      studentName: 'Citra Dewi',
      nisn: '0000000003',
      className: 'X IPA 1',
      status: 'NOT_STARTED',
      answeredCount: 0,
      lastActivityAt: null,
      endsAt: null,
      startedAt: null,
      submittedAt: null,
      score: null,
      maxScore: null,
      signalCount: 0,
    });
    expect(byId.get(students.untargeted)).toMatchObject({
      className: 'X IPS 2',
      status: 'PENDING_REVIEW',
    });
  });

  it('is readable by a proctor (exams:read_all) and not by another teacher', async () => {
    expect((await api(`/exams/${exam.id}/sessions`, 'proctor')).statusCode).toBe(200);
    expect((await api(`/exams/${exam.id}/sessions`, 'other')).statusCode).toBe(404);
    expect((await api(`/exams/${exam.id}/results.csv`, 'other')).statusCode).toBe(404);
  });
});

describe('results export', () => {
  const headers = [
    'NISN',
    'Name',
    'Class',
    'Status',
    'Started at',
    'Submitted at',
    'Score',
    'Max score',
    'Percentage',
    'Q1 (1)',
    'Q2 (4)',
    'Q3 (5)',
  ];

  it('CSV: one row per student with per-question points, formula-safe', async () => {
    const res = await api(`/exams/${exam.id}/results.csv`, 'proctor');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="Biology-final-results.csv"',
    );
    const rows = parse(res.body, { bom: true }) as string[][];
    expect(rows[0]).toEqual(headers);
    const byNisn = new Map(rows.slice(1).map((r) => [r[0], r]));
    expect(rows).toHaveLength(6);
    expect(byNisn.get('0000000001')).toEqual([
      '0000000001',
      'Ayu Lestari',
      'X IPA 1',
      'SCORED',
      expect.stringMatching(/Z$/),
      expect.stringMatching(/Z$/),
      '7.5',
      '10',
      '75',
      '1',
      '2',
      '4.5',
    ]);
    expect(byNisn.get('0000000002')).toEqual([
      '0000000002',
      'Budi Santoso',
      'X IPA 1',
      'IN_PROGRESS',
      expect.any(String),
      '',
      '',
      '10',
      '',
      '',
      '',
      '',
    ]);
    expect(byNisn.get('0000000003')!.slice(3, 9)).toEqual(['NOT_STARTED', '', '', '', '10', '']);
    expect(byNisn.get('0000000004')![1]).toBe(`'=HYPERLINK("http://evil")`);
    expect(byNisn.get('0000000005')!.slice(3, 9)).toEqual([
      'PENDING_REVIEW',
      expect.any(String),
      expect.any(String),
      '3',
      '10',
      '30',
    ]);
  });

  it('XLSX: the same table', async () => {
    const res = await api(`/exams/${exam.id}/results.xlsx`, 'teacher');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers['content-disposition']).toBe(
      'attachment; filename="Biology-final-results.xlsx"',
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ExcelJS.Buffer);
    const sheet = wb.worksheets[0]!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(headers);
    expect(sheet.rowCount).toBe(6);
    const rows = [2, 3, 4, 5, 6].map((n) => (sheet.getRow(n).values as unknown[]).slice(1));
    const ayu = rows.find((r) => r[1] === 'Ayu Lestari')!;
    expect(ayu[0]).toBe('0000000001'); // text: leading zeros kept
    expect(ayu.slice(6)).toEqual([7.5, 10, 75, 1, 2, 4.5]);
    // a typed string in XLSX, never a formula (and no apostrophe needed)
    expect(rows.find((r) => r[0] === '0000000004')![1]).toBe('=HYPERLINK("http://evil")');
  });

  it('needs a published exam', async () => {
    const draft = (
      await api('/exams', 'teacher', 'POST', {
        title: 'Draft',
        scheduledStart: new Date().toISOString(),
        scheduledEnd: new Date(Date.now() + 60_000).toISOString(),
        durationMinutes: 5,
      })
    ).json() as Exam;
    expect((await api(`/exams/${draft.id}/results.csv`, 'teacher')).statusCode).toBe(409);
    expect((await api(`/exams/${draft.id}/sessions`, 'teacher')).json().counts.NOT_STARTED).toBe(0);
  });
});
