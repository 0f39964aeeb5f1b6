import { randomUUID } from 'node:crypto';
import { AppError } from '../../platform/errors.js';
import { describe, expect, it } from 'vitest';
import { createStudent, createTestDatabase } from '../../../test/harness.js';
import { createPublishedExam } from '../test-factories.js';
import { sessionStoreContract } from './contract.js';
import { latestPerQuestion, type AnswerRow } from './durable.repo.js';
import { MemorySessionStore } from './memory.js';

sessionStoreContract('memory', async () => {
  const db = await createTestDatabase();
  const exam = await createPublishedExam(db.sql);
  let store = new MemorySessionStore(db.sql, { commitWindowMs: 2 });
  return {
    get store() {
      return store;
    },
    sql: db.sql,
    async newSession(overrides = {}) {
      const student = await createStudent(db.sql);
      const now = Date.now();
      return {
        id: randomUUID(),
        examId: exam.id,
        studentId: student.id,
        startedAt: now,
        endsAt: now + 60 * 60_000,
        shuffleSeed: 42,
        questionOrder: exam.questionIds,
        optionOrders: {},
        ...overrides,
      };
    },
    async restart() {
      // A crash loses RAM only: acknowledged writes were committed before their ack.
      await store.close();
      store = new MemorySessionStore(db.sql, { commitWindowMs: 2 });
      return store;
    },
    async close() {
      await store.close();
      await db.drop();
    },
  };
});

const row = (sessionId: string, questionId: string, seq: number): AnswerRow => ({
  sessionId,
  questionId,
  answer: String(seq),
  seq,
  savedAt: seq,
  clientTs: null,
});

describe('a save PostgreSQL refuses for good (below the door: the HTTP and socket guards refuse it first)', () => {
  it('is set aside in dead_letters and refused; every other save of its batch commits and the lane keeps going', async () => {
    const db = await createTestDatabase();
    const setAside: number[] = [];
    // A wide window, so the poisoned save shares its batch with everyone else's.
    const store = new MemorySessionStore(db.sql, {
      commitWindowMs: 50,
      onSetAside: (rows) => setAside.push(rows.length),
    });
    try {
      const exam = await createPublishedExam(db.sql);
      const [q1, q2, q3] = exam.questionIds as [string, string, string];
      const now = Date.now();
      const ids = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const student = await createStudent(db.sql);
          const id = randomUUID();
          await store.createSession({
            id,
            examId: exam.id,
            studentId: student.id,
            startedAt: now,
            endsAt: now + 60 * 60_000,
            shuffleSeed: 1,
            questionOrder: exam.questionIds,
            optionOrders: {},
          });
          return id;
        }),
      );
      const opts = { now: Date.now(), graceMs: 2000 };
      const poisoned = ids[3]!;
      await store.saveAnswers(poisoned, [{ questionId: q3, answer: 'before' }], opts);

      const outcomes = await Promise.all([
        ...ids.map((id) =>
          store
            .saveAnswers(
              id,
              [
                { questionId: q1, answer: 'B' },
                { questionId: q2, answer: ['A', 'C'] },
              ],
              opts,
            )
            .then(() => 'acked', String),
        ),
        store.saveAnswers(poisoned, [{ questionId: q3, answer: 'bad \u0000 text' }], opts).then(
          () => 'acked',
          (e: unknown) => e,
        ),
      ]);
      expect(outcomes.slice(0, ids.length)).toEqual(ids.map(() => 'acked'));
      const refused = outcomes[ids.length];
      expect(refused).toBeInstanceOf(AppError);
      expect((refused as AppError).code).toBe('VALIDATION_FAILED');

      // PostgreSQL has every acknowledged answer; the refused one is in dead_letters with its reason.
      const rows = await db.sql<{ sessionId: string; questionId: string; answer: unknown }[]>`
        SELECT session_id AS "sessionId", question_id AS "questionId", answer FROM session_answers ORDER BY session_id, question_id`;
      const durable = new Map(rows.map((r) => [`${r.sessionId}/${r.questionId}`, r.answer]));
      for (const id of ids) {
        expect(durable.get(`${id}/${q1}`)).toBe('B');
        expect(durable.get(`${id}/${q2}`)).toEqual(['A', 'C']);
      }
      expect(durable.get(`${poisoned}/${q3}`)).toBe('before');
      const dead = await db.sql<
        { source: string; payload: string; reason: string }[]
      >`SELECT source, payload, reason FROM dead_letters`;
      expect(dead).toHaveLength(1);
      expect(dead[0]!.source).toBe('group-commit');
      expect(JSON.parse(dead[0]!.payload)).toEqual([
        expect.objectContaining({ sessionId: poisoned, questionId: q3, answer: 'bad \u0000 text' }),
      ]);
      expect(dead[0]!.reason).toMatch(/\\u0000|unicode/i);
      expect(setAside).toEqual([1]);

      // RAM went back to what PostgreSQL has, and the session goes on: saves, submit, flush.
      expect((await store.getSession(poisoned))!.answers[q3]!.answer).toBe('before');
      await store.saveAnswers(poisoned, [{ questionId: q3, answer: 'after' }], {
        now: Date.now(),
        graceMs: 2000,
      });
      const submitted = await store.submit(poisoned, { now: Date.now(), reason: 'STUDENT' });
      expect(submitted.meta.status).toBe('SUBMITTED');
      await store.flush();
      expect((await store.persistLag()).pending).toBe(0);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});

describe('latestPerQuestion', () => {
  it('keeps the highest seq per question within a batch', () => {
    expect(
      latestPerQuestion([row('s', 'q', 1), row('s', 'q', 3), row('s', 'q', 2), row('t', 'q', 1)]),
    ).toEqual([row('s', 'q', 3), row('t', 'q', 1)]);
  });
});

describe('anti-cheat events', () => {
  it('flush writes what arrived while another write was in flight (it used to wait for that write only)', async () => {
    const db = await createTestDatabase();
    const store = new MemorySessionStore(db.sql, { commitWindowMs: 2 });
    try {
      const exam = await createPublishedExam(db.sql);
      const student = await createStudent(db.sql);
      const id = randomUUID();
      const now = Date.now();
      await store.createSession({
        id,
        examId: exam.id,
        studentId: student.id,
        startedAt: now,
        endsAt: now + 60 * 60_000,
        shuffleSeed: 1,
        questionOrder: exam.questionIds,
        optionOrders: {},
      });
      // 500 events start a write at once; one more arrives while it is in flight.
      const burst = Array.from({ length: 500 }, (_, i) => ({
        sessionId: id,
        type: 'blur',
        at: now + i,
      }));
      await store.recordEvents(burst);
      await store.recordEvents([{ sessionId: id, type: 'paste', at: now + 500 }]);
      await store.flush();
      const rows = await db.sql<
        { type: string }[]
      >`SELECT type FROM session_events WHERE session_id = ${id}`;
      expect(rows).toHaveLength(501);
      expect(rows.filter((r) => r.type === 'paste')).toHaveLength(1);
    } finally {
      await store.close();
      await db.drop();
    }
  });
});
