import type {
  BoardRow as BoardRowView,
  Cohort,
  Leaderboard,
  StaffBoardQuery,
} from '../../../contracts/leaderboards.js';
import type { LeaderboardVisibility } from '../../../contracts/exams.js';
import { roundPoints } from '../grading/index.js';
import { invalid, notFound } from '../platform/errors.js';
import { EXAM_BOARD, round1, type BoardFeed } from './board-feed.js';
import type { BoardRef, LeaderboardIndex } from './index-port.js';
import type { BoardExam, LeaderboardSources } from './sources.types.js';

/**
 * Reading a board the way API.md shapes it: the top, the caller's own standing and the rows
 * around it, names as the visibility allows — and which board a cohort query means.
 */

export const percentile = (below: number, total: number) =>
  total > 0 ? round1((100 * below) / total) : 0;

export const examPercentage = (exam: BoardExam) => (score: number) =>
  exam.maxScore > 0 ? roundPoints((100 * score) / exam.maxScore) : 0;

/** Who looks, and how names are shown. */
export interface Viewer {
  studentId?: string;
  /** anonymous boards show students only their own name */
  hideOthers: boolean;
}

export interface BoardSpec {
  ref: BoardRef;
  cohort: Cohort;
  cohortLabel?: string | undefined;
  title: string;
  examId?: string;
  seriesId?: string;
  visibility: LeaderboardVisibility;
  /** a row's percentage from its score */
  percentage: (score: number) => number;
}

export interface CohortBoard {
  cohort: Cohort;
  board: string;
  label?: string;
}

export function createBoardView(deps: {
  index: LeaderboardIndex;
  sources: Pick<LeaderboardSources, 'className'>;
  feed: BoardFeed;
}) {
  const { index, sources, feed } = deps;

  async function read(
    spec: BoardSpec,
    viewer: Viewer,
    top: number,
    around: number,
  ): Promise<Leaderboard> {
    await feed.settledGroup(spec.ref.group);
    const [rows, total, me, window] = await Promise.all([
      index.top(spec.ref, top),
      index.count(spec.ref),
      viewer.studentId ? index.rank(spec.ref, viewer.studentId) : Promise.resolve(null),
      viewer.studentId ? index.around(spec.ref, viewer.studentId, around) : Promise.resolve(null),
    ]);
    const shown = new Set<string>();
    for (const r of [...rows, ...(window ?? [])])
      if (!viewer.hideOthers || r.studentId === viewer.studentId) shown.add(r.studentId);
    const named = await feed.namesOf([...shown]);
    const present = (r: { studentId: string; score: number; rank: number }): BoardRowView => ({
      rank: r.rank,
      name: shown.has(r.studentId) ? (named.get(r.studentId) ?? null) : null,
      score: r.score,
      percentage: spec.percentage(r.score),
      ...(viewer.studentId === r.studentId ? { me: true } : {}),
    });
    const at = feed.changedAt(spec.ref.group);
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

  return {
    read,

    /** The board of a student's own cohort: their class, grade or major now. */
    async studentCohort(studentId: string, cohort: Cohort): Promise<CohortBoard> {
      if (cohort === 'exam') return { cohort, board: EXAM_BOARD };
      const p = await feed.placementOf(studentId);
      if (cohort === 'class') {
        if (!p?.classId) throw notFound('Your class');
        const label = (await sources.className(p.classId)) ?? '';
        return { cohort, board: `class:${p.classId}`, label };
      }
      if (cohort === 'grade') {
        if (p?.gradeLevel === null || p?.gradeLevel === undefined) throw notFound('Your grade');
        return { cohort, board: `grade:${p.gradeLevel}`, label: String(p.gradeLevel) };
      }
      if (!p?.majorCode) throw notFound('Your major');
      const code = p.majorCode.toUpperCase();
      return { cohort, board: `major:${code}`, label: code };
    },

    /** The board a staff query names (at most one of classId, grade, major). */
    async staffCohort(
      q: Pick<StaffBoardQuery, 'classId' | 'grade' | 'major'>,
    ): Promise<CohortBoard> {
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
    },
  };
}

export type BoardView = ReturnType<typeof createBoardView>;
