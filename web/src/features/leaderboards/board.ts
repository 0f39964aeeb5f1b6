import type { StaffFilter } from '../../api/board-query';
import type { BoardRow, Cohort, Leaderboard, SchoolClass, ServerMessage } from '../../api/types';

/**
 * The rules of the leaderboard screens, kept free of React and I/O: which frame belongs to
 * which board, which of two boards is newer, what the student's rank line says, and how the
 * staff cohort filter is written in a select.
 */

export type BoardFrame = Extract<ServerMessage, { type: 'leaderboard.update' }>;

export interface BoardWatch {
  examId: string;
  cohort?: Cohort;
}

export const COHORTS: readonly Cohort[] = ['exam', 'class', 'grade', 'major'];

/** A cohort from a URL (`?cohort=class`); anything else is the whole exam. */
export function parseCohort(value: string | null | undefined): Cohort {
  return COHORTS.find((cohort) => cohort === value) ?? 'exam';
}

/** A cohort as `?cohort=` writes it: nothing for the whole exam (the default). */
export function studentCohortParam(cohort: Cohort): string {
  return cohort === 'exam' ? '' : cohort;
}

/** The board a `leaderboard.update` carries: the GET's shape plus the frame's type and id. */
export function boardOf(frame: BoardFrame): Leaderboard {
  const { type: _type, id: _id, ...board } = frame;
  return board;
}

/** One socket may carry several watches: a frame is for this one when exam and cohort match. */
export function frameMatches(frame: BoardFrame, watch: BoardWatch): boolean {
  return frame.examId === watch.examId && frame.cohort === (watch.cohort ?? 'exam');
}

const stamp = (board: Leaderboard) =>
  board.updatedAt ? Date.parse(board.updatedAt) : Number.NEGATIVE_INFINITY;

/**
 * The board to show when another copy arrives. A GET that left before a socket frame came in
 * may answer after it: the older copy must not undo the newer one. A copy of another board
 * (the cohort changed) always wins.
 */
export function newerBoard(current: Leaderboard | null, next: Leaderboard): Leaderboard {
  if (!current) return next;
  const same =
    current.examId === next.examId &&
    current.seriesId === next.seriesId &&
    current.cohort === next.cohort &&
    current.cohortLabel === next.cohortLabel;
  if (!same) return next;
  return stamp(next) < stamp(current) ? current : next;
}

export interface BoardSections {
  top: BoardRow[];
  /** the rows around the student's own, when that row is not already in the top list */
  around: BoardRow[] | null;
}

export function boardSections(board: Leaderboard): BoardSections {
  const meInTop = board.top.some((row) => row.me);
  const around = board.around ?? [];
  return { top: board.top, around: !meInTop && around.some((row) => row.me) ? around : null };
}

/** A percentile with exactly one decimal, as API.md gives it ("94.0", Indonesian "94,0"). */
export function oneDecimal(value: number, lang: 'en' | 'id'): string {
  return new Intl.NumberFormat(lang === 'id' ? 'id-ID' : 'en-GB', {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(value);
}

export interface RankFacts {
  rank: number;
  total: number;
  percentile: number;
}

export type RankLine =
  | { key: 'rank.summary'; vars: { rank: number; total: number; pct: string } }
  | { key: 'rank.summaryPlain'; vars: { rank: number; total: number } };

/**
 * "Rank 3 of 50 · better than 94.0%". Better than nobody is left unsaid: "better than 0.0%"
 * reads as a reproach to the last student and tells them nothing the rank does not.
 */
export function rankLine(facts: RankFacts, lang: 'en' | 'id'): RankLine {
  const { rank, total, percentile } = facts;
  if (!(percentile > 0)) return { key: 'rank.summaryPlain', vars: { rank, total } };
  return { key: 'rank.summary', vars: { rank, total, pct: oneDecimal(percentile, lang) } };
}

// ── The staff cohort filter ───────────────────────────────────────────────────────

/** A filter as a select's value: "" for the whole exam, "class:<id>", "grade:10", "major:IPA". */
export function filterValue(filter: StaffFilter): string {
  switch (filter.kind) {
    case 'exam':
      return '';
    case 'class':
      return `class:${filter.classId}`;
    case 'grade':
      return `grade:${filter.grade}`;
    case 'major':
      return `major:${filter.major}`;
  }
}

export function parseFilter(value: string): StaffFilter {
  const at = value.indexOf(':');
  const kind = value.slice(0, at);
  const rest = value.slice(at + 1);
  if (at > 0 && rest) {
    if (kind === 'class') return { kind, classId: rest };
    if (kind === 'major') return { kind, major: rest };
    const grade = Number(rest);
    if (kind === 'grade' && Number.isInteger(grade) && grade > 0) return { kind, grade };
  }
  return { kind: 'exam' };
}

export interface FilterChoices {
  classes: { value: string; label: string }[];
  grades: { value: string; grade: number }[];
  majors: { value: string; major: string }[];
}

/** The classes, and the grades and majors they have, each once and in order. */
export function filterChoices(classes: SchoolClass[]): FilterChoices {
  const sorted = [...classes].sort(
    (a, b) => a.gradeLevel - b.gradeLevel || a.name.localeCompare(b.name),
  );
  const grades = [...new Set(sorted.map((c) => c.gradeLevel))].sort((a, b) => a - b);
  const majors = [...new Set(sorted.map((c) => c.majorCode))].sort((a, b) => a.localeCompare(b));
  return {
    classes: sorted.map((c) => ({
      value: filterValue({ kind: 'class', classId: c.id }),
      label: c.name,
    })),
    grades: grades.map((grade) => ({ value: filterValue({ kind: 'grade', grade }), grade })),
    majors: majors.map((major) => ({ value: filterValue({ kind: 'major', major }), major })),
  };
}

// ── Series ─────────────────────────────────────────────────────────────────────────

export const SERIES_MAX_EXAMS = 50;
export const SERIES_MAX_TITLE = 200;

export type SeriesProblem = 'needTitle' | 'titleTooLong' | 'needExam' | 'tooManyExams';

/** What keeps a new series from being created (the server's own limits, said before sending). */
export function seriesProblems(draft: { title: string; examIds: string[] }): SeriesProblem[] {
  const problems: SeriesProblem[] = [];
  const title = draft.title.trim();
  if (!title) problems.push('needTitle');
  else if (title.length > SERIES_MAX_TITLE) problems.push('titleTooLong');
  if (draft.examIds.length === 0) problems.push('needExam');
  else if (draft.examIds.length > SERIES_MAX_EXAMS) problems.push('tooManyExams');
  return problems;
}
