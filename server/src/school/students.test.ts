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
import { createPublishedExam } from '../sessions/test-factories.js';

let t: TestApp;
let admin: Record<string, string>;

async function staffToken(role: string) {
  const { email, password } = await createStaff(t.sql, { role });
  return bearer((await login(t.app, { email, password })).accessToken);
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await staffToken('Admin');
});
afterAll(async () => t?.close());

const call = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
  headers: Record<string, string> = admin,
) => t.app.inject({ method, url: `/api/v1/admin${url}`, headers, ...(payload ? { payload } : {}) });

describe('students CRUD', () => {
  it('creates a student with a bcrypt-hashed password that works for login and is never returned', async () => {
    const c = await createClass(t.sql, { name: 'X CRUD 1' });
    const res = await call('POST', '/students', {
      nisn: '0099887766',
      name: '  Ayu   Lestari ',
      classId: c.id,
      password: 'rahasia1',
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toEqual({
      id: expect.any(String),
      nisn: '0099887766',
      name: 'Ayu Lestari',
      classId: c.id,
      className: 'X CRUD 1',
    });
    expect(JSON.stringify(body)).not.toContain('rahasia1');
    const [row] = await t.sql<
      { hash: string }[]
    >`SELECT password_hash AS hash FROM students WHERE id = ${body.id}`;
    expect(row!.hash).toMatch(/^\$2[aby]\$04\$/);
    expect((await login(t.app, { nisn: '0099887766', password: 'rahasia1' })).user.id).toBe(
      body.id,
    );

    const got = await call('GET', `/students/${body.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(body);
  });

  it('answers a duplicate NISN with 409 CONFLICT', async () => {
    const s = await createStudent(t.sql);
    const res = await call('POST', '/students', {
      nisn: s.nisn,
      name: 'Someone Else',
      password: 'abcd1234',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toEqual({
      code: 'CONFLICT',
      message: `A student with NISN ${s.nisn} already exists`,
    });
    const other = await createStudent(t.sql);
    const patch = await call('PATCH', `/students/${other.id}`, { nisn: s.nisn });
    expect(patch.statusCode).toBe(409);
  });

  it('updates with PATCH (a new password replaces the old one) and PUT', async () => {
    const c1 = await createClass(t.sql);
    const c2 = await createClass(t.sql);
    const s = await createStudent(t.sql, { classId: c1.id, password: 'old-pass' });
    const patch = await call('PATCH', `/students/${s.id}`, {
      classId: c2.id,
      password: 'new-pass',
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json()).toMatchObject({ id: s.id, classId: c2.id, className: c2.name });
    const old = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { nisn: s.nisn, password: 'old-pass' },
    });
    expect(old.statusCode).toBe(401);
    await login(t.app, { nisn: s.nisn, password: 'new-pass' });

    const put = await call('PUT', `/students/${s.id}`, {
      nisn: s.nisn,
      name: 'Budi Santoso',
      classId: null,
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toEqual({
      id: s.id,
      nisn: s.nisn,
      name: 'Budi Santoso',
      classId: null,
      className: null,
    });
    await login(t.app, { nisn: s.nisn, password: 'new-pass' });
  });

  it('refuses an unknown class, unknown fields and a malformed NISN with 400 VALIDATION_FAILED', async () => {
    const unknownClass = await call('POST', '/students', {
      nisn: '1234567890',
      name: 'X',
      password: 'abcd1234',
      classId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknownClass.statusCode).toBe(400);
    expect(unknownClass.json().error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'classId: no such class',
    });
    const extra = await call('POST', '/students', {
      nisn: '1234567891',
      name: 'X',
      password: 'abcd1234',
      role: 'admin',
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.code).toBe('VALIDATION_FAILED');
    const badNisn = await call('POST', '/students', {
      nisn: '12-34',
      name: 'X',
      password: 'abcd1234',
    });
    expect(badNisn.statusCode).toBe(400);
    expect(badNisn.json().error.message).toContain('nisn');
    const emptyPatch = await call('PATCH', `/students/${(await createStudent(t.sql)).id}`, {});
    expect(emptyPatch.statusCode).toBe(400);
  });

  it('deletes a student and signs them out', async () => {
    const s = await createStudent(t.sql);
    const token = (await login(t.app, { nisn: s.nisn, password: s.password })).accessToken;
    expect((await call('DELETE', `/students/${s.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/students/${s.id}`)).statusCode).toBe(404);
    expect((await call('DELETE', `/students/${s.id}`)).statusCode).toBe(404);
    const after = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/classes',
      headers: bearer(token),
    });
    expect(after.statusCode).toBe(401);
  });

  it('refuses to delete a student who has exam sessions: their results are kept', async () => {
    const c = await createClass(t.sql);
    const s = await createStudent(t.sql, { classId: c.id, name: 'Ayu Lestari' });
    const exam = await createPublishedExam(t.sql, { targets: [{ type: 'CLASS', value: c.id }] });
    const student = bearer(
      (await login(t.app, { nisn: s.nisn, password: s.password })).accessToken,
    );
    const started = await t.app.inject({
      method: 'POST',
      url: `/api/v1/exams/${exam.id}/sessions`,
      headers: student,
      payload: { entryToken: exam.entryToken },
    });
    expect(started.statusCode).toBe(201);

    const refused = await call('DELETE', `/students/${s.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toEqual({
      code: 'CONFLICT',
      message: `Student "Ayu Lestari" (NISN ${s.nisn}) has 1 exam session; their results are kept — move the student to another class instead`,
    });
    expect((await call('GET', `/students/${s.id}`)).statusCode).toBe(200);
    const sessions = await t.sql`SELECT id FROM exam_sessions WHERE student_id = ${s.id}`;
    expect(sessions).toHaveLength(1);
    // The database keeps the rule too (0005): no delete from anywhere cascades to results.
    await expect(t.sql`DELETE FROM students WHERE id = ${s.id}`).rejects.toMatchObject({
      code: '23001', // restrict_violation
    });

    // What the message suggests works, and the session stays the student's.
    const other = await createClass(t.sql);
    expect((await call('PATCH', `/students/${s.id}`, { classId: other.id })).statusCode).toBe(200);
    expect(await t.sql`SELECT id FROM exam_sessions WHERE student_id = ${s.id}`).toEqual(sessions);
  });
});

describe('students list', () => {
  it('filters by class, searches name or NISN prefix, and paginates', async () => {
    const c = await createClass(t.sql, { name: 'XI LIST 1' });
    const other = await createClass(t.sql, { name: 'XI LIST 2' });
    const names = [
      'Citra Dewi',
      'Ahmad Kurniawan',
      'Kurniawan Santoso',
      'Dimas Pratama',
      'Eka Putri',
    ];
    for (const [i, name] of names.entries())
      await createStudent(t.sql, { classId: c.id, name, nisn: `77000000${i}` });
    await createStudent(t.sql, { classId: other.id, name: 'Kurniawan Lain', nisn: '7800000000' });

    const page1 = await call('GET', `/students?classId=${c.id}&page=1&pageSize=2`);
    expect(page1.statusCode).toBe(200);
    expect(page1.json()).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    expect(page1.json().items.map((s: { name: string }) => s.name)).toEqual([
      'Ahmad Kurniawan',
      'Citra Dewi',
    ]);
    const page3 = (await call('GET', `/students?classId=${c.id}&page=3&pageSize=2`)).json();
    expect(page3.items.map((s: { name: string }) => s.name)).toEqual(['Kurniawan Santoso']);
    expect(page3.items[0].className).toBe('XI LIST 1');

    const byName = (await call('GET', `/students?q=kurniawan`)).json();
    expect(byName.items.map((s: { name: string }) => s.name)).toEqual([
      'Ahmad Kurniawan',
      'Kurniawan Lain',
      'Kurniawan Santoso',
    ]);
    expect(byName.total).toBe(3);
    const byNameInClass = (await call('GET', `/students?q=KURNIAWAN&classId=${other.id}`)).json();
    expect(byNameInClass.items.map((s: { nisn: string }) => s.nisn)).toEqual(['7800000000']);

    const byNisn = (await call('GET', '/students?q=7700000')).json();
    expect(byNisn.total).toBe(5);
    const wildcard = (await call('GET', '/students?q=%25')).json();
    expect(wildcard.total).toBe(0);
    expect((await call('GET', '/students?pageSize=501')).statusCode).toBe(400);
  });
});

describe('reset-login and guards', () => {
  it('signs the student out everywhere: the old token answers 401', async () => {
    const s = await createStudent(t.sql);
    const { accessToken } = await login(t.app, { nisn: s.nisn, password: s.password });
    const probe = () =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(accessToken) });

    const res = await call('POST', `/students/${s.id}/reset-login`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ revoked: 1 });
    const after = await probe();
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('UNAUTHENTICATED');
    expect((await call('POST', `/students/${s.id}/reset-login`)).json()).toEqual({ revoked: 0 });
    expect(
      (await call('POST', '/students/00000000-0000-4000-8000-000000000000/reset-login')).statusCode,
    ).toBe(404);
  });

  it('lifts the lock after ten wrong passwords, so the student can sign in at once', async () => {
    const proctor = await staffToken('Proctor');
    const s = await createStudent(t.sql);
    const attempt = (password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { nisn: s.nisn, password },
      });
    for (let i = 0; i < 10; i += 1) await attempt(`wrong-${i}`);
    expect((await attempt(s.password)).statusCode).toBe(429);

    expect(
      (await call('POST', `/students/${s.id}/reset-login`, undefined, proctor)).statusCode,
    ).toBe(200);
    expect((await attempt(s.password)).statusCode).toBe(200);
  });

  it('lets a Proctor reset logins (students:reset_login) but not edit students', async () => {
    const proctor = await staffToken('Proctor');
    const s = await createStudent(t.sql);
    expect(
      (await call('POST', `/students/${s.id}/reset-login`, undefined, proctor)).statusCode,
    ).toBe(200);
    expect((await call('PATCH', `/students/${s.id}`, { name: 'Nope' }, proctor)).statusCode).toBe(
      403,
    );
  });

  it('answers a student token with 403 FORBIDDEN and no token with 401 on every admin school route', async () => {
    const s = await createStudent(t.sql);
    const student = bearer(
      (await login(t.app, { nisn: s.nisn, password: s.password })).accessToken,
    );
    const id = s.id;
    const routes: ['GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', string][] = [
      ['GET', '/classes'],
      ['POST', '/classes'],
      ['GET', `/classes/${id}`],
      ['PUT', `/classes/${id}`],
      ['PATCH', `/classes/${id}`],
      ['DELETE', `/classes/${id}`],
      ['GET', '/students'],
      ['POST', '/students'],
      ['GET', `/students/${id}`],
      ['PUT', `/students/${id}`],
      ['PATCH', `/students/${id}`],
      ['DELETE', `/students/${id}`],
      ['POST', `/students/${id}/reset-login`],
      ['POST', '/students/import'],
      ['GET', '/students/import/template.csv'],
    ];
    for (const [method, url] of routes) {
      const asStudent = await call(method, url, { nisn: 'x' }, student);
      expect([method, url, asStudent.statusCode, asStudent.json().error.code]).toEqual([
        method,
        url,
        403,
        'FORBIDDEN',
      ]);
      const anonymous = await call(method, url, { nisn: 'x' }, {});
      expect([method, url, anonymous.statusCode, anonymous.json().error.code]).toEqual([
        method,
        url,
        401,
        'UNAUTHENTICATED',
      ]);
    }
    // The student was not deleted or changed by any of that.
    expect((await call('GET', `/students/${id}`)).json().nisn).toBe(s.nisn);
  });
});
