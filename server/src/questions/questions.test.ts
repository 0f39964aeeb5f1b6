import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Question } from '../../../contracts/questions.js';
import { bearer, createStaff, createTestApp, login, type TestApp } from '../../test/harness.js';

function filePart(content: Buffer | string, filename: string) {
  const boundary = `----examhall${Math.random().toString(16).slice(2)}`;
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  return {
    payload: Buffer.concat([
      Buffer.from(head),
      Buffer.from(content),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

let t: TestApp;
const tokens: Record<'teacher' | 'other' | 'admin', string> = { teacher: '', other: '', admin: '' };
beforeAll(async () => {
  t = await createTestApp();
  for (const [who, role] of [
    ['teacher', 'Teacher'],
    ['other', 'Teacher'],
    ['admin', 'Admin'],
  ] as const) {
    const s = await createStaff(t.sql, { role });
    tokens[who] = (await login(t.app, { email: s.email, password: s.password })).accessToken;
  }
});
afterAll(async () => t?.close());

const api = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  who: keyof typeof tokens,
  payload?: object,
) =>
  t.app.inject({
    method,
    url: `/api/v1/admin${url}`,
    headers: bearer(tokens[who]),
    ...(payload ? { payload } : {}),
  });

const single = {
  kind: 'single',
  text: '<p>2 + 2?</p>',
  options: [
    { id: 'A', text: '3' },
    { id: 'B', text: '4' },
  ],
  correct: ['B'],
  tags: ['math'],
};

describe('question bank CRUD', () => {
  it('creates, reads, lists by filter and deletes', async () => {
    const created = await api('POST', '/questions', 'teacher', {
      ...single,
      points: 2,
      explanation: '<p>4</p>',
    });
    expect(created.statusCode).toBe(201);
    const q = created.json() as Question;
    expect(q).toMatchObject({
      ...single,
      points: 2,
      explanation: '<p>4</p>',
      authorId: expect.any(String),
    });

    expect((await api('GET', `/questions/${q.id}`, 'other')).json()).toEqual(q); // the bank is shared for reading
    await api('POST', '/questions', 'teacher', {
      kind: 'text',
      text: '<p>Essay about rivers</p>',
      tags: ['geo'],
    });

    const byTag = (await api('GET', '/questions?tag=geo', 'teacher')).json();
    expect(byTag).toMatchObject({ total: 1, page: 1, items: [{ kind: 'text' }] });
    expect(
      (await api('GET', '/questions?kind=single&search=2%20%2B', 'teacher'))
        .json()
        .items.map((i: Question) => i.id),
    ).toEqual([q.id]);
    expect((await api('GET', '/questions?pageSize=1&page=2', 'teacher')).json()).toMatchObject({
      total: 2,
      page: 2,
      pageSize: 1,
    });

    expect((await api('DELETE', `/questions/${q.id}`, 'teacher')).statusCode).toBe(204);
    expect((await api('GET', `/questions/${q.id}`, 'teacher')).statusCode).toBe(404);
  });

  it('sanitizes HTML on write and refuses a base64 image', async () => {
    const res = await api('POST', '/questions', 'teacher', {
      ...single,
      text: '<p>Hi<script>alert(1)</script><img src="x" onerror="alert(2)"></p>',
    });
    expect(res.json().text).toBe('<p>Hi</p>');

    const base64 = await api('POST', '/questions', 'teacher', {
      ...single,
      options: [
        { id: 'A', text: '<img src="data:image/png;base64,iVBORw0KGgo=">' },
        { id: 'B', text: '4' },
      ],
    });
    expect(base64.statusCode).toBe(400);
    expect(base64.json().error).toEqual({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/^options\[0\]\.text contains an inline/),
    });
  });

  it('validates answer shapes and unknown fields with 400', async () => {
    const bad = [
      { ...single, correct: ['C'] },
      { ...single, correct: ['A', 'B'] },
      { ...single, kind: 'multi', correct: [] },
      { kind: 'text', text: 'x', options: [{ id: 'A', text: 'a' }] },
      {
        ...single,
        options: [
          { id: 'A', text: 'a' },
          { id: 'A', text: 'b' },
        ],
      },
      { ...single, secret: true },
      { ...single, options: [{ id: 'a1', text: 'a' }] },
    ];
    for (const body of bad) {
      const res = await api('POST', '/questions', 'teacher', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_FAILED');
    }
  });

  it('lets a teacher edit their own question only; an admin edits any', async () => {
    const q = (await api('POST', '/questions', 'teacher', single)).json() as Question;
    expect((await api('PATCH', `/questions/${q.id}`, 'other', { points: 5 })).statusCode).toBe(403);
    expect((await api('DELETE', `/questions/${q.id}`, 'other')).statusCode).toBe(403);
    expect((await api('PATCH', `/questions/${q.id}`, 'teacher', { points: 3 })).json().points).toBe(
      3,
    );
    const byAdmin = await api('PATCH', `/questions/${q.id}`, 'admin', {
      kind: 'multi',
      correct: ['A', 'B'],
    });
    expect(byAdmin.json()).toMatchObject({ kind: 'multi', correct: ['A', 'B'], points: 3 });
    // the merged question is validated as a whole
    expect((await api('PATCH', `/questions/${q.id}`, 'teacher', { kind: 'text' })).statusCode).toBe(
      400,
    );
  });

  it('refuses edits while a published exam uses the question, and deletes while any exam does', async () => {
    const q = (await api('POST', '/questions', 'teacher', single)).json() as Question;
    const exam = (
      await api('POST', '/exams', 'teacher', {
        title: 'Quiz',
        scheduledStart: new Date(Date.now() - 60_000).toISOString(),
        scheduledEnd: new Date(Date.now() + 3_600_000).toISOString(),
        durationMinutes: 30,
        questions: [{ questionId: q.id }],
      })
    ).json() as { id: string };
    expect((await api('DELETE', `/questions/${q.id}`, 'teacher')).statusCode).toBe(409);
    expect((await api('PATCH', `/questions/${q.id}`, 'teacher', { points: 4 })).statusCode).toBe(
      200,
    ); // a draft exam: fine
    expect((await api('POST', `/exams/${exam.id}/publish`, 'teacher')).statusCode).toBe(200);
    const edit = await api('PATCH', `/questions/${q.id}`, 'teacher', { text: '<p>changed</p>' });
    expect(edit.statusCode).toBe(409);
    expect(edit.json().error.code).toBe('CONFLICT');
  });
});

describe('import and export', () => {
  const post = (file: Buffer | string, name: string, who: keyof typeof tokens = 'teacher') => {
    const part = filePart(file, name);
    return t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/questions/import',
      payload: part.payload,
      headers: { ...part.headers, ...bearer(tokens[who]) },
    });
  };

  it('imports CSV, creating good rows and reporting bad ones by spreadsheet row', async () => {
    const csv = [
      'Kind,Text,Option A,Option B,Option C,Correct,Points,Explanation,Tags',
      'single,<p>Sun rises in the?</p>,East,West,,A,1,,"import-csv, astro"',
      'multi,Even numbers?,2,3,4,"A,C",2,,import-csv',
      'single,No answer given,x,y,,,1,,import-csv',
      '',
      'essay,What?,,,,,1,,import-csv',
      'text,"Describe, in a line,\na river",,,,,5,,import-csv',
      'single,"<img src=""data:image/png;base64,AAAA"">",a,b,,A,1,,import-csv',
    ].join('\n');
    const res = await post(csv, 'questions.csv');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      created: 3,
      errors: [
        { row: 4, message: expect.stringMatching(/exactly 1 correct/) },
        { row: 6, message: expect.stringMatching(/kind must be/) },
        { row: 8, message: expect.stringMatching(/^text contains an inline/) },
      ],
    });
    const listed = (await api('GET', '/questions?tag=import-csv', 'teacher')).json();
    expect(listed.total).toBe(3);
  });

  it('imports XLSX with the columns in any order', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('Q');
    sheet.addRow(['text', 'kind', 'option_a', 'option_b', 'correct', 'tags', 'points']);
    sheet.addRow(['Largest planet?', 'single', 'Jupiter', 'Mars', 'A', 'import-xlsx', 3]);
    sheet.addRow(['Bad points', 'single', 'a', 'b', 'A', 'import-xlsx', 'lots']);
    const res = await post(Buffer.from(await wb.xlsx.writeBuffer()), 'bank.xlsx');
    expect(res.json()).toEqual({
      created: 1,
      errors: [{ row: 3, message: expect.stringMatching(/points must be a number/) }],
    });
    const [q] = (await api('GET', '/questions?tag=import-xlsx', 'teacher')).json()
      .items as Question[];
    expect(q).toMatchObject({ kind: 'single', text: 'Largest planet?', correct: ['A'], points: 3 });
  });

  it('refuses a file without the required columns, and needs write permission', async () => {
    const res = await post('question,answer\nx,y\n', 'q.csv');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/missing column\(s\) kind, text/);
    const proctor = await createStaff(t.sql, { role: 'Proctor' });
    const part = filePart('kind,text\ntext,x\n', 'q.csv');
    const denied = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/questions/import',
      payload: part.payload,
      headers: {
        ...part.headers,
        ...bearer(
          (await login(t.app, { email: proctor.email, password: proctor.password })).accessToken,
        ),
      },
    });
    expect(denied.statusCode).toBe(403);
  });

  it('serves a template that imports cleanly', async () => {
    const template = await api('GET', '/questions/import/template.csv', 'teacher');
    expect(template.statusCode).toBe(200);
    expect(template.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(template.headers['content-disposition']).toBe(
      'attachment; filename="questions-template.csv"',
    );
    expect(template.body).toContain(
      'kind,text,option_a,option_b,option_c,option_d,option_e,option_f,correct,points,explanation,tags',
    );
    expect((await post(template.rawPayload, 'template.csv', 'other')).json()).toEqual({
      created: 3,
      errors: [],
    });
  });

  it('exports CSV and XLSX in the import layout (round trip)', async () => {
    await api('POST', '/questions', 'admin', {
      kind: 'multi',
      text: '<p>=SUM(A1) is not a formula here, "quoted", and, commas</p>',
      options: [
        { id: 'A', text: '-1' },
        { id: 'B', text: '<b>b</b>' },
        { id: 'G', text: 'g' },
      ],
      correct: ['A', 'G'],
      points: 1.5,
      explanation: 'line 1\nline 2',
      tags: ['roundtrip', 'x y'],
    });
    const original = (await api('GET', '/questions?tag=roundtrip', 'admin')).json()
      .items as Question[];
    const strip = (q: Question) => ({
      kind: q.kind,
      text: q.text,
      options: q.options,
      correct: q.correct,
      points: q.points,
      explanation: q.explanation,
      tags: q.tags,
    });

    for (const format of ['csv', 'xlsx'] as const) {
      const file = await api('GET', `/questions/export.${format}?tag=roundtrip`, 'admin');
      expect(file.statusCode).toBe(200);
      expect(file.headers['content-disposition']).toBe(
        `attachment; filename="questions.${format}"`,
      );
      if (format === 'csv') expect(file.body).toContain(',option_g,');
      // re-import under another author, then compare what was created
      await t.sql`UPDATE questions SET tags = array_replace(tags, 'roundtrip', 'roundtrip-old')`;
      expect((await post(file.rawPayload, `back.${format}`, 'other')).json()).toEqual({
        created: 1,
        errors: [],
      });
      const again = (await api('GET', '/questions?tag=roundtrip', 'admin')).json()
        .items as Question[];
      expect(again.map(strip)).toEqual(original.map(strip));
    }
  });
});
