import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredRoutes } from '../app.js';
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
  t = await createTestApp({ BODY_LIMIT_BYTES: '4096' });
});
afterAll(async () => t?.close());

function expectErrorShape(
  res: { statusCode: number; json: () => unknown },
  status: number,
  code: string,
) {
  expect(res.statusCode).toBe(status);
  expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
}

describe('bad input answers 4xx in the API.md error shape', () => {
  const login = (payload: string, contentType = 'application/json') =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload,
      headers: { 'content-type': contentType },
    });

  it('malformed JSON', async () =>
    expectErrorShape(await login('{"nisn": '), 400, 'VALIDATION_FAILED'));
  it('wrong types are not coerced', async () =>
    expectErrorShape(await login('{"nisn": 123, "password": "x"}'), 400, 'VALIDATION_FAILED'));
  it('unknown fields', async () =>
    expectErrorShape(
      await login('{"nisn": "1", "password": "x", "admin": true}'),
      400,
      'VALIDATION_FAILED',
    ));
  it('missing fields', async () => expectErrorShape(await login('{}'), 400, 'VALIDATION_FAILED'));
  it('oversized bodies', async () =>
    expectErrorShape(
      await login(JSON.stringify({ nisn: '1', password: 'x'.repeat(10_000) })),
      413,
      'PAYLOAD_TOO_LARGE',
    ));
  it('unsupported content types', async () => {
    const res = await login('nisn=1', 'application/x-www-form-urlencoded');
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBeTypeOf('string');
  });
  it('unknown routes', async () =>
    expectErrorShape(
      await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' }),
      404,
      'NOT_FOUND',
    ));
});

describe('authentication and permission on admin routes', () => {
  const adminRoutes = () =>
    registeredRoutes(t.app).filter((r) => r.url.startsWith('/api/v1/admin') && r.method !== 'HEAD');

  it('has admin routes to check', () => expect(adminRoutes().length).toBeGreaterThan(0));

  it('answers 401 without a token and 403 FORBIDDEN to a student token on every admin route', async () => {
    const s = await createStudent(t.sql);
    const { accessToken } = await login(t.app, { nisn: s.nisn, password: s.password });
    for (const route of adminRoutes()) {
      const url = route.url
        .replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000')
        .replace('*', 'x');
      const method = route.method as 'GET';
      const anonymous = await t.app.inject({ method, url });
      expect(anonymous.statusCode, `${route.method} ${route.url} without a token`).toBe(401);
      const asStudent = await t.app.inject({
        method,
        url,
        headers: bearer(accessToken),
        payload: {},
      });
      expect(asStudent.statusCode, `${route.method} ${route.url} as a student`).toBe(403);
      expect(asStudent.json().error.code).toBe('FORBIDDEN');
    }
  });

  it('rejects a garbage token with 401', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: bearer('abc.def.ghi'),
    });
    expectErrorShape(res, 401, 'UNAUTHENTICATED');
  });
});

describe('operations', () => {
  it('is live and ready with a database check', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { database: 'ok' } });
  });

  it('exposes Prometheus metrics with HTTP latency by route', async () => {
    await t.app.inject({ method: 'GET', url: '/health/live' });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('examhall_http_request_duration_seconds_bucket');
    expect(res.body).toContain('route="/health/live"');
    expect(res.body).toContain('process_resident_memory_bytes');
  });

  it('sends security headers and a request id', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });
});

describe('OpenAPI', () => {
  it('describes every public route with its schemas', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as {
      paths: Record<
        string,
        Record<string, { responses?: object; requestBody?: object; parameters?: unknown[] }>
      >;
    };
    const toOpenApi = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');
    const routes = registeredRoutes(t.app).filter(
      (r) => !r.hidden && r.method !== 'HEAD' && !r.url.startsWith('/docs') && r.url !== '*',
    );
    expect(routes.length).toBeGreaterThan(3);
    for (const route of routes) {
      const op = doc.paths[toOpenApi(route.url)]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.url} in /openapi.json`).toBeDefined();
      expect(
        Object.keys(op!.responses ?? {}).length,
        `${route.method} ${route.url} responses`,
      ).toBeGreaterThan(0);
      if (
        ['POST', 'PUT', 'PATCH'].includes(route.method) &&
        !/logout|publish|close|token|submit|reset-login|release/.test(route.url)
      ) {
        expect(
          op!.requestBody ?? op!.parameters,
          `${route.method} ${route.url} request schema`,
        ).toBeDefined();
      }
    }
    expect((await t.app.inject({ method: 'GET', url: '/docs' })).statusCode).toBeLessThan(400);
  });

  it('staff tokens work on the same app (sanity for the route checks above)', async () => {
    const staff = await createStaff(t.sql);
    const pair = await login(t.app, { email: staff.email, password: staff.password });
    expect(pair.user.id).toBe(staff.id);
  });
});
