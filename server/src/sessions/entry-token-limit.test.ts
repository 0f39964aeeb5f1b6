import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bearer,
  createClass,
  createStudent,
  createTestApp,
  login,
  type TestApp,
} from '../../test/harness.js';
import { createPublishedExam, type TestExam } from './test-factories.js';

/** Wrong entry-token guesses are limited per student and exam (issue 9). */
let t: TestApp;
let classId: string;
let exam: TestExam;
let other: TestExam;

beforeAll(async () => {
  t = await createTestApp();
  classId = (await createClass(t.sql)).id;
  exam = await createPublishedExam(t.sql, { targets: [{ type: 'CLASS', value: classId }] });
  other = await createPublishedExam(t.sql, { targets: [{ type: 'CLASS', value: classId }] });
});
afterAll(async () => t?.close());

async function student() {
  const s = await createStudent(t.sql, { classId });
  return bearer((await login(t.app, { nisn: s.nisn, password: s.password })).accessToken);
}

const start = (headers: Record<string, string>, examId: string, entryToken: string) =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/exams/${examId}/sessions`,
    headers,
    payload: { entryToken },
  });

async function guessWrong(
  headers: Record<string, string>,
  examId: string,
  times: number,
): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i += 1)
    statuses.push((await start(headers, examId, `NOPE${i}`)).statusCode);
  return statuses;
}

describe('entry-token guesses', () => {
  it('answers the tenth wrong guess and everything after, the right token included, with 429 and Retry-After', async () => {
    const me = await student();
    const statuses = await guessWrong(me, exam.id, 10);
    expect(statuses.slice(0, 9)).toEqual(Array(9).fill(403));
    expect(statuses[9]).toBe(429);

    const right = await start(me, exam.id, exam.entryToken);
    expect(right.statusCode).toBe(429);
    expect(right.json().error.code).toBe('RATE_LIMITED');
    const wait = Number(right.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(5 * 60);
  });

  it('counts per student and per exam: the others are not held up', async () => {
    const guesser = await student();
    await guessWrong(guesser, exam.id, 10);
    expect((await start(guesser, other.id, other.entryToken)).statusCode).toBe(201);
    expect((await start(await student(), exam.id, exam.entryToken)).statusCode).toBe(201);
  });

  it('lets a student who mistyped a few times in', async () => {
    const me = await student();
    expect(await guessWrong(me, exam.id, 3)).toEqual([403, 403, 403]);
    expect((await start(me, exam.id, exam.entryToken)).statusCode).toBe(201);
  });
});
