import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BoardEntry, BoardRef, BoardRow, LeaderboardIndex } from './index-port.js';

/**
 * The LeaderboardIndex contract: every adapter runs this file unchanged (memory-index.test.ts,
 * redis-index.test.ts). Each test works on a fresh group, so tests share one index.
 */
export interface IndexSetup {
  index: LeaderboardIndex;
  close(): Promise<void>;
}

/** A seeded generator (mulberry32): random enough to find ties, the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const T0 = 1_760_000_000_000;

function entry(studentId: string, score: number, submittedAt = T0, version = 1): BoardEntry {
  return { studentId, score, submittedAt, version };
}

/** Random entries with many ties: scores 0–20 in halves, a few submission times. */
function randomEntries(count: number, seed: number): BoardEntry[] {
  const random = seeded(seed);
  return Array.from({ length: count }, (_, i) =>
    entry(
      `s-${String(i).padStart(5, '0')}-${Math.floor(random() * 1e6)}`,
      Math.floor(random() * 41) / 2,
      T0 + Math.floor(random() * 5) * 1000,
      1 + Math.floor(random() * 3),
    ),
  );
}

/** The board order and competition ranks, the slow obvious way. */
function bruteForce(entries: readonly BoardEntry[]): BoardRow[] {
  const sorted = [...entries].sort(
    (a, b) =>
      b.score - a.score ||
      a.submittedAt - b.submittedAt ||
      (a.studentId < b.studentId ? -1 : a.studentId > b.studentId ? 1 : 0),
  );
  return sorted.map((e) => ({
    studentId: e.studentId,
    score: e.score,
    rank: 1 + entries.filter((o) => o.score > e.score).length,
  }));
}

export function leaderboardIndexContract(name: string, make: () => Promise<IndexSetup>): void {
  describe(`LeaderboardIndex contract: ${name}`, () => {
    let setup: IndexSetup;
    let index: LeaderboardIndex;
    const exam = (board = 'exam'): BoardRef => ({ group: randomUUID(), board });

    beforeAll(async () => {
      setup = await make();
      index = setup.index;
    });
    afterAll(async () => {
      await setup.close();
    });

    async function putAll(ref: BoardRef, entries: readonly BoardEntry[]): Promise<void> {
      for (const e of entries) await index.put(ref, e);
    }

    it('ties share a rank and the next rank skips (1, 2, 2, 4); below counts strictly lower', async () => {
      const ref = exam();
      await putAll(ref, [entry('a', 90), entry('b', 80), entry('c', 80), entry('d', 70.5)]);
      expect(await index.rank(ref, 'a')).toEqual({ rank: 1, total: 4, below: 3, score: 90 });
      expect(await index.rank(ref, 'b')).toEqual({ rank: 2, total: 4, below: 1, score: 80 });
      expect(await index.rank(ref, 'c')).toEqual({ rank: 2, total: 4, below: 1, score: 80 });
      expect(await index.rank(ref, 'd')).toEqual({ rank: 4, total: 4, below: 0, score: 70.5 });
      expect(await index.count(ref)).toBe(4);
    });

    it('scores are compared in hundredths, whatever the float arithmetic did', async () => {
      const ref = exam();
      await putAll(ref, [entry('a', 0.1 + 0.2), entry('b', 0.3), entry('c', 0)]);
      expect((await index.rank(ref, 'a'))!.rank).toBe(1);
      expect((await index.rank(ref, 'b'))!.rank).toBe(1);
      expect(await index.rank(ref, 'c')).toEqual({ rank: 3, total: 3, below: 0, score: 0 });
    });

    it('top orders by score, ties by earlier submission, then student id', async () => {
      const ref = exam();
      await putAll(ref, [
        entry('late', 50, T0 + 2000),
        entry('early', 50, T0 + 1000),
        entry('z-same', 50, T0),
        entry('a-same', 50, T0),
        entry('best', 99, T0 + 9000),
        entry('last', 1, T0),
      ]);
      expect(await index.top(ref, 10)).toEqual([
        { studentId: 'best', score: 99, rank: 1 },
        { studentId: 'a-same', score: 50, rank: 2 },
        { studentId: 'z-same', score: 50, rank: 2 },
        { studentId: 'early', score: 50, rank: 2 },
        { studentId: 'late', score: 50, rank: 2 },
        { studentId: 'last', score: 1, rank: 6 },
      ]);
      expect((await index.top(ref, 3)).map((r) => r.studentId)).toEqual([
        'best',
        'a-same',
        'z-same',
      ]);
      expect(await index.top(ref, 0)).toEqual([]);
    });

    it('top(n) gives exactly min(n, total) rows', async () => {
      const ref = exam();
      await putAll(ref, [entry('a', 3), entry('b', 2), entry('c', 1)]);
      expect(await index.top(ref, 2)).toHaveLength(2);
      expect(await index.top(ref, 3)).toHaveLength(3);
      expect(await index.top(ref, 100)).toHaveLength(3);
      expect(await index.top(exam(), 100)).toEqual([]);
    });

    it('around: up to k rows each side by position, own row included, at the edges and the middle', async () => {
      const ref = exam();
      // s0 … s9 with scores 10, 9, 9, 7, …: ranks 1, 2, 2, 4, 5, …
      const entries = Array.from({ length: 10 }, (_, i) =>
        entry(`s${i}`, i === 2 ? 9 : 10 - i, T0 + i),
      );
      await putAll(ref, entries);
      const ids = (rows: BoardRow[] | null) => rows?.map((r) => r.studentId);
      expect(ids(await index.around(ref, 's0', 2))).toEqual(['s0', 's1', 's2']);
      expect(ids(await index.around(ref, 's9', 2))).toEqual(['s7', 's8', 's9']);
      expect(await index.around(ref, 's2', 1)).toEqual([
        { studentId: 's1', score: 9, rank: 2 },
        { studentId: 's2', score: 9, rank: 2 },
        { studentId: 's3', score: 7, rank: 4 },
      ]);
      // The window starts on a tie: its first row still has the shared rank.
      expect(await index.around(ref, 's3', 1)).toEqual([
        { studentId: 's2', score: 9, rank: 2 },
        { studentId: 's3', score: 7, rank: 4 },
        { studentId: 's4', score: 6, rank: 5 },
      ]);
      expect(ids(await index.around(ref, 's5', 0))).toEqual(['s5']);
      expect(ids(await index.around(ref, 's5', 50))).toEqual(entries.map((e) => e.studentId));
      expect(await index.around(ref, 'nobody', 2)).toBeNull();
    });

    it('a replayed put changes nothing; an older version does not overwrite a newer one', async () => {
      const ref = exam();
      await putAll(ref, [entry('a', 60), entry('b', 70)]);
      expect(await index.put(ref, entry('a', 80, T0 + 5, 2))).toBe('applied');
      const before = await index.top(ref, 10);
      expect(await index.put(ref, entry('a', 80, T0 + 5, 2))).toBe('unchanged');
      expect(await index.put(ref, entry('a', 60, T0, 1))).toBe('stale');
      expect(await index.top(ref, 10)).toEqual(before);
      expect(before.map((r) => [r.studentId, r.score])).toEqual([
        ['a', 80],
        ['b', 70],
      ]);
      expect(await index.count(ref)).toBe(2);
      // A newer version moves the student, and leaves no trace of the old row.
      expect(await index.put(ref, entry('a', 10, T0, 3))).toBe('applied');
      expect(await index.top(ref, 10)).toEqual([
        { studentId: 'b', score: 70, rank: 1 },
        { studentId: 'a', score: 10, rank: 2 },
      ]);
    });

    it('get hands back the entry as held, with its version; nothing once removed', async () => {
      const ref = exam();
      expect(await index.get(ref, 'a')).toBeNull();
      await index.put(ref, entry('a', 72.5, T0 + 7, 4));
      expect(await index.get(ref, 'a')).toEqual(entry('a', 72.5, T0 + 7, 4));
      await index.put(ref, entry('a', 0, T0 + 9, 5));
      expect(await index.get(ref, 'a')).toEqual(entry('a', 0, T0 + 9, 5));
      await index.remove(ref, 'a', 6);
      expect(await index.get(ref, 'a')).toBeNull();
    });

    it('putBoards is put on each board: the same outcomes and the same boards, in one call', async () => {
      const group = randomUUID();
      const boards = ['exam', 'class:a', 'grade:10'];
      expect(await index.putBoards(group, boards, entry('s1', 7, T0, 2))).toEqual([
        'applied',
        'applied',
        'applied',
      ]);
      await index.put({ group, board: 'class:a' }, entry('s1', 9, T0, 3));
      expect(await index.putBoards(group, boards, entry('s1', 7, T0, 2))).toEqual([
        'unchanged',
        'stale',
        'unchanged',
      ]);
      await index.putBoards(group, ['exam', 'grade:10'], entry('s2', 8, T0 + 1, 1));
      expect(await index.top({ group, board: 'exam' }, 5)).toEqual([
        { studentId: 's2', score: 8, rank: 1 },
        { studentId: 's1', score: 7, rank: 2 },
      ]);
      expect(await index.top({ group, board: 'class:a' }, 5)).toEqual([
        { studentId: 's1', score: 9, rank: 1 },
      ]);
      expect((await index.boards(group)).sort()).toEqual(boards.sort());
      expect(await index.putBoards(group, [], entry('s3', 1))).toEqual([]);
    });

    it('boards names every board of a group written so far', async () => {
      const group = randomUUID();
      expect(await index.boards(group)).toEqual([]);
      await index.put({ group, board: 'exam' }, entry('a', 1));
      await index.put({ group, board: 'class:x' }, entry('a', 1));
      await index.replaceAll({ group, board: 'grade:10' }, []);
      expect((await index.boards(group)).sort()).toEqual(['class:x', 'exam', 'grade:10']);
      await index.clear(group);
      expect(await index.boards(group)).toEqual([]);
    });

    it('remove takes a student off; a versioned removal keeps older replays out', async () => {
      const ref = exam();
      await putAll(ref, [entry('a', 5), entry('b', 4, T0, 3), entry('c', 3)]);
      expect(await index.remove(ref, 'a')).toBe('applied');
      expect(await index.rank(ref, 'a')).toBeNull();
      expect(await index.rank(ref, 'b')).toEqual({ rank: 1, total: 2, below: 1, score: 4 });
      expect(await index.remove(ref, 'a')).toBe('unchanged');
      expect(await index.remove(ref, 'nobody')).toBe('unchanged');

      expect(await index.remove(ref, 'b', 2)).toBe('stale');
      expect(await index.rank(ref, 'b')).not.toBeNull();
      expect(await index.remove(ref, 'b', 4)).toBe('applied');
      expect(await index.remove(ref, 'b', 4)).toBe('unchanged');
      expect(await index.put(ref, entry('b', 4, T0, 3))).toBe('stale');
      expect(await index.rank(ref, 'b')).toBeNull();
      expect(await index.count(ref)).toBe(1);
      expect(await index.put(ref, entry('b', 9, T0, 5))).toBe('applied');
      expect((await index.rank(ref, 'b'))!.rank).toBe(1);
    });

    it('boards (cohorts) and groups (exams, series) do not see each other; clear drops one group', async () => {
      const group = randomUUID();
      const whole = { group, board: 'exam' };
      const classA = { group, board: 'class:a' };
      const other = { group: randomUUID(), board: 'exam' };
      await putAll(whole, [entry('a', 9), entry('b', 8)]);
      await putAll(classA, [entry('b', 8)]);
      await putAll(other, [entry('a', 1), entry('z', 2)]);
      expect(await index.rank(whole, 'b')).toEqual({ rank: 2, total: 2, below: 0, score: 8 });
      expect(await index.rank(classA, 'b')).toEqual({ rank: 1, total: 1, below: 0, score: 8 });
      expect(await index.rank(classA, 'a')).toBeNull();
      expect(await index.rank(other, 'a')).toEqual({ rank: 2, total: 2, below: 0, score: 1 });

      await index.remove(classA, 'b', 2);
      await index.clear(group);
      expect(await index.count(whole)).toBe(0);
      expect(await index.count(classA)).toBe(0);
      expect(await index.top(whole, 5)).toEqual([]);
      expect(await index.count(other)).toBe(2);
      // Cleared means forgotten, versioned removals too.
      expect(await index.put(classA, entry('b', 8, T0, 1))).toBe('applied');
    });

    it('an absent student has no rank, and an empty board is empty', async () => {
      const ref = exam();
      expect(await index.rank(ref, 'a')).toBeNull();
      expect(await index.count(ref)).toBe(0);
      await index.put(ref, entry('a', 1));
      expect(await index.rank(ref, 'b')).toBeNull();
      expect(await index.count(ref)).toBe(1);
    });

    it('refuses entries it cannot order', async () => {
      const ref = exam();
      await expect(index.put(ref, entry('a', -1))).rejects.toThrow(RangeError);
      await expect(index.put(ref, entry('a', Number.NaN))).rejects.toThrow(RangeError);
      await expect(index.put(ref, entry('a', 1, 1.5))).rejects.toThrow(RangeError);
      await expect(index.put(ref, entry('a', 1, T0, -1))).rejects.toThrow(RangeError);
      expect(await index.count(ref)).toBe(0);
    });

    it('1,000 random entries: every rank, below and the whole order match a brute-force ranking', async () => {
      const ref = exam();
      const entries = randomEntries(1000, 12);
      await Promise.all(entries.map((e) => index.put(ref, e)));
      const expected = bruteForce(entries);
      expect(await index.top(ref, 2000)).toEqual(expected);
      for (const e of entries) {
        const got = await index.rank(ref, e.studentId);
        expect(got).toEqual({
          rank: 1 + entries.filter((o) => o.score > e.score).length,
          total: 1000,
          below: entries.filter((o) => o.score < e.score).length,
          score: e.score,
        });
      }
      const position = expected.findIndex((r) => r.studentId === entries[17]!.studentId);
      expect(await index.around(ref, entries[17]!.studentId, 7)).toEqual(
        expected.slice(Math.max(0, position - 7), position + 8),
      );
    });

    it('replaceAll equals the board built incrementally from the same entries', async () => {
      const group = randomUUID();
      const incremental = { group, board: 'exam' };
      const rebuilt = { group, board: 'grade:10' };
      const entries = randomEntries(300, 7);
      // A student twice: the higher version counts, in both boards.
      entries.push({ ...entries[0]!, score: 20, version: 9 });
      await putAll(incremental, entries);
      await index.put(rebuilt, entry('gone', 99));
      await index.replaceAll(rebuilt, entries);

      expect(await index.count(rebuilt)).toBe(300);
      expect(await index.top(rebuilt, 500)).toEqual(await index.top(incremental, 500));
      expect(await index.rank(rebuilt, 'gone')).toBeNull();
      for (const e of entries.slice(0, 60)) {
        expect(await index.rank(rebuilt, e.studentId)).toEqual(
          await index.rank(incremental, e.studentId),
        );
        expect(await index.around(rebuilt, e.studentId, 3)).toEqual(
          await index.around(incremental, e.studentId, 3),
        );
      }
      // The versions came along: a replay of what the rebuild read changes nothing.
      expect(await index.put(rebuilt, entries[0]!)).toBe('stale');
      expect(await index.put(rebuilt, entries[1]!)).toBe('unchanged');
      // And later changes apply as usual.
      expect(await index.put(rebuilt, { ...entries[1]!, version: 10 })).toBe('applied');

      await index.replaceAll(rebuilt, []);
      expect(await index.count(rebuilt)).toBe(0);
      expect(await index.top(rebuilt, 5)).toEqual([]);
    });

    it('replaceAll is atomic: a concurrent reader sees the old board or the new one, never a mix', async () => {
      const ref = exam();
      const old = Array.from({ length: 2500 }, (_, i) => entry(`old-${i}`, 10, T0 + i));
      const next = Array.from({ length: 3000 }, (_, i) => entry(`new-${i}`, 20, T0 + i));
      await index.replaceAll(ref, old);
      const oldTop = await index.top(ref, 5);

      let done = false;
      const replaced = index.replaceAll(ref, next).finally(() => {
        done = true;
      });
      const seen: string[] = [];
      do {
        const [count, top, rank] = await Promise.all([
          index.count(ref),
          index.top(ref, 5),
          index.rank(ref, 'new-0'),
        ]);
        // Each read is whole on its own: the old board's shape or the new one's.
        expect([2500, 3000]).toContain(count);
        expect(top.every((r) => r.score === top[0]!.score)).toBe(true);
        expect(rank === null || rank.total === 3000).toBe(true);
        seen.push(count === 2500 ? 'old' : 'new');
      } while (!done);
      await replaced;
      expect(seen.length).toBeGreaterThan(0);
      expect(oldTop.map((r) => r.studentId)).toEqual(old.slice(0, 5).map((e) => e.studentId));
      expect(await index.count(ref)).toBe(3000);
      expect((await index.top(ref, 1))[0]).toEqual({ studentId: 'new-0', score: 20, rank: 1 });
    });
  });
}
