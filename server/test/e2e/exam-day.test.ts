import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createStaff, createTestApp, login, type TestApp } from '../harness.js';
import { leakedKeys, StudentClient } from './student-client.js';

/**
 * A whole exam day through the public contract only (API.md): staff author and publish,
 * 30 students start, save over HTTP and the WebSocket, lose a socket, resume, submit.
 */
const STUDENTS = 30;
const SECRET_EXPLANATION = 'EXPLANATION-NEVER-SHOWN-BEFORE-RESULTS';

let t: TestApp;
let base: string;
let staffToken: string;
let adminToken: string;
let classId: string;
let examId: string;
let entryToken: string;
const questions: { id: string; kind: 'single' | 'multi'; correct: string[]; points: number }[] = [];
const students: StudentClient[] = [];

async function staff(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  url: string,
  payload?: object,
  token = staffToken,
) {
  const res = await t.app.inject({
    method,
    url: `/api/v1/admin${url}`,
    headers: bearer(token),
    ...(payload ? { payload } : {}),
  });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

function csvUpload(csv: string) {
  const boundary = '----examday';
  return {
    payload: Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="students.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`,
    ),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, ...bearer(staffToken) },
  };
}

/** The grade a student should get: single exact, multi all-or-nothing (no partial credit). */
function expectedScore(answers: Map<string, string | string[]>): number {
  let score = 0;
  for (const q of questions) {
    const a = answers.get(q.id);
    const picked = a === undefined ? [] : Array.isArray(a) ? [...a].sort() : [a];
    if (picked.join() === [...q.correct].sort().join()) score += q.points;
  }
  return score;
}

beforeAll(async () => {
  t = await createTestApp({ ROLES: 'api', SAVE_GRACE_SECONDS: '1' });
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const teacher = await createStaff(t.sql, { role: 'Teacher' });
  const admin = await createStaff(t.sql, { role: 'Admin' });
  adminToken = (await login(t.app, { email: admin.email, password: admin.password })).accessToken;
  staffToken = adminToken;
  classId = (
    await staff('POST', '/classes', {
      gradeLevel: 12,
      majorCode: 'IPA',
      groupNumber: 3,
      name: 'XII IPA 3',
    })
  ).id;
  const rows = Array.from(
    { length: STUDENTS + 1 },
    (_, i) => `77000${String(i).padStart(5, '0')},Student ${i},pw-${i},XII IPA 3`,
  );
  const imported = await t.app.inject({
    method: 'POST',
    url: '/api/v1/admin/students/import',
    ...csvUpload(`nisn,name,password,class\n${rows.join('\n')}\n`),
  });
  expect(imported.json()).toMatchObject({ created: STUDENTS + 1, errors: [] });

  staffToken = (await login(t.app, { email: teacher.email, password: teacher.password }))
    .accessToken;
  const specs = [
    { kind: 'single', correct: ['C'], points: 2 },
    { kind: 'single', correct: ['A'], points: 2 },
    { kind: 'multi', correct: ['A', 'D'], points: 3 },
    { kind: 'single', correct: ['B'], points: 1 },
  ] as const;
  for (const [i, spec] of specs.entries()) {
    const q = await staff('POST', '/questions', {
      kind: spec.kind,
      text: `<p>Question ${i + 1}</p>`,
      points: spec.points,
      explanation: SECRET_EXPLANATION,
      options: ['A', 'B', 'C', 'D'].map((id) => ({ id, text: `Option ${id}` })),
      correct: [...spec.correct],
    });
    questions.push({ id: q.id, kind: spec.kind, correct: [...spec.correct], points: spec.points });
  }
  const exam = await staff('POST', '/exams', {
    title: 'Mock national exam',
    scheduledStart: new Date(Date.now() - 60_000).toISOString(),
    scheduledEnd: new Date(Date.now() + 3_600_000).toISOString(),
    durationMinutes: 45,
    targets: [{ type: 'CLASS', value: classId }],
    questions: questions.map((q) => ({ questionId: q.id })),
    shuffleQuestions: true,
    shuffleOptions: true,
    resultPolicy: 'immediate',
  });
  examId = exam.id;
  entryToken = (await staff('POST', `/exams/${examId}/publish`)).entryToken;
  for (let i = 0; i < STUDENTS; i += 1)
    students.push(new StudentClient(base, `77000${String(i).padStart(5, '0')}`, `pw-${i}`));
});
afterAll(async () => {
  for (const s of students) s.close();
  await t?.close();
});

describe('exam day', () => {
  const acked = new Map<StudentClient, Map<string, string | string[]>>();
  const sessionOf = new Map<StudentClient, string>();

  it('30 students sign in, see the exam and start it; starting again resumes', async () => {
    await Promise.all(
      students.map(async (s) => {
        await s.login();
        const mine = await s.call('GET', '/api/v1/exams');
        expect(mine.body).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ id: examId, myStatus: 'NOT_STARTED', questionCount: 4 }),
          ]),
        );
        const started = await s.call('POST', `/api/v1/exams/${examId}/sessions`, { entryToken });
        expect(started.status).toBe(201);
        expect(started.body['questions']).toHaveLength(4);
        sessionOf.set(s, started.body['sessionId'] as string);
        const again = await s.call('POST', `/api/v1/exams/${examId}/sessions`, { entryToken });
        expect(again.status).toBe(200);
        expect(again.body['sessionId']).toBe(started.body['sessionId']);
      }),
    );
  });

  it('they save over HTTP and over the WebSocket; every save is acknowledged', async () => {
    await Promise.all(
      students.map(async (s, i) => {
        const answers = new Map<string, string | string[]>();
        acked.set(s, answers);
        const sessionId = sessionOf.get(s)!;
        // Each student answers differently; some change their mind (last write wins).
        const pick = (q: (typeof questions)[number], round: number): string | string[] =>
          q.kind === 'multi'
            ? (i + round) % 3 === 0
              ? [...q.correct]
              : ['A', 'B']
            : ['A', 'B', 'C', 'D'][(i + round + questions.indexOf(q)) % 4]!;
        if (i % 2 === 0) {
          for (const round of [0, 1]) {
            for (const q of questions) {
              const answer = pick(q, round);
              const res = await s.call('PUT', `/api/v1/sessions/${sessionId}/answers`, {
                questionId: q.id,
                answer,
              });
              expect(res.status).toBe(200);
              answers.set(q.id, answer);
            }
          }
        } else {
          await s.connect();
          for (const round of [0, 1]) {
            for (const q of questions) {
              const answer = pick(q, round);
              const reply = await s.request({ type: 'save', sessionId, questionId: q.id, answer });
              expect(reply).toMatchObject({ type: 'saved', questionId: q.id });
              answers.set(q.id, answer);
            }
          }
        }
      }),
    );
  });

  it('a dropped socket resumes with every acknowledged answer', async () => {
    for (const s of students.filter((_, i) => i % 2 === 1)) {
      s.dropSocket();
      const view = await s.call('GET', `/api/v1/sessions/${sessionOf.get(s)}`);
      expect(view.status).toBe(200);
      expect(view.body['answers']).toEqual(Object.fromEntries(acked.get(s)!));
      await s.connect();
    }
  });

  it('submitting grades correctly at once; a second submit returns the identical result', async () => {
    await Promise.all(
      students.map(async (s, i) => {
        const sessionId = sessionOf.get(s)!;
        const first =
          i % 2 === 1
            ? await s.request({ type: 'submit', sessionId })
            : (await s.call('POST', `/api/v1/sessions/${sessionId}/submit`)).body;
        expect(first).toMatchObject({
          sessionId,
          status: 'SCORED',
          score: expectedScore(acked.get(s)!),
          maxScore: 8,
        });
        const second = await s.call('POST', `/api/v1/sessions/${sessionId}/submit`);
        const { type: _t, id: _id, ...firstResult } = first;
        expect(second.body).toEqual(firstResult);
        expect((await s.call('GET', `/api/v1/sessions/${sessionId}/result`)).body).toEqual(
          firstResult,
        );
      }),
    );
    const [row] = await t.sql<{ results: number; scored: number }[]>`
      SELECT count(result) AS results, count(*) FILTER (WHERE status = 'SCORED') AS scored FROM exam_sessions WHERE exam_id = ${examId}`;
    expect(row).toEqual({ results: STUDENTS, scored: STUDENTS });
  });

  it('refuses a save after submit with SESSION_CLOSED, over HTTP and the WebSocket', async () => {
    const s = students[1]!;
    const q = questions[0]!;
    const http = await s.call('PUT', `/api/v1/sessions/${sessionOf.get(s)}/answers`, {
      questionId: q.id,
      answer: 'D',
    });
    expect(http.status).toBe(409);
    expect(http.body).toMatchObject({ error: { code: 'SESSION_CLOSED' } });
    expect(
      await s.request({ type: 'save', sessionId: sessionOf.get(s), questionId: q.id, answer: 'D' }),
    ).toMatchObject({ type: 'error', code: 'SESSION_CLOSED' });
  });

  it("hides another student's session (404) and refuses a wrong token and an untargeted student", async () => {
    const [a, b] = students;
    for (const [method, path] of [
      ['GET', ''],
      ['PUT', '/answers'],
      ['POST', '/submit'],
      ['GET', '/result'],
    ] as const) {
      const res = await a!.call(
        method,
        `/api/v1/sessions/${sessionOf.get(b!)}${path}`,
        method === 'PUT' ? { questionId: questions[0]!.id, answer: 'A' } : undefined,
      );
      expect([403, 404]).toContain(res.status);
    }
    const latecomer = new StudentClient(
      base,
      `77000${String(STUDENTS).padStart(5, '0')}`,
      `pw-${STUDENTS}`,
    );
    await latecomer.login();
    const wrong = await latecomer.call('POST', `/api/v1/exams/${examId}/sessions`, {
      entryToken: 'ZZZZZZ',
    });
    expect(wrong).toMatchObject({ status: 403, body: { error: { code: 'BAD_ENTRY_TOKEN' } } });

    const outsiderClass = await staff(
      'POST',
      '/classes',
      { gradeLevel: 11, majorCode: 'IPS', groupNumber: 1, name: 'XI IPS 1' },
      adminToken,
    );
    const [outsider] = await t.sql<
      { id: string }[]
    >`SELECT id FROM students WHERE nisn = ${latecomer.nisn}`;
    await t.sql`UPDATE students SET class_id = ${outsiderClass.id} WHERE id = ${outsider!.id}`;
    await latecomer.login(); // the class travels in the token
    const notEligible = await latecomer.call('POST', `/api/v1/exams/${examId}/sessions`, {
      entryToken,
    });
    expect(notEligible).toMatchObject({ status: 403, body: { error: { code: 'NOT_ELIGIBLE' } } });
  });

  it('refuses a save after endsAt + grace with TIME_UP', async () => {
    const shortExam = await staff('POST', '/exams', {
      title: 'Two-second quiz',
      scheduledStart: new Date(Date.now() - 60_000).toISOString(),
      scheduledEnd: new Date(Date.now() + 2_000).toISOString(),
      durationMinutes: 5,
      targets: [{ type: 'CLASS', value: classId }],
      questions: [{ questionId: questions[0]!.id }],
    });
    const token = (await staff('POST', `/exams/${shortExam.id}/publish`)).entryToken;
    const s = students[2]!;
    const started = await s.call('POST', `/api/v1/exams/${shortExam.id}/sessions`, {
      entryToken: token,
    });
    expect(started.status).toBe(201);
    const endsAt = Date.parse(started.body['endsAt'] as string);
    await new Promise((r) => setTimeout(r, Math.max(0, endsAt - Date.now()) + 1_500));
    const late = await s.call('PUT', `/api/v1/sessions/${started.body['sessionId']}/answers`, {
      questionId: questions[0]!.id,
      answer: 'C',
    });
    expect(late).toMatchObject({ status: 409, body: { error: { code: 'TIME_UP' } } });
  });

  it('never showed a student a correct answer before their result', () => {
    let scanned = 0;
    for (const s of students) {
      for (const { where, body } of s.seen) {
        // The submit result under the `immediate` policy may name correct answers; nothing else may.
        const isResult = /submit|\/result|ws result/.test(where);
        if (isResult) continue;
        scanned += 1;
        expect(leakedKeys(body), where).toEqual([]);
        expect(JSON.stringify(body), where).not.toContain(SECRET_EXPLANATION);
      }
    }
    expect(scanned).toBeGreaterThan(STUDENTS * 5);
    // The scanner does see answers where they are allowed: the immediate results.
    const results = students.flatMap((s) => s.seen.filter((x) => /submit/.test(x.where)));
    expect(results.some((x) => leakedKeys(x.body).length > 0)).toBe(true);
  });
});
