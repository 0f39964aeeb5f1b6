import { describe, expect, it } from 'vitest';
import { GroupCommitter } from './group-commit.js';

/** Rows as the session store writes them: a session, a question, a seq. */
interface Row {
  sessionId: string;
  questionId: string;
  seq: number;
}
const row = (sessionId: string, questionId: string, seq: number): Row => ({
  sessionId,
  questionId,
  seq,
});

describe('GroupCommitter', () => {
  it('commits many waiting saves in one batch and resolves each after the commit', async () => {
    const batches: Row[][] = [];
    const c = new GroupCommitter<Row>(
      async (rows) => {
        batches.push(rows);
        await new Promise((r) => setTimeout(r, 5));
      },
      { windowMs: 5, maxBatch: 1000 },
    );
    await Promise.all(Array.from({ length: 50 }, (_, i) => c.enqueue([row('s', `q${i}`, i + 1)])));
    expect(batches.length).toBeLessThanOrEqual(2);
    expect(batches.flat()).toHaveLength(50);
  });

  it('retries a failed batch instead of dropping it, in order', async () => {
    let calls = 0;
    const written: Row[] = [];
    const c = new GroupCommitter<Row>(
      async (rows) => {
        calls += 1;
        if (calls <= 2) throw new Error('database down');
        written.push(...rows);
      },
      { windowMs: 1, maxBatch: 1000 },
    );
    await Promise.all([c.enqueue([row('s', 'a', 1)]), c.enqueue([row('s', 'b', 2)])]);
    expect(calls).toBe(3);
    expect(written.map((r) => r.questionId)).toEqual(['a', 'b']);
    expect(c.lag().pending).toBe(0);
  });

  it('flush resolves when everything queued is committed', async () => {
    const written: Row[] = [];
    const c = new GroupCommitter<Row>(
      async (rows) => {
        written.push(...rows);
      },
      { windowMs: 1000, maxBatch: 1000 },
    );
    void c.enqueue([row('s', 'a', 1)]);
    await c.flush();
    expect(written).toHaveLength(1);
    await c.flush();
  });
});

describe('GroupCommitter isolating refused writes', () => {
  const refusing = (bad: Set<string>, calls: Row[][]) => async (rows: Row[]) => {
    calls.push(rows);
    if (rows.some((r) => bad.has(r.questionId)))
      throw Object.assign(new Error('refused'), { code: '22P05' });
  };

  it('splits a batch until each refused caller stands alone; a caller is never half-written', async () => {
    const calls: Row[][] = [];
    const aside: Row[][] = [];
    const c = new GroupCommitter<Row>(refusing(new Set(['bad1', 'bad2']), calls), {
      windowMs: 20,
      maxBatch: 1000,
      refusedForGood: (e) => (e as { code?: string }).code === '22P05',
      setAside: async (rows) => {
        aside.push(rows);
      },
    });
    const writes = [
      [row('s', 'a', 1)],
      [row('s', 'b', 2), row('s', 'bad1', 3)],
      [row('s', 'c', 4)],
      [row('t', 'd', 1)],
      [row('t', 'bad2', 2)],
      [row('t', 'e', 3)],
    ];
    const results = await Promise.all(
      writes.map((w) =>
        c.enqueue(w).then(
          () => 'ok',
          (e: Error) => e.name,
        ),
      ),
    );
    expect(results).toEqual(['ok', 'RefusedForGood', 'ok', 'ok', 'RefusedForGood', 'ok']);
    expect(aside.map((rows) => rows.map((r) => r.questionId))).toEqual([['b', 'bad1'], ['bad2']]);
    const committed = calls
      .filter((rows) => !rows.some((r) => r.questionId.startsWith('bad')))
      .flat()
      .map((r) => r.questionId)
      .sort();
    expect(committed).toEqual(['a', 'c', 'd', 'e']);
  });

  it('waits out an outage that strikes while isolating, then finishes the isolation', async () => {
    // The database drops once, right after the first refusal, in the middle of the isolation.
    let outage: 'ahead' | 'now' | 'over' = 'ahead';
    const committed: string[] = [];
    const c = new GroupCommitter<Row>(
      async (rows) => {
        if (outage === 'now') {
          outage = 'over';
          throw new Error('connection lost');
        }
        if (rows.some((r) => r.questionId === 'bad')) {
          if (outage === 'ahead') outage = 'now';
          throw Object.assign(new Error('refused'), { code: '22021' });
        }
        committed.push(...rows.map((r) => r.questionId));
      },
      {
        windowMs: 10,
        maxBatch: 1000,
        refusedForGood: (e) => (e as { code?: string }).code === '22021',
        setAside: async () => {},
      },
    );
    const results = await Promise.all(
      [[row('s', 'a', 1)], [row('s', 'bad', 2)], [row('s', 'c', 3)]].map((w) =>
        c.enqueue(w).then(
          () => 'ok',
          (e: Error) => e.name,
        ),
      ),
    );
    expect(outage).toBe('over');
    expect(results).toEqual(['ok', 'RefusedForGood', 'ok']);
    expect(committed.sort()).toEqual(['a', 'c']);
    expect(c.lag().pending).toBe(0);
  });
});
