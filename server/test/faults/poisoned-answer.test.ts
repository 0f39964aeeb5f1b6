import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import {
  createClass,
  createStudent,
  createTestApp,
  freshRedisUrl,
  type TestApp,
} from '../harness.js';
import { StudentClient } from '../e2e/student-client.js';
import { createPublishedExam } from '../../src/sessions/test-factories.js';

/**
 * One poisoned answer in the middle of a 30-student exam day (issue 9): a string PostgreSQL
 * will never store. At the door it is refused (HTTP 400, socket error); slipped in below the
 * door, straight into the hot store, it is set aside as a dead letter, and it never holds
 * anyone else's answers hostage: every other acknowledged answer reaches PostgreSQL and
 * every session is graded once. The app runs in this process (listening on a real port)
 * because the below-the-door save needs its hot store in hand.
 */
let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const QUESTIONS = [
  { kind: 'single' as const, options: ['A', 'B', 'C', 'D'], correct: ['B'], points: 2 },
  { kind: 'multi' as const, options: ['A', 'B', 'C', 'D'], correct: ['A', 'C'], points: 3 },
  { kind: 'single' as const, options: ['A', 'B', 'C', 'D'], correct: ['D'], points: 1 },
];

async function examDay(
  env: Record<string, string>,
  deadLettersOf: (t: TestApp) => Promise<string[]>,
) {
  t = await createTestApp(env, env['REDIS_URL'] ? {} : { lane: 'memory' });
  const app = t;
  await app.app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.app.server.address() as AddressInfo).port}`;
  const cls = await createClass(app.sql);
  const exam = await createPublishedExam(app.sql, {
    targets: [{ type: 'CLASS', value: cls.id }],
    questions: QUESTIONS,
  });
  const [q1, q2, q3] = exam.questionIds as [string, string, string];

  const students = await Promise.all(
    Array.from({ length: 30 }, async (_, i) => {
      const s = await createStudent(app.sql, { classId: cls.id });
      const c = new StudentClient(url, s.nisn, s.password);
      await c.login();
      const started = await c.call('POST', `/api/v1/exams/${exam.id}/sessions`, {
        entryToken: exam.entryToken,
      });
      expect(started.status).toBe(201);
      if (i % 2 === 0) await c.connect();
      return {
        c,
        i,
        sessionId: started.body['sessionId'] as string,
        acked: {} as Record<string, unknown>,
      };
    }),
  );
  const save = async (s: (typeof students)[number], questionId: string, answer: unknown) => {
    if (s.i % 2 === 0) {
      const m = await s.c.request({ type: 'save', sessionId: s.sessionId, questionId, answer });
      if (m['type'] === 'saved') s.acked[questionId] = answer;
      return m['type'] === 'saved' ? 'acked' : String(m['code']);
    }
    const r = await s.c.call('PUT', `/api/v1/sessions/${s.sessionId}/answers`, {
      questionId,
      answer,
    });
    if (r.status === 200) s.acked[questionId] = answer;
    return r.status === 200 ? 'acked' : String((r.body['error'] as { code: string }).code);
  };

  // First half of the day: everyone answers q1 and q2.
  await Promise.all(
    students.map(async (s) => {
      expect(await save(s, q1, 'ABCD'[s.i % 4])).toBe('acked');
      expect(await save(s, q2, s.i % 3 === 0 ? ['A', 'C'] : ['B'])).toBe('acked');
    }),
  );

  // The poison, mid-day: at the door over both transports, and below it into the hot store,
  // while everybody else keeps saving.
  const [wsStudent, httpStudent, victim] = [students[0]!, students[1]!, students[7]!];
  const poisonedOutcome = app.ctx.hotStore
    .saveAnswers(victim.sessionId, [{ questionId: q3, answer: 'D\u0000' }], {
      now: Date.now(),
      graceMs: 2000,
    })
    .then(
      () => 'acked',
      (e: { code?: string }) => e.code ?? 'ERROR',
    );
  const rest = await Promise.all([
    save(wsStudent, q3, 'D\u0000'),
    save(httpStudent, q3, 'x\ud800'),
    ...students.filter((s) => s !== victim).map((s) => save(s, q3, s.i % 2 === 0 ? 'D' : 'A')),
  ]);
  expect(rest.slice(0, 2)).toEqual(['VALIDATION_FAILED', 'VALIDATION_FAILED']);
  expect(rest.slice(2).every((r) => r === 'acked')).toBe(true);
  // The memory lane acknowledges after commit, so it refuses the save; the redis lane has
  // acknowledged it in Redis before PostgreSQL saw it, and sets it aside there.
  const poisoned = await poisonedOutcome;
  expect(poisoned).toBe(env['REDIS_URL'] ? 'acked' : 'VALIDATION_FAILED');

  // The rest of the day carries on: more saves, then everyone submits.
  await Promise.all(students.map(async (s) => expect(await save(s, q1, 'B')).toBe('acked')));
  const results = await Promise.all(
    students.map((s) => s.c.call('POST', `/api/v1/sessions/${s.sessionId}/submit`)),
  );
  for (const r of results) expect(r.status, JSON.stringify(r.body)).toBe(200);

  await app.ctx.hotStore.flush();
  const ready = await app.app.inject({ method: 'GET', url: '/health/ready' });
  expect(ready.statusCode, ready.body).toBe(200);

  // Every acknowledged answer other than the poisoned one is in PostgreSQL; one result per session.
  for (const [n, s] of students.entries()) {
    const answers = await app.sql<{ questionId: string; answer: unknown }[]>`
      SELECT question_id AS "questionId", answer FROM session_answers WHERE session_id = ${s.sessionId}`;
    expect(
      Object.fromEntries(answers.map((a) => [a.questionId, a.answer])),
      `student ${n}`,
    ).toEqual(s.acked);
    const [session] = await app.sql<{ status: string; score: number | null }[]>`
      SELECT status, score::float8 AS score FROM exam_sessions WHERE id = ${s.sessionId}`;
    expect(session).toMatchObject({ status: 'SCORED', score: results[n]!.body['score'] });
  }
  const dead = await deadLettersOf(app);
  expect(dead).toHaveLength(1);
  expect(dead[0]).toContain(victim.sessionId);
  for (const s of students) s.c.close();
  return app;
}

describe('one poisoned answer in a 30-student exam day', () => {
  it('memory lane: refused at the door, set aside below it; everyone else saved and graded', async () => {
    const app = await examDay({ ROLES: 'api,writer' }, async (a) =>
      (await a.sql<{ payload: string }[]>`SELECT payload FROM dead_letters`).map((r) => r.payload),
    );
    const metrics = await app.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/^examhall_log_dead_letters_total 1$/m);
  });

  it('redis lane: refused at the door, dead-lettered by the writer below it; everyone else saved and graded', async () => {
    await examDay({ REDIS_URL: freshRedisUrl() }, async (a) => {
      const lane = a.ctx.redis!;
      const entries = await Promise.all(
        lane.keys
          .allShards()
          .map((shard) => lane.redis.xrange(lane.keys.deadLetters(shard), '-', '+')),
      );
      return entries.flat().map(([, fields]) => fields.join(' '));
    });
  });
});
