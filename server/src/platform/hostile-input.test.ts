import net from 'node:net';
import type { AddressInfo } from 'node:net';
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
import { createPublishedExam, type TestExam } from '../sessions/test-factories.js';

/**
 * What a security probe found (issue 9): strings PostgreSQL can never store, unbounded
 * paging, dates outside PostgreSQL's range. Each is refused at the door with 400 in the
 * API.md shape, never a 500, and nothing is written.
 */
let t: TestApp;
let staff: Record<string, string>;
let exam: TestExam;
let classId: string;

beforeAll(async () => {
  t = await createTestApp({ ROLES: 'api' });
  const s = await createStaff(t.sql);
  staff = bearer((await login(t.app, { email: s.email, password: s.password })).accessToken);
  classId = (await createClass(t.sql)).id;
  exam = await createPublishedExam(t.sql, { targets: [{ type: 'CLASS', value: classId }] });
});
afterAll(async () => t?.close());

type Res = { statusCode: number; json: () => { error: { code: string; message: string } } };
function expectRefused(res: Res, field: string) {
  expect(res.statusCode, JSON.stringify(res.json())).toBe(400);
  expect(res.json().error.code).toBe('VALIDATION_FAILED');
  expect(res.json().error.message).toContain(field);
}

const NUL = 'a\u0000b';
const LONE = 'x\ud800y';

describe('strings PostgreSQL cannot store', () => {
  it('a text answer with NUL or a lone surrogate is refused with 400 and not saved; the session still saves', async () => {
    const s = await createStudent(t.sql, { classId });
    const headers = bearer(
      (await login(t.app, { nisn: s.nisn, password: s.password })).accessToken,
    );
    const started = await t.app.inject({
      method: 'POST',
      url: `/api/v1/exams/${exam.id}/sessions`,
      headers,
      payload: { entryToken: exam.entryToken },
    });
    const sessionId = started.json<{ sessionId: string }>().sessionId;
    const textQ = exam.questionIds[2]!;
    const put = (payload: object) =>
      t.app.inject({
        method: 'PUT',
        url: `/api/v1/sessions/${sessionId}/answers`,
        headers,
        payload,
      });

    expectRefused(await put({ questionId: textQ, answer: NUL }), 'body.answer');
    expectRefused(await put({ questionId: textQ, answer: LONE }), 'body.answer');
    expectRefused(
      await put({
        answers: [
          { questionId: exam.questionIds[0]!, answer: 'B' },
          { questionId: textQ, answer: NUL },
        ],
      }),
      'body.answers.1.answer',
    );
    expect((await put({ questionId: textQ, answer: 'fine 🙂' })).statusCode).toBe(200);

    const view = await t.app.inject({
      method: 'GET',
      url: `/api/v1/sessions/${sessionId}`,
      headers,
    });
    expect(view.json<{ answers: object }>().answers).toEqual({ [textQ]: 'fine 🙂' });
    await t.ctx.hotStore.flush();
    const [row] = await t.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM session_answers WHERE session_id = ${sessionId}`;
    expect(row!.n).toBe(1);
  });

  it('a login NISN or email with NUL is refused with 400 before anything is looked up', async () => {
    expectRefused(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { nisn: `00${NUL}`, password: 'x' },
      }),
      'body.nisn',
    );
    expectRefused(
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: `a${LONE}@b.test`, password: 'x' },
      }),
      'body.email',
    );
  });

  it('class, student and question fields and search queries with NUL are refused, nothing written', async () => {
    const before = await t.sql<{ c: number; s: number; q: number }[]>`
      SELECT (SELECT count(*) FROM classes)::int AS c, (SELECT count(*) FROM students)::int AS s, (SELECT count(*) FROM questions)::int AS q`;
    const post = (url: string, payload: object) =>
      t.app.inject({ method: 'POST', url: `/api/v1/admin/${url}`, headers: staff, payload });
    expectRefused(
      await post('classes', { gradeLevel: 10, majorCode: 'IPA', groupNumber: 7, name: NUL }),
      'body.name',
    );
    expectRefused(
      await post('students', { nisn: '9990001112', name: LONE, password: 'student-pass' }),
      'body.name',
    );
    expectRefused(
      await post('questions', {
        kind: 'single',
        text: `<p>${NUL}</p>`,
        options: [
          { id: 'A', text: 'a' },
          { id: 'B', text: 'b' },
        ],
        correct: ['A'],
      }),
      'body.text',
    );
    for (const url of [
      'students?q=%00',
      'questions?search=a%00b',
      'exams?search=x%00',
      'questions?tag=%00',
    ]) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/admin/${url}`,
        headers: staff,
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('VALIDATION_FAILED');
    }
    const after = await t.sql`
      SELECT (SELECT count(*) FROM classes)::int AS c, (SELECT count(*) FROM students)::int AS s, (SELECT count(*) FROM questions)::int AS q`;
    expect(after).toEqual(before);
  });

  it('a spreadsheet import with NUL in a cell is refused whole, naming the row', async () => {
    // Past the first 8 KiB, so the file still reads as text and the cell is what is refused.
    const filler = Array.from(
      { length: 200 },
      (_, i) => `99900${String(i).padStart(5, '0')},Filler Student ${i},student-pass,`,
    ).join('\n');
    const csv = `nisn,name,password,class\n${filler}\n9990099999,Bad\u0000Name,student-pass,\n`;
    const boundary = '----examhall-test';
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/students/import',
      headers: { ...staff, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    expectRefused(res, 'row 202');
    const [row] = await t.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM students WHERE nisn LIKE '99900%'`;
    expect(row!.n).toBe(0);
  });
});

describe('numbers and dates out of range', () => {
  it('paging parameters are bounded on every paged list; no list answers 5xx to a wild one', async () => {
    const paged = ['students', 'questions', 'exams'];
    for (const list of [...paged, 'classes', 'staff', 'roles']) {
      for (const query of [
        'page=99999999999999999999',
        'page=1e300',
        'page=100001',
        'page=0',
        'page=-1',
        'page=1.5',
        'page=NaN',
        'pageSize=1e300',
        'pageSize=501',
      ]) {
        const res = await t.app.inject({
          method: 'GET',
          url: `/api/v1/admin/${list}?${query}`,
          headers: staff,
        });
        expect(res.statusCode, `${list}?${query}: ${res.body}`).toBeLessThan(500);
        if (paged.includes(list)) expect(res.statusCode, `${list}?${query}`).toBe(400);
      }
    }
    const last = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/students?page=100000&pageSize=500',
      headers: staff,
    });
    expect(last.statusCode).toBe(200);
    expect(last.json()).toMatchObject({ items: [], page: 100000, pageSize: 500 });
  });

  it('a year-0000 (or year-10000) date is refused with 400 on create and update', async () => {
    const body = (start: string) => ({
      title: 'Dates',
      scheduledStart: start,
      scheduledEnd: '2030-01-01T10:00:00Z',
      durationMinutes: 60,
    });
    const create = (start: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/admin/exams',
        headers: staff,
        payload: body(start),
      });
    expectRefused(await create('0000-01-01T00:00:00Z'), 'scheduledStart');
    expectRefused(await create('1969-12-31T23:59:59Z'), 'scheduledStart');
    expect((await create('+010000-01-01T00:00:00Z')).statusCode).toBe(400);
    const ok = await create('2030-01-01T08:00:00Z');
    expect(ok.statusCode, ok.body).toBe(201);
    const id = ok.json<{ id: string }>().id;
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/exams/${id}`,
      headers: staff,
      payload: { scheduledEnd: '0000-01-01T00:00:00Z' },
    });
    expectRefused(patch, 'scheduledEnd');
  });
});

describe('requests HTTP itself refuses', () => {
  it('a broken request line or a NUL in a header is answered in the API.md shape, not Fastify’s', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
        let out = '';
        socket.on('data', (c) => (out += c.toString()));
        socket.on('close', () => resolve(out));
        socket.on('error', () => resolve(out));
      });
    for (const request of [
      'NONSENSE\r\n\r\n',
      'GET /health/live HTTP/1.1\r\nHost: x\r\nX-Bad: a\u0000b\r\n\r\n',
    ]) {
      const answer = await raw(request);
      expect(answer).toMatch(/^HTTP\/1.1 400 /);
      expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({
        error: { code: 'VALIDATION_FAILED', message: expect.any(String) },
      });
    }
  });
});
