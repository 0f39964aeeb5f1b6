/**
 * The leaderboard index port: the fast lane behind every rank, top list and "around me"
 * window (API.md, "Exam leaderboards and ranks"). It is an index, not the record: PostgreSQL
 * results are the truth, and a board can be rebuilt from them at any time (replaceAll).
 * Adapters: memory (memory-index.ts) and redis (redis-index.ts), held to one contract suite
 * (index-contract.ts).
 *
 * Semantics every adapter keeps:
 *  * A board holds at most one entry per student. Boards of one group (an exam and its
 *    cohorts `exam`, `class:<id>`, `grade:<n>`, `major:<code>`; or a series) are cleared
 *    together, and in Redis live in one hash slot.
 *  * Scores are kept in hundredths (API scores have at most two decimals), so equal scores
 *    are equal however the caller's float arithmetic rounded them.
 *  * Order: score descending, then earlier `submittedAt`, then studentId (code-unit order;
 *    student ids are ASCII UUIDs, which Redis's byte order agrees with).
 *  * Rank: standard competition ranking — 1 + entries with a strictly higher score, so equal
 *    scores share a rank and the next rank skips (1, 2, 2, 4). `below` counts entries with a
 *    strictly lower score (percentile = 100 × below / total).
 *  * Versions: every change carries the caller's version (a result's recorded-at, or any
 *    number that grows with each change of that student's result). The higher version wins;
 *    an equal one is a replay and changes nothing, so events may arrive twice or out of order.
 */

/** Which board: `group` is the exam or series id, `board` the cohort within it. */
export interface BoardRef {
  group: string;
  board: string;
}

export interface BoardEntry {
  studentId: string;
  /** ≥ 0, at most two decimals (rounded to hundredths) */
  score: number;
  /** epoch ms; breaks score ties, earlier first */
  submittedAt: number;
  /** a non-negative safe integer that grows with every change of this student's result */
  version: number;
}

export interface BoardRank {
  rank: number;
  total: number;
  /** entries with a strictly lower score */
  below: number;
  score: number;
}

export interface BoardRow {
  studentId: string;
  score: number;
  rank: number;
}

/** applied: the board changed; unchanged: a replay (same version); stale: an older version. */
export type IndexChange = 'applied' | 'unchanged' | 'stale';

export interface LeaderboardIndex {
  /** Adds or replaces the student's entry, if `entry.version` is newer than what is held. */
  put(ref: BoardRef, entry: BoardEntry): Promise<IndexChange>;
  /** `put` on several boards of one group at once (one round trip); an outcome per board. */
  putBoards(group: string, boards: readonly string[], entry: BoardEntry): Promise<IndexChange[]>;
  /**
   * Takes the student off the board. With a version, the removal is remembered at that
   * version, so a replayed older put cannot bring the entry back (and an older removal
   * does not take off a newer entry). Without one, it is unconditional and forgets.
   */
  remove(ref: BoardRef, studentId: string, version?: number): Promise<IndexChange>;
  /** The student's entry as held (score, submission, version); null when not on the board. */
  get(ref: BoardRef, studentId: string): Promise<BoardEntry | null>;
  /** null when the student is not on the board */
  rank(ref: BoardRef, studentId: string): Promise<BoardRank | null>;
  /** exactly min(n, count) rows, in board order */
  top(ref: BoardRef, n: number): Promise<BoardRow[]>;
  /**
   * Up to k rows on each side of the student's own row, by position in board order, with
   * that row; null when the student is not on the board.
   */
  around(ref: BoardRef, studentId: string, k: number): Promise<BoardRow[] | null>;
  count(ref: BoardRef): Promise<number>;
  /** The names of the group's boards that were ever written (and not cleared since). */
  boards(group: string): Promise<string[]>;
  /**
   * Swaps in a whole rebuilt board: readers see the old board or the new one, never a mix.
   * Puts that land on the old board while the new one is built are lost with it, so the
   * caller re-feeds what happened since it read its source (the versions make that safe).
   * Of several entries for one student, the highest version is kept.
   */
  replaceAll(ref: BoardRef, entries: readonly BoardEntry[]): Promise<void>;
  /** Drops every board of the group. */
  clear(group: string): Promise<void>;
  close(): Promise<void>;
}

/** The widest `submittedAt` the Redis member encoding holds (15 digits: year 33658). */
export const MAX_SUBMITTED_AT = 999_999_999_999_999;

/** An entry as both adapters store it: the score in hundredths. */
export interface StoredEntry {
  studentId: string;
  cents: number;
  submittedAt: number;
  version: number;
}

/** Checks an entry once, at the port, so both adapters refuse the same inputs. */
export function toStored(entry: BoardEntry): StoredEntry {
  const { studentId, score, submittedAt, version } = entry;
  if (studentId === '') throw new RangeError('leaderboard entry without a studentId');
  if (!Number.isFinite(score) || score < 0)
    throw new RangeError(`leaderboard score must be a finite number >= 0: ${score}`);
  if (!Number.isSafeInteger(submittedAt) || submittedAt < 0 || submittedAt > MAX_SUBMITTED_AT)
    throw new RangeError(`leaderboard submittedAt must be epoch ms: ${submittedAt}`);
  checkVersion(version);
  return { studentId, cents: Math.round(score * 100), submittedAt, version };
}

export function checkVersion(version: number): void {
  if (!Number.isSafeInteger(version) || version < 0)
    throw new RangeError(`leaderboard version must be a non-negative safe integer: ${version}`);
}

/** Of several entries for one student, the highest version (the first of equal ones). */
export function latestPerStudent(entries: readonly BoardEntry[]): StoredEntry[] {
  const latest = new Map<string, StoredEntry>();
  for (const entry of entries) {
    const stored = toStored(entry);
    const held = latest.get(stored.studentId);
    if (!held || stored.version > held.version) latest.set(stored.studentId, stored);
  }
  return [...latest.values()];
}

/**
 * Competition ranks for consecutive rows in board order, given the first row's position
 * and rank: a row whose score differs from the one before has every earlier row strictly
 * above it, so its rank is its position + 1.
 */
export function rankRows(
  rows: readonly { studentId: string; cents: number }[],
  firstPosition: number,
  firstRank: number,
): BoardRow[] {
  let rank = firstRank;
  return rows.map((row, i) => {
    if (i > 0 && row.cents !== rows[i - 1]!.cents) rank = firstPosition + i + 1;
    return { studentId: row.studentId, score: row.cents / 100, rank };
  });
}
