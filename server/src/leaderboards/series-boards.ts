import type { Logger } from 'pino';
import type {
  Leaderboard,
  Series,
  SeriesCreate,
  StaffBoardQuery,
  StudentBoardQuery,
} from '../../../contracts/leaderboards.js';
import type { LeaderboardVisibility } from '../../../contracts/exams.js';
import type { StaffPrincipal, StudentPrincipal } from '../auth/index.js';
import { canReadExam, canWrite, hasPermission } from '../auth/index.js';
import { isEligible } from '../grading/index.js';
import type { Bus } from '../platform/bus/index.js';
import { forbidden, invalid, notFound } from '../platform/errors.js';
import { round1, seriesGroup, type BoardFeed } from './board-feed.js';
import type { BoardSpec, BoardView, CohortBoard } from './board-view.js';
import { SeriesChanged } from './leaderboards.events.js';
import type { SeriesRepo, SeriesRow } from './series.repo.js';
import type { BoardExam, LeaderboardSources } from './sources.types.js';

/**
 * Series (a try-out season, a mock-test bundle): staff create one from exams they may read;
 * its board ranks students by the sum of their percentages over its exams (an exam not
 * taken counts 0). Students of any of its exams may read it once every exam shows its
 * results, named as the strictest of its exams' visibilities allows.
 */

/** From most to least open: a series takes the strictest of its exams'. */
const VISIBILITY_ORDER: LeaderboardVisibility[] = ['students', 'anonymous', 'staff'];

function strictest(members: BoardExam[]): LeaderboardVisibility {
  let worst = 0;
  for (const e of members)
    worst = Math.max(worst, VISIBILITY_ORDER.indexOf(e.leaderboard.visibility));
  return VISIBILITY_ORDER[worst]!;
}

export function createSeriesBoards(deps: {
  series: SeriesRepo;
  sources: Pick<LeaderboardSources, 'sessionStatus' | 'resultsShown'>;
  bus: Bus;
  logger: Pick<Logger, 'warn'>;
  feed: BoardFeed;
  view: BoardView;
}) {
  const { feed, view, sources } = deps;

  async function members(row: SeriesRow): Promise<BoardExam[]> {
    return (await Promise.all(row.examIds.map((id) => feed.examOf(id)))).filter((e) => e !== null);
  }

  async function present(row: SeriesRow): Promise<Series> {
    return {
      id: row.id,
      title: row.title,
      examIds: row.examIds,
      exams: (await members(row)).map((e) => ({ id: e.id, title: e.title })),
      createdAt: row.createdAt.toISOString(),
    };
  }

  /**
   * Staff see a series when they may read every exam of it; one whose exams are all gone
   * only with exams:read_all (an empty list would otherwise let anyone in).
   */
  function staffMayRead(staff: StaffPrincipal, exams: BoardExam[]): boolean {
    if (exams.length === 0) return hasPermission(staff, 'exams:read_all');
    return exams.every((e) => canReadExam(staff, e.authorId));
  }

  /** A series staff may see (else, for them, it does not exist). */
  async function staffSeries(staff: StaffPrincipal, id: string): Promise<SeriesRow> {
    const row = await deps.series.get(id);
    if (!row || !staffMayRead(staff, await members(row))) throw notFound('Series');
    return row;
  }

  /** Targeted by, or sitting, any published exam of the series. */
  async function studentMayRead(student: StudentPrincipal, row: SeriesRow): Promise<boolean> {
    const placement = await feed.placementOf(student.id);
    for (const e of await members(row)) {
      if (e.status === 'DRAFT') continue;
      if (placement && isEligible(e.targets, placement)) return true;
      if ((await sources.sessionStatus(e.id, student.id)) !== null) return true;
    }
    return false;
  }

  function spec(row: SeriesRow, exams: BoardExam[], cohort: CohortBoard): BoardSpec {
    const count = Math.max(1, row.examIds.length);
    return {
      ref: { group: seriesGroup(row.id), board: cohort.board },
      cohort: cohort.cohort,
      cohortLabel: cohort.label,
      title: row.title,
      seriesId: row.id,
      visibility: strictest(exams),
      // the series' "percentage": the mean over its exams
      percentage: (score) => round1(score / count),
    };
  }

  const announce = (seriesId: string) =>
    deps.bus
      .publish(SeriesChanged, { seriesId })
      .catch((err: unknown) =>
        deps.logger.warn({ err, seriesId }, 'could not announce a series change'),
      );

  return {
    async createSeries(staff: StaffPrincipal, body: SeriesCreate): Promise<Series> {
      if (!hasPermission(staff, 'exams:write_own') && !hasPermission(staff, 'exams:write_all'))
        throw forbidden('You need the permission exams:write_own or exams:write_all');
      const title = body.title.trim();
      if (title === '') throw invalid('title must not be blank');
      for (const [i, id] of body.examIds.entries()) {
        const exam = await feed.examOf(id);
        if (!exam || !canReadExam(staff, exam.authorId))
          throw invalid(`examIds[${i}]: no such exam among yours`);
      }
      const id = await deps.series.create({ title, examIds: body.examIds, authorId: staff.id });
      feed.forgetSeries();
      await announce(id);
      const row = (await deps.series.get(id))!;
      // Exams taken before the series existed count at once.
      await feed.rebuildSeries(row, false);
      return present(row);
    },

    async listSeries(staff: StaffPrincipal): Promise<Series[]> {
      const visible: Series[] = [];
      for (const row of await deps.series.list())
        if (staffMayRead(staff, await members(row))) visible.push(await present(row));
      return visible;
    },

    async getSeries(staff: StaffPrincipal, id: string): Promise<Series> {
      return present(await staffSeries(staff, id));
    },

    async deleteSeries(staff: StaffPrincipal, id: string): Promise<void> {
      const row = await staffSeries(staff, id);
      const own = (await members(row)).every((e) => canWrite(staff, 'exams', e.authorId));
      if (!own && row.authorId !== staff.id)
        throw forbidden('You may only delete series of your own exams');
      await deps.series.remove(id);
      await feed.dropSeries(id);
      await announce(id);
    },

    async studentSeriesList(student: StudentPrincipal): Promise<Series[]> {
      const visible: Series[] = [];
      for (const row of await deps.series.list())
        if (await studentMayRead(student, row)) visible.push(await present(row));
      return visible;
    },

    async seriesBoardForStudent(
      student: StudentPrincipal,
      id: string,
      q: StudentBoardQuery,
    ): Promise<Leaderboard> {
      const row = await deps.series.get(id);
      if (!row || !(await studentMayRead(student, row))) throw notFound('Series');
      const exams = await members(row);
      const visibility = strictest(exams);
      if (visibility === 'staff') throw forbidden('This leaderboard is for staff only');
      // A sum must not show a score its exam's policy still hides.
      for (const e of exams)
        if (e.status !== 'DRAFT' && !(await sources.resultsShown(e.id)))
          throw forbidden("The series board opens once every exam's results show");
      await feed.ensureSeries(row);
      const cohort = await view.studentCohort(student.id, q.cohort ?? 'exam');
      return view.read(
        spec(row, exams, cohort),
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
      await feed.ensureSeries(row);
      const cohort = await view.staffCohort(q);
      return view.read(
        spec(row, await members(row), cohort),
        { hideOthers: false },
        q.top ?? 100,
        0,
      );
    },
  };
}
