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
import { defaultClassName } from './school.service.js';

let t: TestApp;
let admin: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  admin = await staffToken('Admin');
});
afterAll(async () => t?.close());

async function staffToken(role: string) {
  const { email, password } = await createStaff(t.sql, { role });
  return bearer((await login(t.app, { email, password })).accessToken);
}

const call = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
  headers = admin,
) => t.app.inject({ method, url: `/api/v1/admin${url}`, headers, ...(payload ? { payload } : {}) });

describe('classes', () => {
  it('creates a class, naming it like a school does when no name is given', async () => {
    const res = await call('POST', '/classes', {
      gradeLevel: 11,
      majorCode: 'IPS',
      groupNumber: 2,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      gradeLevel: 11,
      majorCode: 'IPS',
      groupNumber: 2,
      name: 'XI IPS 2',
      studentCount: 0,
    });
    expect(res.json().id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lists classes with student counts and filters by grade and major', async () => {
    const a = await createClass(t.sql, {
      name: 'XII TKJ 1',
      gradeLevel: 12,
      majorCode: 'TKJ',
      groupNumber: 1,
    });
    await createClass(t.sql, {
      name: 'XII TKJ 2',
      gradeLevel: 12,
      majorCode: 'TKJ',
      groupNumber: 2,
    });
    await createClass(t.sql, {
      name: 'XII RPL 1',
      gradeLevel: 12,
      majorCode: 'RPL',
      groupNumber: 1,
    });
    await createStudent(t.sql, { classId: a.id });
    await createStudent(t.sql, { classId: a.id });

    const res = await call('GET', '/classes?gradeLevel=12&majorCode=tkj');
    expect(res.statusCode).toBe(200);
    expect(
      res.json().items.map((c: { name: string; studentCount: number }) => [c.name, c.studentCount]),
    ).toEqual([
      ['XII TKJ 1', 2],
      ['XII TKJ 2', 0],
    ]);
    const all = (await call('GET', '/classes?gradeLevel=12')).json().items;
    expect(all).toHaveLength(3);
  });

  it('updates with PUT (whole class) and PATCH (some fields)', async () => {
    const c = await createClass(t.sql, { name: 'X A 1' });
    const put = await call('PUT', `/classes/${c.id}`, {
      gradeLevel: 10,
      majorCode: 'MIPA',
      groupNumber: 3,
      name: 'X MIPA 3',
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({
      id: c.id,
      majorCode: 'MIPA',
      groupNumber: 3,
      name: 'X MIPA 3',
    });

    const patch = await call('PATCH', `/classes/${c.id}`, { groupNumber: 4 });
    expect(patch.statusCode).toBe(200);
    expect(patch.json()).toMatchObject({ majorCode: 'MIPA', groupNumber: 4, name: 'X MIPA 3' });
    expect((await call('GET', `/classes/${c.id}`)).json().groupNumber).toBe(4);

    const partialPut = await call('PUT', `/classes/${c.id}`, { groupNumber: 5 });
    expect(partialPut.statusCode).toBe(400);
    expect(partialPut.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('refuses a duplicate class name with 409 CONFLICT', async () => {
    await createClass(t.sql, { name: 'X DUP 1' });
    const res = await call('POST', '/classes', {
      gradeLevel: 10,
      majorCode: 'DUP',
      groupNumber: 1,
      name: 'X DUP 1',
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toEqual({
      code: 'CONFLICT',
      message: 'A class named "X DUP 1" already exists',
    });
  });

  it('refuses to delete a class that still has students, then deletes it once empty', async () => {
    const c = await createClass(t.sql);
    const s = await createStudent(t.sql, { classId: c.id });
    const refused = await call('DELETE', `/classes/${c.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('CONFLICT');
    expect(refused.json().error.message).toContain('still has 1 student');

    await t.sql`DELETE FROM students WHERE id = ${s.id}`;
    expect((await call('DELETE', `/classes/${c.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/classes/${c.id}`)).statusCode).toBe(404);
    expect((await call('DELETE', `/classes/${c.id}`)).statusCode).toBe(404);
  });

  it('refuses to delete a class that exams target, naming how many', async () => {
    const c = await createClass(t.sql, { name: 'X TARGET 1' });
    const targets = [{ type: 'CLASS' as const, value: c.id }];
    await createPublishedExam(t.sql, { targets });
    await createPublishedExam(t.sql, { targets, status: 'DRAFT' });
    const refused = await call('DELETE', `/classes/${c.id}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error).toEqual({
      code: 'CONFLICT',
      message:
        'Class "X TARGET 1" is a target of 2 exams; remove it from their targets before deleting the class',
    });

    await t.sql`DELETE FROM exam_target_rules WHERE target_value = ${c.id}`;
    expect((await call('DELETE', `/classes/${c.id}`)).statusCode).toBe(204);
  });

  it('rejects unknown fields and out-of-range values with 400 VALIDATION_FAILED', async () => {
    const extra = await call('POST', '/classes', {
      gradeLevel: 10,
      majorCode: 'IPA',
      groupNumber: 1,
      room: '2B',
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.code).toBe('VALIDATION_FAILED');
    const range = await call('POST', '/classes', {
      gradeLevel: 14,
      majorCode: 'IPA',
      groupNumber: 1,
    });
    expect(range.statusCode).toBe(400);
    expect(range.json().error.message).toContain('gradeLevel');
  });

  it('checks permissions: a Teacher may read but not write classes', async () => {
    const teacher = await staffToken('Teacher');
    expect((await call('GET', '/classes', undefined, teacher)).statusCode).toBe(200);
    const res = await call(
      'POST',
      '/classes',
      { gradeLevel: 10, majorCode: 'IPA', groupNumber: 9 },
      teacher,
    );
    expect(res.statusCode).toBe(403);
    expect(res.json().error).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('classes:write'),
    });
  });
});

describe('class names', () => {
  it('follows the Indonesian habit of Roman grade numbers', () => {
    expect(defaultClassName({ gradeLevel: 10, majorCode: 'IPA', groupNumber: 1 })).toBe('X IPA 1');
    expect(defaultClassName({ gradeLevel: 12, majorCode: 'TKJ', groupNumber: 3 })).toBe(
      'XII TKJ 3',
    );
  });
});
