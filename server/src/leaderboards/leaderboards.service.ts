import type { Logger } from 'pino';
import type {
  Cohort,
  Leaderboard,
  RebuildResponse,
  ResultRank,
  StaffBoardQuery,
  StudentBoardQuery,
} from '../../../contracts/leaderboards.js';
import type { StaffPrincipal, StudentPrincipal } from '../auth/index.js';
import { canReadExam } from '../auth/index.js';
import { isEligible } from '../grading/index.js';
import type { Bus } from '../platform/bus/index.js';
import { forbidden, invalid, notFound } from '../platform/errors.js';
import type { SessionScoredEvent } from '../sessions/sessions.events.js';
import { createBoardFeed, EXAM_BOARD } from './board-feed.js';
import { createBoardView, examPercentage, percentile, type BoardSpec } from './board-view.js';
import type { LeaderboardIndex } from './index-port.js';
import { createSeriesBoards } from './series-boards.js';
import type { SeriesRepo } from './series.repo.js';
import type { BoardExam, LeaderboardSources } from './sources.types.js';

/**
 * Exam leaderboards, ranks and series (API.md, "Exam leaderboards and ranks"): who may see
 * which board, and the calls the routes, the socket and the sessions feature make. The
 * boards are an index over PostgreSQL's results, never the record: board-feed.ts keeps them
 * true, board-view.ts reads them, series-boards.ts adds the series.
 */

export interface LeaderboardsDeps {
  index: LeaderboardIndex;
  sources: LeaderboardSources;
  series: SeriesRepo;
  bus: Bus;
  logger: Logger;
  now?: () => number;
}

const DEFAULT_TOP = 100;
const DEFAULT_AROUND = 5;

export function createLeaderboardsService(deps: LeaderboardsDeps) {
  const { index, sources, logger } = deps;
  const now = deps.now ?? Date.now;
  const feed = createBoardFeed({ index, sources, series: deps.series, logger, now });
  const view = createBoardView({ index, sources, feed });
  const series = createSeriesBoards({ ...deps, feed, view });

  /** The checks before a student sees an exam's board (API.md's fixed details, in order). */
  async function studentExam(student: StudentPrincipal, examId: string): Promise<BoardExam> {
    const exam = await feed.examOf(examId);
    if (!exam || exam.status === 'DRAFT') throw notFound('Exam');
    await feed.ensureExam(examId);
    // On the board means SCORED (only SCORED results are put): no need to read the session.
    const onBoard = (await index.get({ group: examId, board: EXAM_BOARD }, student.id)) !== null;
    const status = onBoard ? 'SCORED' : await sources.sessionStatus(examId, student.id);
    if (status === null) {
      const placement = await feed.placementOf(student.id);
      if (!placement || !isEligible(exam.targets, placement)) throw notFound('Exam');
    }
    if (!exam.leaderboard.enabled) throw notFound('Leaderboard');
    if (exam.leaderboard.visibility === 'staff')
      throw forbidden('This leaderboard is for staff only');
    if (status !== 'SCORED' || !(await sources.resultsShown(examId)))
      throw forbidden('The leaderboard opens once your result shows its score');
    return exam;
  }

  /** Staff read the boards of exams they may read (the board need not be on for them). */
  async function staffExam(staff: StaffPrincipal, examId: string): Promise<BoardExam> {
    const exam = await feed.examOf(examId);
    if (!exam || !canReadExam(staff, exam.authorId)) throw notFound('Exam');
    return exam;
  }

  const examSpec = (
    exam: BoardExam,
    cohort: { cohort: Cohort; board: string; label?: string },
  ): BoardSpec => ({
    ref: { group: exam.id, board: cohort.board },
    cohort: cohort.cohort,
    cohortLabel: cohort.label,
    title: exam.title,
    examId: exam.id,
    visibility: exam.leaderboard.visibility,
    percentage: examPercentage(exam),
  });

  const service = {
    /** Puts a scored result on its boards (the bus subscription); a replay changes nothing. */
    record: (event: SessionScoredEvent) => feed.record(event),

    /** Called whenever a board of a group changes, as this process learns of it. */
    onChange: (listener: (group: string) => void) => feed.onChange(listener),

    /** An exam's settings changed (visibility, publish, close): read them afresh. */
    examChanged(examId: string): void {
      feed.forgetExam(examId);
    },

    /** Another process created or deleted a series: forget what this one cached. */
    seriesChanged(): void {
      feed.forgetSeries();
    },

    /**
     * The sessions feature's ResultRanks: the live rank of a scored result on its exam's
     * board (putting it there first, idempotently), or null when the board is off.
     */
    async rankOf(e: SessionScoredEvent): Promise<ResultRank | null> {
      const exam = await feed.examOf(e.examId);
      if (!exam?.leaderboard.enabled) return null;
      await feed.record(e);
      await feed.settledGroup(e.examId);
      const r = await index.rank({ group: e.examId, board: EXAM_BOARD }, e.studentId);
      if (!r) return null;
      return { rank: r.rank, rankTotal: r.total, percentile: percentile(r.below, r.total) };
    },

    async studentBoard(
      student: StudentPrincipal,
      examId: string,
      q: StudentBoardQuery,
    ): Promise<Leaderboard> {
      const exam = await studentExam(student, examId);
      await feed.ensureExam(examId);
      const cohort = await view.studentCohort(student.id, q.cohort ?? 'exam');
      return view.read(
        examSpec(exam, cohort),
        { studentId: student.id, hideOthers: exam.leaderboard.visibility === 'anonymous' },
        q.top ?? DEFAULT_TOP,
        q.around ?? DEFAULT_AROUND,
      );
    },

    async staffBoard(
      staff: StaffPrincipal,
      examId: string,
      q: StaffBoardQuery,
    ): Promise<Leaderboard> {
      const exam = await staffExam(staff, examId);
      await feed.ensureExam(examId);
      const cohort = await view.staffCohort(q);
      return view.read(examSpec(exam, cohort), { hideOthers: false }, q.top ?? DEFAULT_TOP, 0);
    },

    /** POST …/leaderboard/rebuild: every board of the exam from PostgreSQL, and its series'. */
    async rebuild(staff: StaffPrincipal, examId: string): Promise<RebuildResponse> {
      await staffExam(staff, examId);
      const started = now();
      const ranked = await feed.rebuildExam(examId);
      for (const row of await feed.seriesOf(examId)) await feed.rebuildSeries(row);
      const tookMs = now() - started;
      logger.info({ examId, ranked, tookMs }, 'leaderboard rebuilt');
      return { examId, ranked, tookMs };
    },

    ...series,

    /** For the socket: a watcher's board as the GET would give it (errors as AppErrors). */
    async watchBoard(
      viewer: StudentPrincipal | StaffPrincipal,
      examId: string,
      cohort: Cohort,
    ): Promise<Leaderboard> {
      if (viewer.kind === 'student')
        return service.studentBoard(viewer, examId, { cohort, top: DEFAULT_TOP });
      if (cohort !== 'exam')
        throw invalid('Staff watch the whole exam; read cohorts with GET …/leaderboard');
      return service.staffBoard(viewer, examId, {});
    },
  };
  return service;
}

export type LeaderboardsService = ReturnType<typeof createLeaderboardsService>;
