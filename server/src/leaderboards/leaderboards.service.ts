import type { Logger } from 'pino';
import type {
  BoardRow as BoardRowView,
  Cohort,
  Leaderboard,
  RebuildResponse,
  ResultRank,
  Series,
  SeriesCreate,
  StaffBoardQuery,
  StudentBoardQuery,
} from '../../../contracts/leaderboards.js';
import type { LeaderboardVisibility } from '../../../contracts/exams.js';
import type { StaffPrincipal, StudentPrincipal } from '../auth/index.js';
import { canReadExam, canWrite, hasPermission } from '../auth/index.js';
import { isEligible, roundPoints, type StudentPlacement } from '../grading/index.js';
import type { Bus } from '../platform/bus/index.js';
import { forbidden, invalid, notFound } from '../platform/errors.js';
import type { SessionScoredEvent } from '../sessions/sessions.events.js';
import type { BoardEntry, BoardRef, LeaderboardIndex } from './index-port.js';
import { LookupCache } from './lookup-cache.js';
import { SeriesChanged } from './leaderboards.events.js';
import type { SeriesRepo, SeriesRow } from './series.repo.js';
import type { BoardExam, LeaderboardSources, RankedResult } from './sources.types.js';

/**
 * Exam leaderboards, ranks and series (API.md, "Exam leaderboards and ranks").
 *
 * The boards are an index (index-port.ts) over PostgreSQL's results, never the record:
 *  * fed by `session.scored` (a first grading, or a teacher's grade that finished a paper),
 *    idempotently — each result carries a version that grows with every change, so a
 *    replayed or late event changes nothing;
 *  * rebuilt from PostgreSQL on demand and when a process first touches a group whose
 *    exam board is empty (after a restart of the memory lane, or a Redis flush). Events that
 *    arrive during a rebuild are replayed onto the new board once it is swapped in.
 *
 * Boards of an exam (one index group): `exam`, `class:<id>`, `grade:<n>`, `major:<CODE>`,
 * placed by where the student sits when the result is recorded (a rebuild re-places
 * everyone). A series is a group `series:<id>` with the same cohorts; a student's series
 * score is the sum of their percentages (each rounded to one decimal) over its exams, and
 * its version the sum of those results' versions — so of two processes racing to write one
 * student's series entry, the one that saw every part's latest version writes the highest
 * version, and wins.
 */

export interface LeaderboardsDeps {
  index: LeaderboardIndex;
  sources: LeaderboardSources;
  series: SeriesRepo;
  bus: Bus;
  logger: Logger;
  now?: () => number;
}

const EXAM_BOARD = 'exam';
const seriesGroup = (seriesId: string) => `series:${seriesId}`;
const round1 = (n: number) => Math.round(n * 10) / 10;
const percentile = (below: number, total: number) =>
  total > 0 ? round1((100 * below) / total) : 0;
const VISIBILITY_ORDER: LeaderboardVisibility[] = ['students', 'anonymous', 'staff'];

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

/** What a board is read for: who looks, and how names are shown. */
interface Viewer {
  studentId?: string;
  /** anonymous boards show students only their own name */
  hideOthers: boolean;
}

interface BoardSpec {
  ref: BoardRef;
  cohort: Cohort;
  cohortLabel?: string;
  title: string;
  examId?: string;
  seriesId?: string;
  visibility: LeaderboardVisibility;
  /** a row's percentage from its score */
  percentage: (score: number) => number;
}

export function createLeaderboardsService(deps: LeaderboardsDeps) {
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

  async function examOf(examId: string): Promise<BoardExam | null> {
    return exams.get(examId);
  }

  // ── Rebuilds ────────────────────────────────────────────────────────────────────────

  /**
   * Runs `build` as the group's one rebuild; work arriving meanwhile (`whileRebuilding`)
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
      const exam = await examOf(examId);
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

  function ensureExam(examId: string): Promise<void> {
    return ensureBuilt(examId, async () => void (await buildExam(examId)));
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
          examOf(examId),
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
    const outcomes = await Promise.all(
      cohortBoards(await placements.get(studentId)).map((board) =>
        index.put({ group, board }, entry),
      ),
    );
    if (outcomes.includes('applied')) changed(group);
  }

  async function applyScored(e: SessionScoredEvent): Promise<void> {
    const entry: BoardEntry = {
      studentId: e.studentId,
      score: e.score,
      submittedAt: Date.parse(e.submittedAt),
      version: e.version,
    };
    const boards = cohortBoards(await placements.get(e.studentId));
    const outcomes = await Promise.all(
      boards.map((board) => index.put({ group: e.examId, board }, entry)),
    );
    if (outcomes.includes('applied')) changed(e.examId);
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

  // ── Reading ─────────────────────────────────────────────────────────────────────────

  async function readBoard(
    spec: BoardSpec,
    viewer: Viewer,
    top: number,
    around: number,
  ): Promise<Leaderboard> {
    const group = spec.ref.group;
    await rebuilding.get(group)?.done;
    const [rows, total, me, window] = await Promise.all([
      index.top(spec.ref, top),
      index.count(spec.ref),
      viewer.studentId ? index.rank(spec.ref, viewer.studentId) : Promise.resolve(null),
      viewer.studentId ? index.around(spec.ref, viewer.studentId, around) : Promise.resolve(null),
    ]);
    const shown = new Set<string>();
    for (const r of [...rows, ...(window ?? [])])
      if (!viewer.hideOthers || r.studentId === viewer.studentId) shown.add(r.studentId);
    const named = await names.getMany([...shown]);
    const present = (r: { studentId: string; score: number; rank: number }): BoardRowView => ({
      rank: r.rank,
      name: shown.has(r.studentId) ? (named.get(r.studentId) ?? null) : null,
      score: r.score,
      percentage: spec.percentage(r.score),
      ...(viewer.studentId === r.studentId ? { me: true } : {}),
    });
    const at = changedAt.get(group);
    return {
      ...(spec.examId ? { examId: spec.examId } : {}),
      ...(spec.seriesId ? { seriesId: spec.seriesId } : {}),
      title: spec.title,
      cohort: spec.cohort,
      ...(spec.cohortLabel ? { cohortLabel: spec.cohortLabel } : {}),
      total,
      updatedAt: at === undefined ? null : new Date(at).toISOString(),
      visibility: spec.visibility,
      top: rows.map(present),
      ...(viewer.studentId
        ? {
            me: me
              ? {
                  rank: me.rank,
                  score: me.score,
                  percentage: spec.percentage(me.score),
                  percentile: percentile(me.below, me.total),
                  total: me.total,
                }
              : null,
            around: (window ?? []).map(present),
          }
        : {}),
    };
  }

  /** The board name and label for a student's own cohort. */
  async function studentCohort(
    studentId: string,
    cohort: Cohort,
  ): Promise<{ board: string; label?: string }> {
    if (cohort === 'exam') return { board: EXAM_BOARD };
    const p = await placements.get(studentId);
    if (cohort === 'class') {
      if (!p?.classId) throw notFound('Your class');
      return { board: `class:${p.classId}`, label: (await sources.className(p.classId)) ?? '' };
    }
    if (cohort === 'grade') {
      if (p?.gradeLevel === null || p?.gradeLevel === undefined) throw notFound('Your grade');
      return { board: `grade:${p.gradeLevel}`, label: String(p.gradeLevel) };
    }
    if (!p?.majorCode) throw notFound('Your major');
    return { board: `major:${p.majorCode.toUpperCase()}`, label: p.majorCode.toUpperCase() };
  }

  /** The board a staff query names (at most one of classId, grade, major). */
  async function staffCohort(
    q: Pick<StaffBoardQuery, 'classId' | 'grade' | 'major'>,
  ): Promise<{ cohort: Cohort; board: string; label?: string }> {
    const named = [q.classId, q.grade, q.major].filter((v) => v !== undefined).length;
    if (named > 1) throw invalid('Name at most one of classId, grade and major');
    if (q.classId !== undefined) {
      const label = await sources.className(q.classId);
      if (label === null) throw notFound('Class');
      return { cohort: 'class', board: `class:${q.classId}`, label };
    }
    if (q.grade !== undefined)
      return { cohort: 'grade', board: `grade:${q.grade}`, label: String(q.grade) };
    if (q.major !== undefined) {
      const code = q.major.trim().toUpperCase();
      return { cohort: 'major', board: `major:${code}`, label: code };
    }
    return { cohort: 'exam', board: EXAM_BOARD };
  }

  const examPercentage = (exam: BoardExam) => (score: number) =>
    exam.maxScore > 0 ? roundPoints((100 * score) / exam.maxScore) : 0;

  /** The checks before a student sees an exam's board (API.md's fixed details, in order). */
  async function studentExam(student: StudentPrincipal, examId: string): Promise<BoardExam> {
    const exam = await examOf(examId);
    if (!exam || exam.status === 'DRAFT') throw notFound('Exam');
    const status = await sources.sessionStatus(examId, student.id);
    if (status === null) {
      const placement = await placements.get(student.id);
      if (!placement || !isEligible(exam.targets, placement)) throw notFound('Exam');
    }
    if (!exam.leaderboard.enabled) throw notFound('Leaderboard');
    if (exam.leaderboard.visibility === 'staff')
      throw forbidden('This leaderboard is for staff only');
    if (status !== 'SCORED' || !(await sources.resultsShown(examId)))
      throw forbidden('The leaderboard opens once your result shows its score');
    return exam;
  }

  async function staffExam(staff: StaffPrincipal, examId: string): Promise<BoardExam> {
    const exam = await examOf(examId);
    if (!exam || !canReadExam(staff, exam.authorId)) throw notFound('Exam');
    return exam;
  }

  // ── Series ──────────────────────────────────────────────────────────────────────────

  async function presentSeries(row: SeriesRow): Promise<Series> {
    const titled = await Promise.all(row.examIds.map((id) => examOf(id)));
    return {
      id: row.id,
      title: row.title,
      examIds: row.examIds,
      exams: titled.flatMap((e) => (e ? [{ id: e.id, title: e.title }] : [])),
      createdAt: row.createdAt.toISOString(),
    };
  }

  async function seriesExams(row: SeriesRow): Promise<BoardExam[]> {
    return (await Promise.all(row.examIds.map((id) => examOf(id)))).filter((e) => e !== null);
  }

  async function staffSeries(staff: StaffPrincipal, id: string): Promise<SeriesRow> {
    const row = await deps.series.get(id);
    if (!row) throw notFound('Series');
    const members = await seriesExams(row);
    if (!members.every((e) => canReadExam(staff, e.authorId))) throw notFound('Series');
    return row;
  }

  /** The strictest visibility among a series' exams decides names for students. */
  function strictest(members: BoardExam[]): LeaderboardVisibility {
    let worst = 0;
    for (const e of members)
      worst = Math.max(worst, VISIBILITY_ORDER.indexOf(e.leaderboard.visibility));
    return VISIBILITY_ORDER[worst]!;
  }

  async function studentMayReadSeries(student: StudentPrincipal, row: SeriesRow): Promise<boolean> {
    const placement = await placements.get(student.id);
    for (const e of await seriesExams(row)) {
      if (e.status === 'DRAFT') continue;
      if (placement && isEligible(e.targets, placement)) return true;
      if ((await sources.sessionStatus(e.id, student.id)) !== null) return true;
    }
    return false;
  }

  function seriesSpec(
    row: SeriesRow,
    members: BoardExam[],
    board: string,
    cohort: Cohort,
    label?: string,
  ): BoardSpec {
    const count = Math.max(1, row.examIds.length);
    return {
      ref: { group: seriesGroup(row.id), board },
      cohort,
      ...(label ? { cohortLabel: label } : {}),
      title: row.title,
      seriesId: row.id,
      visibility: strictest(members),
      percentage: (score) => round1(score / count),
    };
  }

  const announceSeries = (seriesId: string) =>
    deps.bus
      .publish(SeriesChanged, { seriesId })
      .catch((err: unknown) =>
        logger.warn({ err, seriesId }, 'could not announce a series change'),
      );

  return {
    record,

    /** Called for every change this process should learn of (its own and other processes'). */
    onChange(listener: (group: string) => void): () => void {
      changeListeners.add(listener);
      return () => changeListeners.delete(listener);
    },

    /** An exam's settings changed (visibility, publish, close): read them afresh. */
    examChanged(examId: string): void {
      exams.forget(examId);
    },

    /** Another process changed a series: forget what this one cached about it. */
    seriesChanged(): void {
      seriesOfExam.forget();
    },

    /** Another process changed a board: watchers here hear of it. */
    remoteChange(group: string, at: number): void {
      changed(group, at);
    },

    /**
     * The sessions feature's ResultRanks: the live rank of a scored result on its exam's
     * board (putting it there first, idempotently), or null when the board is off.
     */
    async rankOf(e: SessionScoredEvent): Promise<ResultRank | null> {
      const exam = await examOf(e.examId);
      if (!exam?.leaderboard.enabled) return null;
      await record(e);
      await rebuilding.get(e.examId)?.done;
      const r = await index.rank({ group: e.examId, board: EXAM_BOARD }, e.studentId);
      return r
        ? { rank: r.rank, rankTotal: r.total, percentile: percentile(r.below, r.total) }
        : null;
    },

    async studentBoard(
      student: StudentPrincipal,
      examId: string,
      q: StudentBoardQuery,
    ): Promise<Leaderboard> {
      const exam = await studentExam(student, examId);
      await ensureExam(examId);
      const cohort = q.cohort ?? 'exam';
      const { board, label } = await studentCohort(student.id, cohort);
      return readBoard(
        {
          ref: { group: examId, board },
          cohort,
          ...(label ? { cohortLabel: label } : {}),
          title: exam.title,
          examId,
          visibility: exam.leaderboard.visibility,
          percentage: examPercentage(exam),
        },
        { studentId: student.id, hideOthers: exam.leaderboard.visibility === 'anonymous' },
        q.top ?? 100,
        q.around ?? 5,
      );
    },

    async staffBoard(
      staff: StaffPrincipal,
      examId: string,
      q: StaffBoardQuery,
    ): Promise<Leaderboard> {
      const exam = await staffExam(staff, examId);
      await ensureExam(examId);
      const { cohort, board, label } = await staffCohort(q);
      return readBoard(
        {
          ref: { group: examId, board },
          cohort,
          ...(label ? { cohortLabel: label } : {}),
          title: exam.title,
          examId,
          visibility: exam.leaderboard.visibility,
          percentage: examPercentage(exam),
        },
        { hideOthers: false },
        q.top ?? 100,
        0,
      );
    },

    /** POST …/leaderboard/rebuild: every board of the exam from PostgreSQL, and its series'. */
    async rebuild(staff: StaffPrincipal, examId: string): Promise<RebuildResponse> {
      const exam = await staffExam(staff, examId);
      const started = now();
      // Joins a rebuild already running rather than starting a second one.
      await runRebuild(examId, async () => void (await buildExam(examId, true)));
      built.set(examId, Promise.resolve());
      const ranked = await index.count({ group: examId, board: EXAM_BOARD });
      for (const series of (await seriesOfExam.get(examId)) ?? [])
        await runRebuild(
          seriesGroup(series.id),
          async () => void (await buildSeries(series, true)),
        );
      logger.info({ examId: exam.id, ranked, tookMs: now() - started }, 'leaderboard rebuilt');
      return { examId, ranked, tookMs: now() - started };
    },

    // Series
    async createSeries(staff: StaffPrincipal, body: SeriesCreate): Promise<Series> {
      if (!hasPermission(staff, 'exams:write_own') && !hasPermission(staff, 'exams:write_all'))
        throw forbidden('You need the permission exams:write_own or exams:write_all');
      const title = body.title.trim();
      if (title === '') throw invalid('title must not be blank');
      for (const [i, id] of body.examIds.entries()) {
        const exam = await examOf(id);
        if (!exam || !canReadExam(staff, exam.authorId))
          throw invalid(`examIds[${i}]: no such exam among yours`);
      }
      const id = await deps.series.create({ title, examIds: body.examIds, authorId: staff.id });
      seriesOfExam.forget();
      await announceSeries(id);
      const row = (await deps.series.get(id))!;
      await runRebuild(seriesGroup(id), async () => void (await buildSeries(row)));
      built.set(seriesGroup(id), Promise.resolve());
      return presentSeries(row);
    },

    async listSeries(staff: StaffPrincipal): Promise<Series[]> {
      const rows = await deps.series.list();
      const visible: Series[] = [];
      for (const row of rows) {
        const members = await seriesExams(row);
        if (members.every((e) => canReadExam(staff, e.authorId)))
          visible.push(await presentSeries(row));
      }
      return visible;
    },

    async getSeries(staff: StaffPrincipal, id: string): Promise<Series> {
      return presentSeries(await staffSeries(staff, id));
    },

    async deleteSeries(staff: StaffPrincipal, id: string): Promise<void> {
      const row = await staffSeries(staff, id);
      const members = await seriesExams(row);
      if (!members.every((e) => canWrite(staff, 'exams', e.authorId)) && row.authorId !== staff.id)
        throw forbidden('You may only delete series of your own exams');
      await deps.series.remove(id);
      await index.clear(seriesGroup(id));
      built.delete(seriesGroup(id));
      seriesOfExam.forget();
      await announceSeries(id);
    },

    async studentSeriesList(student: StudentPrincipal): Promise<Series[]> {
      const visible: Series[] = [];
      for (const row of await deps.series.list())
        if (await studentMayReadSeries(student, row)) visible.push(await presentSeries(row));
      return visible;
    },

    async seriesBoardForStudent(
      student: StudentPrincipal,
      id: string,
      q: StudentBoardQuery,
    ): Promise<Leaderboard> {
      const row = await deps.series.get(id);
      if (!row || !(await studentMayReadSeries(student, row))) throw notFound('Series');
      const members = await seriesExams(row);
      const visibility = strictest(members);
      if (visibility === 'staff') throw forbidden('This leaderboard is for staff only');
      for (const e of members)
        if (e.status !== 'DRAFT' && !(await sources.resultsShown(e.id)))
          throw forbidden("The series board opens once every exam's results show");
      await ensureSeries(row);
      const cohort = q.cohort ?? 'exam';
      const { board, label } = await studentCohort(student.id, cohort);
      return readBoard(
        seriesSpec(row, members, board, cohort, label),
        { studentId: student.id, hideOthers: visibility === 'anonymous' },
        q.top ?? 100,
        q.around ?? 5,
      );
    },

    async seriesBoardForStaff(
      staff: StaffPrincipal,
      id: string,
      q: StaffBoardQuery,
    ): Promise<Leaderboard> {
      const row = await staffSeries(staff, id);
      await ensureSeries(row);
      const { cohort, board, label } = await staffCohort(q);
      return readBoard(
        seriesSpec(row, await seriesExams(row), board, cohort, label),
        { hideOthers: false },
        q.top ?? 100,
        0,
      );
    },

    /** For the socket: a watcher's board as the GET would give it (errors as AppErrors). */
    async watchBoard(
      viewer: StudentPrincipal | StaffPrincipal,
      examId: string,
      cohort: Cohort,
    ): Promise<Leaderboard> {
      if (viewer.kind === 'student')
        return this.studentBoard(viewer, examId, { cohort, top: 100, around: 5 });
      if (cohort !== 'exam')
        throw invalid('Staff watch the whole exam; read cohorts with GET …/leaderboard');
      return this.staffBoard(viewer, examId, {});
    },
  };
}

export type LeaderboardsService = ReturnType<typeof createLeaderboardsService>;
