import type { Cohort } from './types';

/** The query strings of the board GETs (pure: the unit tests run without a browser). */

export interface StudentBoardQuery {
  top?: number;
  around?: number;
  cohort?: Cohort;
}

/** Whose results a staff board ranks: the whole exam, or one class, grade or major. */
export type StaffFilter =
  | { kind: 'exam' }
  | { kind: 'class'; classId: string }
  | { kind: 'grade'; grade: number }
  | { kind: 'major'; major: string };

/** `?top=…&around=…&cohort=…`; the cohort is left out for the whole exam (the default). */
export function studentBoardSearch(query: StudentBoardQuery): string {
  const params = new URLSearchParams();
  if (query.top !== undefined) params.set('top', String(query.top));
  if (query.around !== undefined) params.set('around', String(query.around));
  if (query.cohort && query.cohort !== 'exam') params.set('cohort', query.cohort);
  const search = params.toString();
  return search ? `?${search}` : '';
}

/** `?top=…` and at most one of classId, grade, major (the server refuses more). */
export function staffBoardSearch(filter: StaffFilter, top?: number): string {
  const params = new URLSearchParams();
  if (top !== undefined) params.set('top', String(top));
  if (filter.kind === 'class') params.set('classId', filter.classId);
  if (filter.kind === 'grade') params.set('grade', String(filter.grade));
  if (filter.kind === 'major') params.set('major', filter.major);
  const search = params.toString();
  return search ? `?${search}` : '';
}
