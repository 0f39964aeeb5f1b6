import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createStudent, createTestDatabase } from '../../../test/harness.js';
import { createPublishedExam } from '../../sessions/test-factories.js';
import { hotStoreContract } from './contract.js';
import { GroupCommitter, latestPerQuestion } from './group-commit.js';
import type { AnswerRow } from './durable.repo.js';
import { MemoryHotStore } from './memory.js';

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
