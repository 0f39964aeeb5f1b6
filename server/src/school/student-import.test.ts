import ExcelJS from 'exceljs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createClass,
  createStaff,
  createTestApp,
  login,
  type TestApp,
} from '../../test/harness.js';
import { classResolver, planStudentImport } from './student-import.js';

let t: TestApp;
let admin: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  const { email, password } = await createStaff(t.sql);
  admin = bearer((await login(t.app, { email, password })).accessToken);
});
afterAll(async () => t?.close());

/** A browser-shaped multipart body with one file part. */
function multipart(file: Buffer, filename: string, field = 'file') {
  const boundary = `----examhall${randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  );
  return {
    payload: Buffer.concat([head, file, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

async function upload(app: TestApp['app'], file: Buffer, filename: string, field = 'file') {
  const body = multipart(file, filename, field);
  return app.inject({
    method: 'POST',
    url: '/api/v1/admin/students/import',
    payload: body.payload,
    headers: { ...admin, ...body.headers },
  });
}

async function xlsx(rows: (string | number | null)[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Siswa');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const countNisnPrefix = async (prefix: string) =>
  (
    await t.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM students WHERE nisn LIKE ${prefix + '%'}`
  )[0]!.n;

describe('student import (XLSX)', () => {
  it('imports 1,000 rows with 3 bad ones: 997 created, the 3 reported by row; again: 0 created, 997 updated', async () => {
    const ipa = await createClass(t.sql, { name: 'X IPA 7' });
    const ips = await createClass(t.sql, { name: 'X IPS 7' });
    const rows: (string | number | null)[][] = [['NISN', 'Name', 'Password', 'Class']];
    for (let i = 0; i < 1000; i += 1) {
      const spreadsheetRow = i + 2;
      // Some NISNs typed as numbers (Excel does that) and some classes given by id.
      const nisn = i % 10 === 0 ? 5_100_000_000 + i : `51${String(i).padStart(8, '0')}`;
      const cls = i % 3 === 0 ? ips.id : i % 2 === 0 ? 'x ipa 7' : 'X IPA 7';
      rows.push([nisn, `Siswa ${i}`, `pw-${i}`, cls]);
      if (spreadsheetRow === 10) rows[rows.length - 1]![3] = 'XII Nowhere 9';
      if (spreadsheetRow === 500) rows[rows.length - 1]![0] = '51AB0498';
      if (spreadsheetRow === 777) rows[rows.length - 1]![2] = null;
    }
    const file = await xlsx(rows);

    const started = Date.now();
    const first = await upload(t.app, file, 'students.xlsx');
    const elapsedMs = Date.now() - started;
    expect(first.statusCode).toBe(200);
    const result = first.json();
    expect(result.created).toBe(997);
    expect(result.updated).toBe(0);
    expect(result.errors).toEqual([
      { row: 10, message: 'unknown class "XII Nowhere 9" (use an existing class\'s name or id)' },
      { row: 500, message: 'NISN "51AB0498" is not valid: it must be 4 to 20 digits' },
      { row: 777, message: 'password is missing' },
    ]);
    expect(elapsedMs).toBeLessThan(15_000);
    expect(await countNisnPrefix('51')).toBe(997);

    // Spot-check what landed: numeric NISN as digits, class by id and by loose name, a working password.
    const [numeric] = await t.sql<{ name: string; classId: string }[]>`
      SELECT name, class_id AS "classId" FROM students WHERE nisn = '5100000030'`;
    expect(numeric).toEqual({ name: 'Siswa 30', classId: ips.id });
    const [loose] = await t.sql<
      { classId: string }[]
    >`SELECT class_id AS "classId" FROM students WHERE nisn = '5100000004'`;
    expect(loose!.classId).toBe(ipa.id);
    await login(t.app, { nisn: '5100000004', password: 'pw-4' });

    const again = await upload(t.app, file, 'students.xlsx');
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ created: 0, updated: 997 });
    expect(again.json().errors.map((e: { row: number }) => e.row)).toEqual([10, 500, 777]);
    expect(await countNisnPrefix('51')).toBe(997);
  });

  it('updates name, class and password of known NISNs on re-import', async () => {
    const a = await createClass(t.sql, { name: 'XI UPD 1' });
    const b = await createClass(t.sql, { name: 'XI UPD 2' });
    await upload(
      t.app,
      await xlsx([
        ['nisn', 'name', 'password', 'class'],
        ['5200000001', 'Old Name', 'first-pw', a.name],
      ]),
      'a.xlsx',
    );
    const res = await upload(
      t.app,
      await xlsx([
        ['nisn', 'name', 'password', 'class'],
        ['5200000001', 'New Name', 'second-pw', b.name],
        ['5200000002', 'Fresh', 'pw-pw', b.id],
      ]),
      'b.xlsx',
    );
    expect(res.json()).toEqual({ created: 1, updated: 1, errors: [] });
    const [row] = await t.sql<
      { name: string; classId: string }[]
    >`SELECT name, class_id AS "classId" FROM students WHERE nisn = '5200000001'`;
    expect(row).toEqual({ name: 'New Name', classId: b.id });
    await login(t.app, { nisn: '5200000001', password: 'second-pw' });
  });
});

describe('student import (CSV)', () => {
  it('reads CSV the same way: quoted cells, header in any case, duplicates and missing cells reported', async () => {
    const c = await createClass(t.sql, { name: 'XII CSV 1' });
    const csv = [
      ' NISN , Name ,PASSWORD, Class ',
      '5300000001,"Lestari, Ayu",pw-0001,XII CSV 1',
      '5300000002,Budi,pw-0002,',
      '',
      '5300000003,Citra,pw-0003,xii csv 1',
      '5300000001,Ayu Again,pw-0004,XII CSV 1',
      '5300000005,,pw-0005,',
    ].join('\r\n');
    const res = await upload(t.app, Buffer.from(`\uFEFF${csv}\r\n`), 'students.csv');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      created: 2,
      updated: 0,
      errors: [
        { row: 3, message: 'class is missing' },
        { row: 6, message: 'NISN 5300000001 already appears in row 2' },
        { row: 7, message: 'name and class are missing' },
      ],
    });
    const names = await t.sql<
      { name: string }[]
    >`SELECT name FROM students WHERE class_id = ${c.id} ORDER BY nisn`;
    expect(names.map((r) => r.name)).toEqual(['Lestari, Ayu', 'Citra']);

    const again = await upload(t.app, Buffer.from(csv), 'students.csv');
    expect(again.json()).toMatchObject({ created: 0, updated: 2 });
  });

  it('accepts the semicolon-separated CSV that Excel writes in many locales', async () => {
    await createClass(t.sql, { name: 'X SEMI 1' });
    const res = await upload(
      t.app,
      Buffer.from('nisn;nama;password;kelas\n5400000001;Dewi;pw-1234;X SEMI 1\n'),
      'siswa.csv',
    );
    expect(res.json()).toEqual({ created: 1, updated: 0, errors: [] });
  });
});

describe('student import refusals', () => {
  it('answers a file that is not a spreadsheet with 400 VALIDATION_FAILED', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const res = await upload(t.app, png, 'photo.png');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'file: this is neither a CSV nor an XLSX file',
    });

    const zip = Buffer.concat([Buffer.from('504b0304', 'hex'), randomBytes(200)]);
    expect((await upload(t.app, zip, 'fake.xlsx')).json().error.message).toBe(
      'file: this ZIP file is not a readable XLSX workbook',
    );
  });

  it('names the missing header columns, and refuses a file with no rows', async () => {
    const res = await upload(
      t.app,
      Buffer.from('nisn,name,password\n1234567890,A,pw-1234\n'),
      'x.csv',
    );
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain('missing: class');
    const headerOnly = await upload(t.app, Buffer.from('nisn,name,password,class\n'), 'x.csv');
    expect(headerOnly.statusCode).toBe(400);
    expect(headerOnly.json().error.message).toContain('no student rows');
  });

  it('wants the file in a multipart part named "file"', async () => {
    const wrongPart = await upload(
      t.app,
      Buffer.from('nisn,name,password,class\n'),
      'x.csv',
      'upload',
    );
    expect(wrongPart.statusCode).toBe(400);
    expect(wrongPart.json().error.message).toContain('part named "file"');
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/students/import',
      headers: admin,
      payload: { file: 'x' },
    });
    expect(json.statusCode).toBe(400);
    expect(json.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('answers an upload over the limit with 413 PAYLOAD_TOO_LARGE in the API shape', async () => {
    const small = await createTestApp({ UPLOAD_LIMIT_BYTES: '2048' });
    try {
      const { email, password } = await createStaff(small.sql);
      const token = bearer((await login(small.app, { email, password })).accessToken);
      const body = multipart(
        Buffer.from(`nisn,name,password,class\n${'5500000001,A,pw-1234,X\n'.repeat(200)}`),
        'big.csv',
      );
      const res = await small.app.inject({
        method: 'POST',
        url: '/api/v1/admin/students/import',
        payload: body.payload,
        headers: { ...token, ...body.headers },
      });
      expect(res.statusCode).toBe(413);
      expect(res.json().error).toEqual({
        code: 'PAYLOAD_TOO_LARGE',
        message: 'file: the upload is larger than the limit of 2048 bytes',
      });
    } finally {
      await small.close();
    }
  });

  it('serves a CSV template that imports cleanly once its class exists', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/students/import/template.csv',
      headers: admin,
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.body.split('\r\n')[0]).toBe('nisn,name,password,class');
    await createClass(t.sql, { name: 'X IPA 1' });
    expect((await upload(t.app, Buffer.from(res.body), 'template.csv')).json()).toEqual({
      created: 1,
      updated: 0,
      errors: [],
    });
  });
});

describe('import planning', () => {
  const classes = [
    { id: '11111111-1111-4111-8111-111111111111', name: 'X IPA 1' },
    { id: '22222222-2222-4222-8222-222222222222', name: 'Kelas A' },
    { id: '33333333-3333-4333-8333-333333333333', name: 'kelas a' },
  ];
  const resolve = classResolver(classes);

  it('resolves a class by id, exact name, or loose name only when that is unambiguous', () => {
    expect(resolve('11111111-1111-4111-8111-111111111111'.toUpperCase())).toBe(classes[0]!.id);
    expect(resolve('x  ipa 1')).toBe(classes[0]!.id);
    expect(resolve('Kelas A')).toBe(classes[1]!.id);
    expect(resolve('KELAS A')).toBeUndefined();
    expect(resolve('XII')).toBeUndefined();
  });

  it('maps Indonesian headers, keeps the first of a duplicated NISN and says what is wrong with each bad row', () => {
    const rows = [
      { row: 1, cells: ['Kelas', 'NISN', 'Nama', 'Kata Sandi', 'Catatan'] },
      { row: 2, cells: ['X IPA 1', '0012345678', 'Ayu', 'pw-1'] },
      { row: 4, cells: ['X IPA 1', '0012345678', 'Ayu Lagi', 'pw-2'] },
      { row: 5, cells: ['X IPA 1', '0012345679', 'Budi', 'abc'] },
      { row: 6, cells: ['X IPA 1', '0012345670', 'x'.repeat(201), 'pw-12'] },
    ];
    const plan = planStudentImport(rows, resolve);
    expect(plan.candidates).toEqual([
      { row: 2, nisn: '0012345678', name: 'Ayu', password: 'pw-1', classId: classes[0]!.id },
    ]);
    expect(plan.errors).toEqual([
      { row: 4, message: 'NISN 0012345678 already appears in row 2' },
      { row: 5, message: 'the password must be 4 to 72 characters' },
      { row: 6, message: 'the name is longer than 200 characters' },
    ]);
  });

  it('refuses a file whose header does not name the columns', () => {
    expect(() =>
      planStudentImport([{ row: 1, cells: ['1234', 'Ayu', 'pw', 'X'] }], resolve),
    ).toThrow(/missing: nisn, name, password, class/);
  });
});
