import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createStudent, createTestDatabase } from '../../../test/harness.js';
import { createPublishedExam } from '../../sessions/test-factories.js';
import { hotStoreContract } from './contract.js';
import { GroupCommitter, latestPerQuestion } from './group-commit.js';
import type { AnswerRow } from './durable.repo.js';
import { MemoryHotStore } from './memory.js';
import { HotStoreError } from './types.js';

hotStoreContract('memory', async () => {
  const db = await createTestDatabase();
  const exam = await createPublishedExam(db.sql);
  let store = new MemoryHotStore(db.sql, { commitWindowMs: 2 });
  return {
    get store() {
      return store;
    },
    sql: db.sql,
    async newSession(overrides = {}) {
      const student = await createStudent(db.sql);
      const now = Date.now();
      return {
        id: randomUUID(), examId: exam.id, studentId: student.id, startedAt: now, endsAt: now + 60 * 60_000,
        shuffleSeed: 42, questionOrder: exam.questionIds, optionOrders: {}, ...overrides,
      };
    },
    async restart() {
      // A crash loses RAM only: acknowledged writes were committed before their ack.
      await store.close();
      store = new MemoryHotStore(db.sql, { commitWindowMs: 2 });
      return store;
    },
    async close() {
      await store.close();
      await db.drop();
    },
  };
});

const row = (sessionId: string, questionId: string, seq: number): AnswerRow => ({
  sessionId, questionId, answer: String(seq), seq, savedAt: seq, clientTs: null,
});

describe('GroupCommitter', () => {
  it('commits many waiting saves in one batch and resolves each after the commit', async () => {
    const batches: AnswerRow[][] = [];
    const c = new GroupCommitter(async (rows) => {
      batches.push(rows);
      await new Promise((r) => setTimeout(r, 5));
    }, { windowMs: 5, maxBatch: 1000 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => c.enqueue([row('s', `q${i}`, i + 1)])));
    expect(batches.length).toBeLessThanOrEqual(2);
    expect(batches.flat()).toHaveLength(50);
  });

  it('keeps the highest seq per question within a batch', () => {
    expect(latestPerQuestion([row('s', 'q', 1), row('s', 'q', 3), row('s', 'q', 2), row('t', 'q', 1)]))
      .toEqual([row('s', 'q', 3), row('t', 'q', 1)]);
  });

  it('retries a failed batch instead of dropping it, in order', async () => {
    let calls = 0;
    const written: AnswerRow[] = [];
    const c = new GroupCommitter(async (rows) => {
      calls += 1;
      if (calls <= 2) throw new Error('database down');
      written.push(...rows);
    }, { windowMs: 1, maxBatch: 1000 });
    await Promise.all([c.enqueue([row('s', 'a', 1)]), c.enqueue([row('s', 'b', 2)])]);
    expect(calls).toBe(3);
    expect(written.map((r) => r.questionId)).toEqual(['a', 'b']);
    expect(c.lag().pending).toBe(0);
  });

  it('flush resolves when everything queued is committed', async () => {
    const written: AnswerRow[] = [];
    const c = new GroupCommitter(async (rows) => { written.push(...rows); }, { windowMs: 1000, maxBatch: 1000 });
    void c.enqueue([row('s', 'a', 1)]);
    await c.flush();
    expect(written).toHaveLength(1);
    await c.flush();
  });
});

describe('a save PostgreSQL refuses for good (below the door: the HTTP and socket guards refuse it first)', () => {
  it('is set aside in dead_letters and refused; every other save of its batch commits and the lane keeps going', async () => {
    const db = await createTestDatabase();
    const setAside: number[] = [];
    // A wide window, so the poisoned save shares its batch with everyone else's.
    const store = new MemoryHotStore(db.sql, { commitWindowMs: 50, onSetAside: (rows) => setAside.push(rows.length) });
    try {
      const exam = await createPublishedExam(db.sql);
      const [q1, q2, q3] = exam.questionIds as [string, string, string];
      const now = Date.now();
      const ids = await Promise.all(Array.from({ length: 6 }, async () => {
        const student = await createStudent(db.sql);
        const id = randomUUID();
        await store.createSession({
          id, examId: exam.id, studentId: student.id, startedAt: now, endsAt: now + 60 * 60_000, shuffleSeed: 1, questionOrder: exam.questionIds, optionOrders: {},
        });
        return id;
      }));
      const opts = { now: Date.now(), graceMs: 2000 };
      const poisoned = ids[3]!;
      await store.saveAnswers(poisoned, [{ questionId: q3, answer: 'before' }], opts);

      const outcomes = await Promise.all([
        ...ids.map((id) => store.saveAnswers(id, [{ questionId: q1, answer: 'B' }, { questionId: q2, answer: ['A', 'C'] }], opts).then(() => 'acked', String)),
        store.saveAnswers(poisoned, [{ questionId: q3, answer: 'bad \u0000 text' }], opts).then(() => 'acked', (e: unknown) => e),
      ]);
      expect(outcomes.slice(0, ids.length)).toEqual(ids.map(() => 'acked'));
      const refused = outcomes[ids.length];
      expect(refused).toBeInstanceOf(HotStoreError);
      expect((refused as HotStoreError).code).toBe('VALIDATION_FAILED');

      // PostgreSQL has every acknowledged answer; the refused one is in dead_letters with its reason.
      const rows = await db.sql<{ sessionId: string; questionId: string; answer: unknown }[]>`
        SELECT session_id AS "sessionId", question_id AS "questionId", answer FROM session_answers ORDER BY session_id, question_id`;
      const durable = new Map(rows.map((r) => [`${r.sessionId}/${r.questionId}`, r.answer]));
      for (const id of ids) {
        expect(durable.get(`${id}/${q1}`)).toBe('B');
        expect(durable.get(`${id}/${q2}`)).toEqual(['A', 'C']);
      }
      expect(durable.get(`${poisoned}/${q3}`)).toBe('before');
      const dead = await db.sql<{ source: string; payload: string; reason: string }[]>`SELECT source, payload, reason FROM dead_letters`;
      expect(dead).toHaveLength(1);
      expect(dead[0]!.source).toBe('group-commit');
      expect(JSON.parse(dead[0]!.payload)).toEqual([expect.objectContaining({ sessionId: poisoned, questionId: q3, answer: 'bad \u0000 text' })]);
      expect(dead[0]!.reason).toMatch(/\\u0000|unicode/i);
      expect(setAside).toEqual([1]);

      // RAM went back to what PostgreSQL has, and the session goes on: saves, submit, flush.
      expect((await store.getSession(poisoned))!.answers[q3]!.answer).toBe('before');
      await store.saveAnswers(poisoned, [{ questionId: q3, answer: 'after' }], { now: Date.now(), graceMs: 2000 });
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

describe('GroupCommitter isolating refused writes', () => {
  const refusing = (bad: Set<string>, calls: AnswerRow[][]) => async (rows: AnswerRow[]) => {
    calls.push(rows);
    if (rows.some((r) => bad.has(r.questionId))) throw Object.assign(new Error('refused'), { code: '22P05' });
  };

  it('splits a batch until each refused caller stands alone; a caller is never half-written', async () => {
    const calls: AnswerRow[][] = [];
    const aside: AnswerRow[][] = [];
    const c = new GroupCommitter(refusing(new Set(['bad1', 'bad2']), calls), {
      windowMs: 20, maxBatch: 1000, refusedForGood: (e) => (e as { code?: string }).code === '22P05', setAside: async (rows) => { aside.push(rows); },
    });
    const writes = [[row('s', 'a', 1)], [row('s', 'b', 2), row('s', 'bad1', 3)], [row('s', 'c', 4)], [row('t', 'd', 1)], [row('t', 'bad2', 2)], [row('t', 'e', 3)]];
    const results = await Promise.all(writes.map((w) => c.enqueue(w).then(() => 'ok', (e: Error) => e.name)));
    expect(results).toEqual(['ok', 'RefusedForGood', 'ok', 'ok', 'RefusedForGood', 'ok']);
    expect(aside.map((rows) => rows.map((r) => r.questionId))).toEqual([['b', 'bad1'], ['bad2']]);
    const committed = calls.filter((rows) => !rows.some((r) => r.questionId.startsWith('bad'))).flat().map((r) => r.questionId).sort();
    expect(committed).toEqual(['a', 'c', 'd', 'e']);
  });

  it('waits out an outage that strikes while isolating, then finishes the isolation', async () => {
    // The database drops once, right after the first refusal, in the middle of the isolation.
    let outage: 'ahead' | 'now' | 'over' = 'ahead';
    const committed: string[] = [];
    const c = new GroupCommitter(async (rows) => {
      if (outage === 'now') { outage = 'over'; throw new Error('connection lost'); }
      if (rows.some((r) => r.questionId === 'bad')) {
        if (outage === 'ahead') outage = 'now';
        throw Object.assign(new Error('refused'), { code: '22021' });
      }
      committed.push(...rows.map((r) => r.questionId));
    }, { windowMs: 10, maxBatch: 1000, refusedForGood: (e) => (e as { code?: string }).code === '22021', setAside: async () => {} });
    const results = await Promise.all([[row('s', 'a', 1)], [row('s', 'bad', 2)], [row('s', 'c', 3)]].map((w) => c.enqueue(w).then(() => 'ok', (e: Error) => e.name)));
    expect(outage).toBe('over');
    expect(results).toEqual(['ok', 'RefusedForGood', 'ok']);
    expect(committed.sort()).toEqual(['a', 'c']);
    expect(c.lag().pending).toBe(0);
  });
});
