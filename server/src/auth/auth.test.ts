import bcrypt from 'bcrypt';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../app.js';
import { createContext } from '../context.js';
import { bcryptCostOf } from './passwords.js';
import {
  bearer,
  createStaff,
  createStudent,
  createTestApp,
  login,
  type TestApp,
} from '../../test/harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers });

describe('login', () => {
  it('signs a student in by NISN with a token that carries studentId and classId', async () => {
    const s = await createStudent(t.sql);
    const res = await post('/api/v1/auth/login', { nisn: s.nisn, password: s.password });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ id: s.id, kind: 'student', nisn: s.nisn });
    expect(body.expiresIn).toBe(t.config.accessTokenTtlSeconds);
    const claims = JSON.parse(Buffer.from(body.accessToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: s.id, kind: 'student', classId: null });
  });

  it('signs staff in by email with their permission codes in the token', async () => {
    const staff = await createStaff(t.sql, { role: 'Teacher' });
    const res = await post('/api/v1/auth/login', {
      email: staff.email.toUpperCase(),
      password: staff.password,
    });
    expect(res.statusCode).toBe(200);
    const claims = JSON.parse(
      Buffer.from(res.json().accessToken.split('.')[1], 'base64url').toString(),
    );
    expect(claims.perms).toContain('exams:write_own');
    expect(claims.perms).not.toContain('exams:write_all');
  });

  it('answers a wrong password with 401 and the same message as an unknown account', async () => {
    const s = await createStudent(t.sql);
    const wrong = await post('/api/v1/auth/login', { nisn: s.nisn, password: 'nope' });
    const unknown = await post('/api/v1/auth/login', { nisn: '999999999999', password: 'nope' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('locks an account after ten wrong passwords in a row, with Retry-After', async () => {
    const s = await createStudent(t.sql);
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1)
      statuses.push(
        (await post('/api/v1/auth/login', { nisn: s.nisn, password: `bad-${i}` })).statusCode,
      );
    expect(statuses.slice(0, 9)).toEqual(Array(9).fill(401));
    expect(statuses[9]).toBe(429);
    const locked = await post('/api/v1/auth/login', { nisn: s.nisn, password: s.password });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().error.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('locks for a minute at first, not a quarter of an hour', async () => {
    const s = await createStudent(t.sql);
    for (let i = 0; i < 10; i += 1)
      await post('/api/v1/auth/login', { nisn: s.nisn, password: `bad-${i}` });
    const locked = await post('/api/v1/auth/login', { nisn: s.nisn, password: s.password });
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(60);
  });

  it('lets many successful logins through from one address (a school behind one NAT)', async () => {
    const students = await Promise.all(Array.from({ length: 40 }, () => createStudent(t.sql)));
    const results = await Promise.all(
      students.map((s) => post('/api/v1/auth/login', { nisn: s.nisn, password: s.password })),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(40).fill(200));
  });
});

describe('unknown accounts', () => {
  // Different costs for staff and students, so the test can tell which stand-in was used.
  let costly: TestApp;
  beforeAll(async () => {
    costly = await createTestApp({ STAFF_BCRYPT_COST: '6', STUDENT_BCRYPT_COST: '5' });
  });
  afterAll(async () => costly?.close());

  /** The cost of every hash bcrypt compared a password with while `run` ran. */
  async function comparedCosts(run: () => Promise<unknown>): Promise<(number | undefined)[]> {
    const spy = vi.spyOn(bcrypt, 'compare');
    try {
      await run();
      return spy.mock.calls.map(([, hash]) => bcryptCostOf(String(hash)));
    } finally {
      spy.mockRestore();
    }
  }

  it('compares an unknown staff email with a stand-in of the staff cost (timing must not tell which emails exist)', async () => {
    expect(bcryptCostOf(await costly.ctx.auth.standInHash('staff'))).toBe(6);
    const costs = await comparedCosts(() =>
      costly.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'nobody@school.test', password: 'whatever-1' },
      }),
    );
    expect(costs).toEqual([6]);
  });

  it('compares an unknown NISN with a stand-in of the student cost', async () => {
    expect(bcryptCostOf(await costly.ctx.auth.standInHash('student'))).toBe(5);
    const costs = await comparedCosts(() =>
      costly.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { nisn: '999999999998', password: 'whatever' },
      }),
    );
    expect(costs).toEqual([5]);
  });
});

describe('one address past its failure limit (a school behind one NAT)', () => {
  let nat: TestApp;
  beforeAll(async () => {
    nat = await createTestApp({ LOGIN_MAX_FAILURES_PER_IP: '5' });
  });
  afterAll(async () => nat?.close());
  const attempt = (payload: object) =>
    nat.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload,
      remoteAddress: '10.1.2.3',
    });

  it('still signs in correct passwords and refuses only the wrong ones, known and unknown accounts alike', async () => {
    const mistyped = await Promise.all(Array.from({ length: 5 }, () => createStudent(nat.sql)));
    for (const s of mistyped) await attempt({ nisn: s.nisn, password: 'typo' });

    const s = await createStudent(nat.sql);
    const staff = await createStaff(nat.sql);
    expect((await attempt({ nisn: s.nisn, password: s.password })).statusCode).toBe(200);
    expect((await attempt({ email: staff.email, password: staff.password })).statusCode).toBe(200);

    const wrong = await attempt({ nisn: s.nisn, password: 'wrong' });
    const unknown = await attempt({ nisn: '999999999997', password: 'wrong' });
    expect(wrong.statusCode).toBe(429);
    expect(Number(wrong.headers['retry-after'])).toBeGreaterThan(0);
    expect(unknown.statusCode).toBe(429);
    expect(unknown.json()).toEqual(wrong.json());
    // Another address is not affected.
    const elsewhere = await nat.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { nisn: s.nisn, password: 'wrong' },
      remoteAddress: '10.9.9.9',
    });
    expect(elsewhere.statusCode).toBe(401);
  });
});

describe('single device', () => {
  it('makes the first token answer 401 SESSION_REPLACED after a second login', async () => {
    const s = await createStudent(t.sql);
    const first = await login(t.app, { nisn: s.nisn, password: s.password });
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/logout',
          headers: bearer(first.accessToken),
        })
      ).statusCode,
    ).not.toBe(401);
    const again = await login(t.app, { nisn: s.nisn, password: s.password });
    const third = await login(t.app, { nisn: s.nisn, password: s.password });
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(again.accessToken),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('SESSION_REPLACED');
    const refreshed = await post('/api/v1/auth/refresh', { refreshToken: again.refreshToken });
    expect(refreshed.json().error.code).toBe('SESSION_REPLACED');
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/logout',
          headers: bearer(third.accessToken),
        })
      ).statusCode,
    ).toBe(204);
  });

  it('lets staff stay signed in on several devices', async () => {
    const staff = await createStaff(t.sql);
    const a = await login(t.app, { email: staff.email, password: staff.password });
    await login(t.app, { email: staff.email, password: staff.password });
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/logout',
          headers: bearer(a.accessToken),
        })
      ).statusCode,
    ).toBe(204);
  });
});

describe('refresh tokens', () => {
  it('rotates, and reusing a rotated token revokes the whole family', async () => {
    const s = await createStudent(t.sql);
    const first = await login(t.app, { nisn: s.nisn, password: s.password });
    const second = await post('/api/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(second.statusCode).toBe(200);
    const pair = second.json();
    expect(pair.refreshToken).not.toBe(first.refreshToken);

    const reused = await post('/api/v1/auth/refresh', { refreshToken: first.refreshToken });
    expect(reused.statusCode).toBe(401);
    // The family is gone: the newest refresh token and the access token both stop working.
    expect(
      (await post('/api/v1/auth/refresh', { refreshToken: pair.refreshToken })).statusCode,
    ).toBe(401);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(pair.accessToken),
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
  });

  it('refuses a forged refresh token', async () => {
    const s = await createStudent(t.sql);
    const first = await login(t.app, { nisn: s.nisn, password: s.password });
    const [id] = first.refreshToken.split('.');
    expect(
      (await post('/api/v1/auth/refresh', { refreshToken: `${id}.forged-secret-value` }))
        .statusCode,
    ).toBe(401);
    expect(
      (await post('/api/v1/auth/refresh', { refreshToken: 'not-a-token-at-all' })).statusCode,
    ).toBe(401);
  });

  it('logout revokes the access token at once', async () => {
    const staff = await createStaff(t.sql);
    const pair = await login(t.app, { email: staff.email, password: staff.password });
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/logout',
          headers: bearer(pair.accessToken),
        })
      ).statusCode,
    ).toBe(204);
    const after = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer(pair.accessToken),
    });
    expect(after.statusCode).toBe(401);
    expect(
      (await post('/api/v1/auth/refresh', { refreshToken: pair.refreshToken })).statusCode,
    ).toBe(401);
  });
});

describe('response headers', () => {
  it('marks token responses (login, refresh) as never to be stored', async () => {
    const s = await createStudent(t.sql);
    const signedIn = await post('/api/v1/auth/login', { nisn: s.nisn, password: s.password });
    const refreshed = await post('/api/v1/auth/refresh', {
      refreshToken: signedIn.json().refreshToken,
    });
    for (const res of [signedIn, refreshed]) {
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['pragma']).toBe('no-cache');
    }
  });

  it('sends Strict-Transport-Security over HTTPS only', async () => {
    const plain = await post('/api/v1/auth/login', { nisn: '1', password: 'x' });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    expect(
      (await t.app.inject({ method: 'GET', url: '/health/live' })).headers[
        'strict-transport-security'
      ],
    ).toBeUndefined();

    // The app behind a socket that says it is TLS (what node's https server gives it).
    const server = createServer((req, res) => {
      Object.assign(req.socket, { encrypted: true });
      t.app.routing(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/health/live`);
      expect(res.status).toBe(200);
      expect(res.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('restarts', () => {
  it('keeps everyone signed in across a restart (same secret, fresh process state)', async () => {
    const s = await createStudent(t.sql);
    const secret = 'restart-secret-restart-secret-restart-secret';
    const ctxA = createContext({
      config: t.config,
      sql: t.sql,
      logger: t.ctx.logger,
      jwtSecret: secret,
    });
    const replaced = await ctxA.auth.login(
      { nisn: s.nisn, password: s.password },
      { ip: '127.0.0.1', userAgent: undefined },
    );
    const before = await ctxA.auth.login(
      { nisn: s.nisn, password: s.password },
      { ip: '127.0.0.1', userAgent: undefined },
    );
    // A brand-new context has an empty login cache, as after a restart.
    const ctxB = createContext({
      config: t.config,
      sql: t.sql,
      logger: t.ctx.logger,
      jwtSecret: secret,
    });
    const appB = await buildApp(ctxB);
    const res = await appB.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: before.refreshToken },
    });
    expect(res.statusCode).toBe(200);
    const principal = await ctxB.auth.authenticate(before.accessToken);
    expect(principal).toMatchObject({ kind: 'student', id: s.id });
    // …and the replaced login is still known to be replaced.
    await expect(
      ctxB.auth
        .authenticate(replaced.accessToken)
        .catch((e: { code: string }) => Promise.reject(e.code)),
    ).rejects.toBe('SESSION_REPLACED');
    await appB.close();
  });
});
