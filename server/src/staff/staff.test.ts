import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createStaff,
  createStudent,
  createTestApp,
  login,
  type TestApp,
} from '../../test/harness.js';

let t: TestApp;
let me: { id: string; headers: Record<string, string> };

async function signIn(role = 'Admin') {
  const { id, email, password } = await createStaff(t.sql, { role });
  return {
    id,
    email,
    password,
    headers: bearer((await login(t.app, { email, password })).accessToken),
  };
}

beforeAll(async () => {
  t = await createTestApp();
  me = await signIn('Admin');
});
afterAll(async () => t?.close());

const call = (
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
  headers = me.headers,
) => t.app.inject({ method, url: `/api/v1/admin${url}`, headers, ...(payload ? { payload } : {}) });

const roleId = async (name: string) =>
  (await t.sql<{ id: string }[]>`SELECT id FROM roles WHERE name = ${name}`)[0]!.id;

describe('staff accounts', () => {
  it('creates an account (email lower-cased, password hashed at the staff cost and never returned) that can sign in', async () => {
    const teacher = await roleId('Teacher');
    const res = await call('POST', '/staff', {
      email: 'Guru.Baru@School.test',
      name: 'Guru Baru',
      password: 'guru-password',
      roleId: teacher,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      id: expect.any(String),
      email: 'guru.baru@school.test',
      name: 'Guru Baru',
      roleId: teacher,
      roleName: 'Teacher',
      active: true,
      superAdmin: false,
    });
    expect(res.body).not.toContain('guru-password');
    const [row] = await t.sql<
      { hash: string }[]
    >`SELECT password_hash AS hash FROM staff WHERE id = ${res.json().id}`;
    expect(row!.hash).toMatch(
      new RegExp(`^\\$2[aby]\\$${String(t.config.bcryptCost.staff).padStart(2, '0')}\\$`),
    );
    await login(t.app, { email: 'guru.baru@school.test', password: 'guru-password' });

    const list = (await call('GET', '/staff')).json().items;
    expect(list.map((s: { email: string }) => s.email)).toContain('guru.baru@school.test');
    expect(JSON.stringify(list)).not.toMatch(/password/i);

    const dup = await call('POST', '/staff', {
      email: 'guru.baru@school.test',
      name: 'X',
      password: 'another-pw',
      roleId: teacher,
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe('CONFLICT');
    const noRole = await call('POST', '/staff', {
      email: 'x@school.test',
      name: 'X',
      password: 'another-pw',
      roleId: '00000000-0000-4000-8000-000000000000',
    });
    expect(noRole.json().error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'roleId: no such role',
    });
    const extra = await call('POST', '/staff', {
      email: 'y@school.test',
      name: 'Y',
      password: 'another-pw',
      roleId: teacher,
      superAdmin: true,
    });
    expect(extra.statusCode).toBe(400);
    expect(extra.json().error.code).toBe('VALIDATION_FAILED');
  });

  it('updates with PATCH and PUT; deactivating signs the account out everywhere', async () => {
    const other = await signIn('Teacher');
    const proctor = await roleId('Proctor');
    const patch = await call('PATCH', `/staff/${other.id}`, {
      roleId: proctor,
      name: 'Pak Pengawas',
    });
    expect(patch.statusCode).toBe(200);
    expect(patch.json()).toMatchObject({ roleName: 'Proctor', name: 'Pak Pengawas', active: true });

    const off = await call('PUT', `/staff/${other.id}`, {
      email: other.email,
      name: 'Pak Pengawas',
      roleId: proctor,
      active: false,
    });
    expect(off.statusCode).toBe(200);
    expect(off.json().active).toBe(false);
    const probe = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/classes',
      headers: other.headers,
    });
    expect(probe.statusCode).toBe(401);
    const relogin = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: other.email, password: other.password },
    });
    expect(relogin.statusCode).toBe(401);
  });

  it('refuses to let staff delete or deactivate themselves (409), but lets them edit their name', async () => {
    const del = await call('DELETE', `/staff/${me.id}`);
    expect(del.statusCode).toBe(409);
    expect(del.json().error).toEqual({
      code: 'CONFLICT',
      message: 'You cannot delete your own account',
    });
    const off = await call('PATCH', `/staff/${me.id}`, { active: false });
    expect(off.statusCode).toBe(409);
    expect(off.json().error.message).toBe('You cannot deactivate your own account');
    expect((await call('PATCH', `/staff/${me.id}`, { name: 'Ibu Kepala' })).json().name).toBe(
      'Ibu Kepala',
    );
    expect((await call('GET', `/staff/${me.id}`)).json().active).toBe(true);
  });

  it('deletes another account and signs it out', async () => {
    const other = await signIn('Teacher');
    expect((await call('DELETE', `/staff/${other.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/staff/${other.id}`)).statusCode).toBe(404);
    const probe = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/classes',
      headers: other.headers,
    });
    expect(probe.statusCode).toBe(401);
  });

  it('keeps a super-admin account out of reach of a non-super-admin', async () => {
    await t.ctx.auth.ensureSuperAdmin('root@school.test', 'root-password');
    const [root] = await t.sql<
      { id: string }[]
    >`SELECT id FROM staff WHERE email = 'root@school.test'`;
    const res = await call('PATCH', `/staff/${root!.id}`, { active: false });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('FORBIDDEN');
    expect((await call('DELETE', `/staff/${root!.id}`)).statusCode).toBe(403);
  });

  it('needs staff:read to list and staff:write to change', async () => {
    const teacher = await signIn('Teacher');
    expect((await call('GET', '/staff', undefined, teacher.headers)).statusCode).toBe(403);
    expect((await call('GET', '/roles', undefined, teacher.headers)).statusCode).toBe(403);
    const s = await createStudent(t.sql);
    const student = bearer(
      (await login(t.app, { nisn: s.nisn, password: s.password })).accessToken,
    );
    const asStudent = await call('GET', '/staff', undefined, student);
    expect(asStudent.statusCode).toBe(403);
    expect(asStudent.json().error.code).toBe('FORBIDDEN');
    expect((await call('GET', '/permissions', undefined, {})).statusCode).toBe(401);
  });
});

describe('roles', () => {
  it('lists the seeded roles and every permission code', async () => {
    const roles = (await call('GET', '/roles')).json().items;
    const proctor = roles.find((r: { name: string }) => r.name === 'Proctor');
    expect(proctor).toMatchObject({
      builtin: true,
      permissions: expect.arrayContaining(['students:reset_login', 'sessions:extend']),
    });
    expect(proctor.permissions).not.toContain('students:write');
    const codes = (await call('GET', '/permissions'))
      .json()
      .items.map((p: { code: string }) => p.code);
    expect(codes).toEqual(
      expect.arrayContaining(['classes:read', 'students:write', 'staff:write', 'exams:write_own']),
    );
  });

  it('creates, updates and deletes a custom role; its permissions reach the tokens of its holders', async () => {
    const created = await call('POST', '/roles', {
      name: 'Wali Kelas',
      description: 'Homeroom',
      permissions: ['students:read', 'classes:read'],
    });
    expect(created.statusCode).toBe(201);
    const role = created.json();
    expect(role).toMatchObject({
      name: 'Wali Kelas',
      description: 'Homeroom',
      builtin: false,
      permissions: ['classes:read', 'students:read'],
      staffCount: 0,
    });

    const put = await call('PUT', `/roles/${role.id}`, {
      name: 'Wali Kelas',
      description: '',
      permissions: ['students:read', 'students:reset_login'],
    });
    expect(put.json().permissions).toEqual(['students:read', 'students:reset_login']);
    const patch = await call('PATCH', `/roles/${role.id}`, { description: 'Homeroom teacher' });
    expect(patch.json()).toMatchObject({
      description: 'Homeroom teacher',
      permissions: ['students:read', 'students:reset_login'],
    });

    const holder = await signIn('Wali Kelas');
    expect((await call('GET', '/students', undefined, holder.headers)).statusCode).toBe(200);
    expect((await call('GET', '/classes', undefined, holder.headers)).statusCode).toBe(403);

    const inUse = await call('DELETE', `/roles/${role.id}`);
    expect(inUse.statusCode).toBe(409);
    expect(inUse.json().error.message).toContain('held by 1 staff account');
    await call('DELETE', `/staff/${holder.id}`);
    expect((await call('DELETE', `/roles/${role.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/roles/${role.id}`)).statusCode).toBe(404);
  });

  it('refuses unknown permission codes with 400 naming them', async () => {
    const res = await call('POST', '/roles', {
      name: 'Bad',
      permissions: ['students:read', 'root:everything'],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'permissions: unknown permission code(s): root:everything',
    });
    expect(
      (await call('GET', '/roles')).json().items.map((r: { name: string }) => r.name),
    ).not.toContain('Bad');
  });

  it('protects built-in roles: no delete, no rename (409), but their permissions may change', async () => {
    const proctor = await roleId('Proctor');
    const del = await call('DELETE', `/roles/${proctor}`);
    expect(del.statusCode).toBe(409);
    expect(del.json().error).toEqual({
      code: 'CONFLICT',
      message: '"Proctor" is a built-in role and cannot be deleted',
    });
    const rename = await call('PATCH', `/roles/${proctor}`, { name: 'Invigilator' });
    expect(rename.statusCode).toBe(409);
    const perms = await call('PATCH', `/roles/${proctor}`, { permissions: ['classes:read'] });
    expect(perms.statusCode).toBe(200);
    expect(perms.json()).toMatchObject({ name: 'Proctor', permissions: ['classes:read'] });
  });

  it('refuses a duplicate role name with 409', async () => {
    const res = await call('POST', '/roles', { name: 'Teacher', permissions: [] });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toEqual({
      code: 'CONFLICT',
      message: 'A role named "Teacher" already exists',
    });
  });
});

describe('permissions follow the current role, not the token', () => {
  const get = (url: string, headers: Record<string, string>) =>
    t.app.inject({ method: 'GET', url: `/api/v1/admin${url}`, headers });

  it('a permission taken from a role stops working in tokens already signed, and one given works at once', async () => {
    const role = (
      await call('POST', '/roles', { name: 'Examiner', permissions: ['students:read'] })
    ).json();
    const holder = await signIn('Examiner');
    expect((await get('/students', holder.headers)).statusCode).toBe(200);
    expect((await get('/classes', holder.headers)).statusCode).toBe(403);

    await call('PATCH', `/roles/${role.id}`, { permissions: ['classes:read'] });
    expect((await get('/students', holder.headers)).statusCode).toBe(403);
    expect((await get('/classes', holder.headers)).statusCode).toBe(200);
  });

  it('moving an account to another role applies to its tokens at once', async () => {
    await call('POST', '/roles', { name: 'Reader', permissions: ['students:read'] });
    const holder = await signIn('Reader');
    expect((await get('/students', holder.headers)).statusCode).toBe(200);
    const role = (await call('POST', '/roles', { name: 'Nothing much', permissions: [] })).json();
    expect((await call('PATCH', `/staff/${holder.id}`, { roleId: role.id })).statusCode).toBe(200);
    expect((await get('/students', holder.headers)).statusCode).toBe(403);
  });
});

describe('nobody hands out permissions they do not hold', () => {
  let manager: Awaited<ReturnType<typeof signIn>>;
  let managerRole: string;
  let readerRole: string;
  beforeAll(async () => {
    managerRole = (
      await call('POST', '/roles', {
        name: 'Staff manager',
        permissions: ['staff:read', 'staff:write', 'students:read'],
      })
    ).json().id;
    readerRole = (
      await call('POST', '/roles', { name: 'Student reader', permissions: ['students:read'] })
    ).json().id;
    manager = await signIn('Staff manager');
  });
  const asManager = (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    call(method, url, payload, manager.headers);
  const newAccount = (roleId: string) => ({
    email: `new-${Math.random().toString(36).slice(2)}@school.test`,
    name: 'New',
    password: 'new-password',
    roleId,
  });

  it('refuses to give the Admin role — to itself or to a new account — with 403 naming what is missing', async () => {
    const admin = await roleId('Admin');
    const self = await asManager('PATCH', `/staff/${manager.id}`, { roleId: admin });
    expect(self.statusCode).toBe(403);
    expect(self.json().error.code).toBe('FORBIDDEN');
    expect(self.json().error.message).toContain('exams:write_all');
    expect((await asManager('POST', '/staff', newAccount(admin))).statusCode).toBe(403);
    expect((await call('GET', `/staff/${manager.id}`)).json().roleId).toBe(managerRole);
  });

  it('lets it give a role within its own permissions', async () => {
    const res = await asManager('POST', '/staff', newAccount(readerRole));
    expect(res.statusCode).toBe(201);
    expect(
      (await asManager('PATCH', `/staff/${res.json().id}`, { name: 'Renamed' })).statusCode,
    ).toBe(200);
  });

  it('refuses to change or delete an account whose role holds more (its password, say)', async () => {
    const admin = await signIn('Admin');
    const takeover = await asManager('PATCH', `/staff/${admin.id}`, { password: 'mine-now-123' });
    expect(takeover.statusCode).toBe(403);
    expect((await asManager('DELETE', `/staff/${admin.id}`)).statusCode).toBe(403);
    await login(t.app, { email: admin.email, password: admin.password });
  });

  it('refuses to add permissions it lacks to a role, its own included, or to create such a role', async () => {
    const grow = await asManager('PATCH', `/roles/${managerRole}`, {
      permissions: ['staff:read', 'staff:write', 'students:read', 'exams:write_all'],
    });
    expect(grow.statusCode).toBe(403);
    expect(grow.json().error.message).toContain('exams:write_all');
    expect(
      (await asManager('POST', '/roles', { name: 'Mighty', permissions: ['exams:write_all'] }))
        .statusCode,
    ).toBe(403);
    expect(
      (await asManager('POST', '/roles', { name: 'Modest', permissions: ['students:read'] }))
        .statusCode,
    ).toBe(201);
    const teacher = await roleId('Teacher');
    expect(
      (await asManager('PATCH', `/roles/${teacher}`, { description: 'edited' })).statusCode,
    ).toBe(403);
  });
});
