import type { Logger } from 'pino';
import type { StudentPlacement } from '../grading/index.js';
import type { SessionScoredEvent } from '../sessions/sessions.events.js';
import type { BoardEntry, LeaderboardIndex } from './index-port.js';
import { LookupCache } from './lookup-cache.js';
import type { SeriesRepo, SeriesRow } from './series.repo.js';
import type { BoardExam, LeaderboardSources, RankedResult } from './sources.types.js';

/**
 * What keeps the boards true to PostgreSQL's results (the reading and the access rules are
 * in board-view.ts and leaderboards.service.ts):
 *  * fed by `session.scored` (a first grading, or a teacher's grade that finished a paper),
 *    idempotently — each result carries a version that grows with every change, so a
 *    replayed or late event changes nothing;
 *  * rebuilt from PostgreSQL on demand and when a process first touches a group whose
 *    exam board is empty (after a restart of the memory lane, or a Redis flush). Work that
 *    arrives during a rebuild is re-applied on the new board once it is swapped in.
 *
 * Boards of an exam (one index group): `exam`, `class:<id>`, `grade:<n>`, `major:<CODE>`,
 * placed by where the student sits when the result is recorded (a rebuild re-places
 * everyone). A series is a group `series:<id>` with the same cohorts; a student's series
 * score is the sum of their percentages (each rounded to one decimal) over its exams, and
 * its version the sum of those results' versions — so of two processes racing to write one
 * student's series entry, the one that saw every part's latest version writes the highest
 * version, and wins.
 */

export const EXAM_BOARD = 'exam';
export const seriesGroup = (seriesId: string) => `series:${seriesId}`;
export const round1 = (n: number) => Math.round(n * 10) / 10;

/** The boards a student's result goes on, by where they sit. */
export function cohortBoards(p: Omit<StudentPlacement, 'studentId'> | null): string[] {
  const boards = [EXAM_BOARD];
  if (p?.classId) boards.push(`class:${p.classId}`);
  if (p?.gradeLevel !== null && p?.gradeLevel !== undefined) boards.push(`grade:${p.gradeLevel}`);
  if (p?.majorCode) boards.push(`major:${p.majorCode.toUpperCase()}`);
  return boards;
}

/** A series part: one exam's percentage, rounded to one decimal as the sum wants it. */
function partPercentage(score: number, maxScore: number): number {
  return maxScore > 0 ? round1((100 * score) / maxScore) : 0;
}

/** Remembers which (result, version) this process has put already, so a replay costs nothing. */
class RecentKeys {
  private readonly keys = new Set<string>();
  constructor(private readonly max: number) {}
  has(key: string): boolean {
    return this.keys.has(key);
  }
  add(key: string): void {
    this.keys.add(key);
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value!);
  }
}

interface Rebuild {
  /** work that reached the group while it was being rebuilt, re-applied after the swap */
  replay: (() => Promise<void>)[];
  done: Promise<void>;
}

export function createBoardFeed(deps: {
  index: LeaderboardIndex;
  sources: LeaderboardSources;
  series: SeriesRepo;
  logger: Pick<Logger, 'warn'>;
  now?: () => number;
}) {
  const { index, sources, logger } = deps;
  const now = deps.now ?? Date.now;
  const placements = new LookupCache<StudentPlacement>(
    async (ids) => new Map((await sources.placements(ids)).map((p) => [p.studentId, p])),
    { ttlMs: 60_000, max: 200_000 },
  );
  const names = new LookupCache<string>(
    async (ids) => new Map((await sources.names(ids)).map((n) => [n.studentId, n.name])),
    { ttlMs: 60_000, max: 200_000 },
  );
  const exams = new LookupCache<BoardExam>(
    async (ids) => {
      const found = await Promise.all(ids.map((id) => sources.exam(id)));
      return new Map(found.flatMap((e) => (e ? [[e.id, e] as const] : [])));
    },
    { ttlMs: 5_000, max: 10_000 },
  );
  const seriesOfExam = new LookupCache<SeriesRow[]>(
    async (ids) =>
      new Map(
        await Promise.all(ids.map(async (id) => [id, await deps.series.ofExam(id)] as const)),
      ),
    { ttlMs: 10_000, max: 10_000 },
  );

  const recorded = new RecentKeys(100_000);
  /** groups this process has checked for emptiness (and rebuilt if so) */
  const built = new Map<string, Promise<void>>();
  const rebuilding = new Map<string, Rebuild>();
  /** when this process last saw a group change (updatedAt) */
  const changedAt = new Map<string, number>();
  const changeListeners = new Set<(group: string) => void>();

  function changed(group: string, at = now()): void {
    changedAt.set(group, Math.max(changedAt.get(group) ?? 0, at));
    for (const listener of changeListeners) listener(group);
  }

  // ── Rebuilds ────────────────────────────────────────────────────────────────────────

  /**
   * Runs `build` as the group's one rebuild; work arriving meanwhile (deferIfRebuilding)
   * waits and is re-applied on the new board.
   */
  async function runRebuild(group: string, build: () => Promise<void>): Promise<void> {
    const running = rebuilding.get(group);
    if (running) return running.done;
    const replay: (() => Promise<void>)[] = [];
    const done = (async () => {
      try {
        await build();
      } finally {
        rebuilding.delete(group);
        for (const work of replay.splice(0))
          await work().catch((err: unknown) =>
            logger.warn({ err, group }, 'replaying a leaderboard change after a rebuild failed'),
          );
        changed(group);
      }
    })();
    rebuilding.set(group, { replay, done });
    return done;
  }

  /** When the group is being rebuilt: queue `work` for after the swap and wait for it. */
  async function deferIfRebuilding(group: string, work: () => Promise<void>): Promise<boolean> {
    const running = rebuilding.get(group);
    if (!running) return false;
    let finished!: () => void;
    const applied = new Promise<void>((resolve) => (finished = resolve));
    running.replay.push(() => work().finally(finished));
    await running.done;
    await applied;
    return true;
  }

  /** First touch of a group in this process: an empty exam board is rebuilt from PostgreSQL. */
  function ensureBuilt(group: string, build: () => Promise<void>): Promise<void> {
    let check = built.get(group);
    if (!check) {
      check = (async () => {
        if ((await index.count({ group, board: EXAM_BOARD })) === 0) await runRebuild(group, build);
      })().catch((err: unknown) => {
        built.delete(group);
        throw err;
      });
      built.set(group, check);
    }
    return check;
  }

  /** Swaps in every board of a group at once per board; boards no longer fed are emptied. */
  async function replaceGroup(group: string, boards: Map<string, BoardEntry[]>): Promise<void> {
    if (!boards.has(EXAM_BOARD)) boards.set(EXAM_BOARD, []);
    for (const stale of await index.boards(group)) if (!boards.has(stale)) boards.set(stale, []);
    for (const [board, entries] of boards) await index.replaceAll({ group, board }, entries);
  }

  function addTo(boards: Map<string, BoardEntry[]>, names: string[], entry: BoardEntry): void {
    for (const board of names) {
      let list = boards.get(board);
      if (!list) boards.set(board, (list = []));
      list.push(entry);
    }
  }

  const entryOf = (r: RankedResult): BoardEntry => ({
    studentId: r.studentId,
    score: r.score,
    submittedAt: r.submittedAt,
    version: r.version,
  });

  /**
   * A result reaches PostgreSQL before it is announced, so reading PostgreSQL after an
   * announcement always finds it; `settle` also waits for the slow lane, for a rebuild an
   * operator asked for (cheap insurance; never on a first touch mid-burst, where the wait
   * for a write-behind backlog would hold every submit of the exam).
   */
  async function buildExam(examId: string, settle = false): Promise<number> {
    if (settle) await sources.settled();
    const results = await sources.rankedResults(examId);
    const boards = new Map<string, BoardEntry[]>();
    for (const r of results) addTo(boards, cohortBoards(r), entryOf(r));
    await replaceGroup(examId, boards);
    return results.length;
  }

  async function buildSeries(series: SeriesRow, settle = false): Promise<number> {
    if (settle) await sources.settled();
    const parts = new Map<
      string,
      { placement: RankedResult; sum: number; version: number; at: number }
    >();
    for (const examId of series.examIds) {
      const exam = await exams.get(examId);
      if (!exam) continue;
      for (const r of await sources.rankedResults(examId)) {
        const held = parts.get(r.studentId) ?? { placement: r, sum: 0, version: 0, at: 0 };
        held.sum += partPercentage(r.score, exam.maxScore);
        held.version += r.version;
        held.at = Math.max(held.at, r.submittedAt);
        parts.set(r.studentId, held);
      }
    }
    const boards = new Map<string, BoardEntry[]>();
    for (const [studentId, p] of parts)
      addTo(boards, cohortBoards(p.placement), {
        studentId,
        score: round1(p.sum),
        submittedAt: p.at,
        version: p.version,
      });
    await replaceGroup(seriesGroup(series.id), boards);
    return parts.size;
  }

  /**
   * Once per exam and process: where everyone sitting it sits, and their names, in one read.
   * A submit burst then puts and ranks without a database round trip per student (the
   * cohort placement), and board reads name their rows from memory.
   */
  const warmed = new Map<string, Promise<void>>();
  function warm(examId: string): Promise<void> {
    let done = warmed.get(examId);
    if (!done) {
      done = sources.examStudents(examId).then(
        (rows) => {
          placements.prime(rows.map(({ name: _, ...p }) => [p.studentId, p]));
          names.prime(rows.map((r) => [r.studentId, r.name]));
        },
        (err: unknown) => {
          // Only a warm-up: lookups go one batch at a time instead.
          warmed.delete(examId);
          logger.warn({ err, examId }, 'could not warm the leaderboard caches');
        },
      );
      warmed.set(examId, done);
    }
    return done;
  }

  async function ensureExam(examId: string): Promise<void> {
    await Promise.all([
      warm(examId),
      ensureBuilt(examId, async () => void (await buildExam(examId))),
    ]);
  }

  function ensureSeries(series: SeriesRow): Promise<void> {
    return ensureBuilt(seriesGroup(series.id), async () => void (await buildSeries(series)));
  }

  // ── Feeding ─────────────────────────────────────────────────────────────────────────

  async function updateSeries(examId: string, studentId: string): Promise<void> {
    const containing = (await seriesOfExam.get(examId)) ?? [];
    for (const series of containing) {
      const group = seriesGroup(series.id);
      await ensureSeries(series);
      const work = () => putSeriesEntry(series, studentId);
      if (await deferIfRebuilding(group, work)) continue;
      await work();
    }
  }

  /** Recomputes one student's series entry from the exam boards (they are the parts). */
  async function putSeriesEntry(series: SeriesRow, studentId: string): Promise<void> {
    const parts = await Promise.all(
      series.examIds.map(async (examId) => {
        await ensureExam(examId);
        const [entry, exam] = await Promise.all([
          index.get({ group: examId, board: EXAM_BOARD }, studentId),
          exams.get(examId),
        ]);
        return entry && exam ? { entry, exam } : null;
      }),
    );
    const held = parts.filter((p) => p !== null);
    if (held.length === 0) return;
    const entry: BoardEntry = {
      studentId,
      score: round1(
        held.reduce((sum, p) => sum + partPercentage(p.entry.score, p.exam.maxScore), 0),
      ),
      submittedAt: Math.max(...held.map((p) => p.entry.submittedAt)),
      version: held.reduce((sum, p) => sum + p.entry.version, 0),
    };
    const group = seriesGroup(series.id);
    const boards = cohortBoards(await placements.get(studentId));
    if ((await index.putBoards(group, boards, entry)).includes('applied')) changed(group);
  }

  async function applyScored(e: SessionScoredEvent): Promise<void> {
    const entry: BoardEntry = {
      studentId: e.studentId,
      score: e.score,
      submittedAt: Date.parse(e.submittedAt),
      version: e.version,
    };
    const boards = cohortBoards(await placements.get(e.studentId));
    if ((await index.putBoards(e.examId, boards, entry)).includes('applied')) changed(e.examId);
  }

  /** Puts a scored result on its boards (and its series'); a replay changes nothing. */
  async function record(e: SessionScoredEvent): Promise<void> {
    const key = `${e.sessionId}@${e.version}`;
    if (recorded.has(key)) return;
    await ensureExam(e.examId);
    if (!(await deferIfRebuilding(e.examId, () => applyScored(e)))) await applyScored(e);
    recorded.add(key);
    await updateSeries(e.examId, e.studentId);
  }

  return {
    record,
    ensureExam,
    ensureSeries,
    examOf: (examId: string) => exams.get(examId),
    placementOf: (studentId: string) => placements.get(studentId),
    namesOf: (studentIds: readonly string[]) => names.getMany(studentIds),
    seriesOf: async (examId: string) => (await seriesOfExam.get(examId)) ?? [],
    /** Resolves once a rebuild of the group running now (if any) has swapped in. */
    settledGroup: async (group: string) => rebuilding.get(group)?.done,
    /** when this process last saw the group change, or undefined */
    changedAt: (group: string) => changedAt.get(group),
    onChange(listener: (group: string) => void): () => void {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },

    /** An operator's rebuild: from PostgreSQL after the slow lane settled; joins one running. */
    async rebuildExam(examId: string): Promise<number> {
      await runRebuild(examId, async () => void (await buildExam(examId, true)));
      built.set(examId, Promise.resolve());
      return index.count({ group: examId, board: EXAM_BOARD });
    },

    async rebuildSeries(series: SeriesRow, settle = true): Promise<void> {
      const group = seriesGroup(series.id);
      await runRebuild(group, async () => void (await buildSeries(series, settle)));
      built.set(group, Promise.resolve());
    },

    async dropSeries(seriesId: string): Promise<void> {
      await index.clear(seriesGroup(seriesId));
      built.delete(seriesGroup(seriesId));
      seriesOfExam.forget();
    },

    forgetExam: (examId: string) => exams.forget(examId),
    forgetSeries: () => seriesOfExam.forget(),
  };
}

export type BoardFeed = ReturnType<typeof createBoardFeed>;
