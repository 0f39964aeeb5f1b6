import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredRoutes } from '../../src/app.js';
import { createPublishedExam, type TestExam } from '../../src/sessions/test-factories.js';
import {
  bearer,
  createClass,
  createStaff,
  createStudent,
  createTestApp,
  login,
  type TestApp,
} from '../harness.js';

/**
 * The property behind issue 9: whatever JSON arrives, on whatever route, in body or query
 * (every control character, lone surrogates, huge and odd numbers, deep nesting, field
 * names the route knows with values it does not expect), the server answers below 500,
 * stays healthy, and the students sitting the exam meanwhile keep getting their saves
 * acknowledged and persisted.
 */
let t: TestApp;
let staff: Record<string, string>;
let fuzzer: Record<string, string>;
let target: TestExam; // the fuzzer may do anything to this exam
let examDay: TestExam; // the bystanders' exam, never named to the fuzzer
const ids: Record<string, string> = {};

interface ObjectSchema {
  properties?: Record<string, unknown>;
  anyOf?: ObjectSchema[];
  oneOf?: ObjectSchema[];
}
interface Operation {
  requestBody?: { content?: Record<string, { schema?: ObjectSchema }> };
  parameters?: { in: string; name: string }[];
}
let openapi: Record<string, Record<string, Operation>>;

beforeAll(async () => {
  t = await createTestApp({ ROLES: 'api,writer' });
  const admin = await createStaff(t.sql);
  staff = bearer(
    (await login(t.app, { email: admin.email, password: admin.password })).accessToken,
  );
  const cls = await createClass(t.sql);
  target = await createPublishedExam(t.sql, { targets: [{ type: 'CLASS', value: cls.id }] });
  examDay = await createPublishedExam(t.sql, { targets: [{ type: 'CLASS', value: cls.id }] });
  const s = await createStudent(t.sql, { classId: cls.id });
  fuzzer = bearer((await login(t.app, { nisn: s.nisn, password: s.password })).accessToken);
  const started = await t.app.inject({
    method: 'POST',
    url: `/api/v1/exams/${target.id}/sessions`,
    headers: fuzzer,
    payload: { entryToken: target.entryToken },
  });
  Object.assign(ids, {
    session: started.json<{ sessionId: string }>().sessionId,
    exam: target.id,
    question: target.questionIds[0]!,
    class: (await createClass(t.sql)).id,
    student: (await createStudent(t.sql)).id,
    staff: (await createStaff(t.sql, { role: 'Teacher' })).id,
  });
  openapi = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
    paths: typeof openapi;
  }>().paths;
});
afterAll(async () => t?.close());

// ── Arbitraries ───────────────────────────────────────────────────────────────────────

const awkwardChar = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom(
    '\u007f',
    '\u2028',
    '\u2029',
    '\ufeff',
    '\ufffe',
    '\ud83d\ude00',
    '"',
    '\\',
    '%',
    '<script>',
    "'; DROP TABLE x; --",
    'A',
    'B',
    'T',
  ),
  fc.string({ maxLength: 3 }),
);
const awkwardString = fc.oneof(
  fc.array(awkwardChar, { maxLength: 12 }).map((parts) => parts.join('')),
  fc.constantFrom(
    '',
    ' ',
    'A',
    'single',
    'text',
    'CLASS',
    '2026-01-01T08:00:00Z',
    '0000-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    randomUUID(),
    'x'.repeat(70_000),
  ),
  fc
    .constant(null)
    .map(() => Object.values(ids)[Math.floor(Math.random() * Object.values(ids).length)] ?? ''),
);
const awkwardNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(
    0,
    -0,
    1,
    -1,
    1.5,
    2 ** 31,
    2 ** 53 + 1,
    1e21,
    1e308,
    -1e308,
    5e-324,
    Number('99999999999999999999'),
  ),
);
const leaf = fc.oneof(awkwardString, awkwardNumber, fc.boolean(), fc.constant(null));

/** A JSON value whose keys are mostly the ones the route knows. */
const jsonFor = (keys: string[]) => {
  const key =
    keys.length > 0
      ? fc.oneof(fc.constantFrom(...keys), fc.constantFrom(...keys), awkwardString)
      : awkwardString;
  return fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      tie('array'),
      tie('object'),
    ),
    array: fc.array(tie('value'), { maxLength: 4 }),
    object: fc.dictionary(key, tie('value'), { maxKeys: 6 }),
  })).object as fc.Arbitrary<unknown>;
};

/** An object of the route's own fields (any subset), each with an awkward value: gets past shape checks. */
const nearValid = (keys: string[]) =>
  keys.length === 0
    ? jsonFor([])
    : fc
        .subarray(keys, { minLength: 1 })
        .chain((picked) =>
          fc
            .tuple(
              ...picked.map(() =>
                fc.oneof({ weight: 4, arbitrary: leaf }, { weight: 1, arbitrary: jsonFor(keys) }),
              ),
            )
            .map((values) => Object.fromEntries(picked.map((k, i) => [k, values[i]]))),
        );

/** Nested deeper than any schema (and than JSON.stringify could go): `[[[…]]]` or `{"a":{"a":…}}`, as text. */
const deep = fc
  .tuple(fc.integer({ min: 100, max: 50_000 }), fc.boolean())
  .map(([depth, arrays]) => ({
    raw: arrays
      ? `${'['.repeat(depth)}"bottom\\u0000"${']'.repeat(depth)}`
      : `${'{"questionId":'.repeat(depth)}"bottom"${'}'.repeat(depth)}`,
  }));

function routeKeys(op: Operation | undefined): { body: string[]; query: string[] } {
  const schema = op?.requestBody?.content?.['application/json']?.schema;
  const members = [schema, ...(schema?.anyOf ?? []), ...(schema?.oneOf ?? [])];
  return {
    body: [...new Set(members.flatMap((m) => Object.keys(m?.properties ?? {})))],
    query: (op?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
  };
}

/** A real id for the route's parameter (or a stranger's, or garbage), so requests get past lookups. */
function fillParams(url: string, pick: number): string {
  return url.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    if (pick % 5 === 4) return encodeURIComponent(['x', '0', '%00', randomUUID()][pick % 4]!);
    if (name === 'sessionId' || (name === 'id' && url.includes('/sessions/')))
      return ids['session']!;
    if (name === 'examId' || (name === 'id' && url.includes('/exams/'))) return ids['exam']!;
    if (name === 'questionId' || (name === 'id' && url.includes('/questions/')))
      return ids['question']!;
    if (url.includes('/classes/')) return ids['class']!;
    if (url.includes('/students/')) return ids['student']!;
    if (url.includes('/staff/')) return ids['staff']!;
    return randomUUID();
  });
}

/** Staff for admin routes (or when asked), the fuzzer otherwise; logout signs out a throwaway login, not theirs. */
async function tokenFor(url: string, asStaff: boolean): Promise<Record<string, string>> {
  if (url !== '/api/v1/auth/logout')
    return url.startsWith('/api/v1/admin') || asStaff ? staff : fuzzer;
  const s = await createStudent(t.sql);
  return bearer((await login(t.app, { nisn: s.nisn, password: s.password })).accessToken);
}

// ── The bystanders: students saving throughout ────────────────────────────────────────

async function bystanders(count: number) {
  const students = await Promise.all(
    Array.from({ length: count }, async () => {
      const s = await createStudent(t.sql, {
        classId: (await t.sql<{ id: string }[]>`SELECT id FROM classes LIMIT 1`)[0]!.id,
      });
      const headers = bearer(
        (await login(t.app, { nisn: s.nisn, password: s.password })).accessToken,
      );
      const started = await t.app.inject({
        method: 'POST',
        url: `/api/v1/exams/${examDay.id}/sessions`,
        headers,
        payload: { entryToken: examDay.entryToken },
      });
      return { headers, sessionId: started.json<{ sessionId: string }>().sessionId, last: '' };
    }),
  );
  const textQuestion = examDay.questionIds[2]!;
  let running = true;
  let acked = 0;
  const failures: string[] = [];
  const loops = students.map(async (s, i) => {
    for (let n = 0; running; n += 1) {
      const answer = `bystander ${i} save ${n}`;
      const res = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/sessions/${s.sessionId}/answers`,
        headers: s.headers,
        payload: { questionId: textQuestion, answer },
      });
      if (res.statusCode !== 200) {
        failures.push(`${res.statusCode} ${res.body}`);
      } else {
        s.last = answer;
        acked += 1;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      await t.ctx.hotStore.flush();
      for (const s of students) {
        const [row] = await t.sql<
          { answer: string }[]
        >`SELECT answer FROM session_answers WHERE session_id = ${s.sessionId} AND question_id = ${textQuestion}`;
        expect(row?.answer, 'the last acknowledged answer is in PostgreSQL').toBe(s.last);
      }
      return { acked, failures };
    },
  };
}

// ── The property ───────────────────────────────────────────────────────────────────────

describe('hostile JSON on every route', () => {
  it('never answers 5xx, stays healthy, and bystanders keep saving throughout', async () => {
    const routes = registeredRoutes(t.app).filter(
      (r) => r.url.startsWith('/api/') && r.method !== 'HEAD' && r.url !== '/api/v1/ws',
    );
    expect(routes.length).toBeGreaterThan(40);
    const others = await bystanders(4);
    const seen = new Set<string>();

    const request = fc.integer({ min: 0, max: routes.length - 1 }).chain((i) => {
      const route = routes[i]!;
      const keys = routeKeys(
        openapi[route.url.replace(/:([A-Za-z]+)/g, '{$1}')]?.[route.method.toLowerCase()],
      );
      return fc.record({
        route: fc.constant(route),
        pick: fc.nat(),
        body: fc.oneof(
          { weight: 6, arbitrary: nearValid(keys.body) },
          { weight: 3, arbitrary: jsonFor(keys.body) },
          { weight: 1, arbitrary: deep },
          { weight: 1, arbitrary: leaf },
        ),
        query: fc.dictionary(
          fc.oneof(fc.constantFrom(...keys.query, 'page', 'pageSize'), awkwardString),
          fc.oneof(awkwardString, awkwardNumber.map(String)),
          { maxKeys: 3 },
        ),
        asStaff: fc.boolean(),
      });
    });

    const statuses = new Map<number, number>();
    let outcome: Awaited<ReturnType<typeof others.stop>>;
    try {
      await fc.assert(
        fc.asyncProperty(request, async ({ route, pick, body, query, asStaff }) => {
          const url = fillParams(route.url, pick);
          const serialized =
            typeof body === 'object' && body !== null && 'raw' in body
              ? String(body.raw)
              : JSON.stringify(body);
          const qs = new URLSearchParams(
            Object.entries(query).map(([k, v]) => [k, String(v)]),
          ).toString();
          const res = await t.app.inject({
            method: route.method as 'POST',
            url: qs ? `${url}?${qs}` : url,
            headers: {
              ...(await tokenFor(route.url, asStaff)),
              'content-type': 'application/json',
            },
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: serialized }),
          });
          seen.add(`${route.method} ${route.url}`);
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          expect(
            res.statusCode,
            `${route.method} ${url}?${qs} ${serialized.slice(0, 300)} → ${res.body.slice(0, 300)}`,
          ).toBeLessThan(500);
          if (res.statusCode >= 400)
            expect(res.json()).toEqual({
              error: { code: expect.any(String), message: expect.any(String) },
            });
        }),
        { numRuns: 2500, endOnFailure: true },
      );
    } finally {
      outcome = await others.stop();
    }
    const { acked, failures } = outcome;
    // The fuzzer got past the door often enough to mean something: services ran, not only schemas.
    expect(statuses.get(200) ?? 0, JSON.stringify([...statuses])).toBeGreaterThan(200);
    expect(failures).toEqual([]);
    expect(acked).toBeGreaterThan(20);
    expect(seen.size).toBeGreaterThan(routes.length * 0.8);
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode, ready.body).toBe(200);
  });
});
