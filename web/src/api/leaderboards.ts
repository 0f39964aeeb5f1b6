import {
  staffBoardSearch,
  studentBoardSearch,
  type StaffFilter,
  type StudentBoardQuery,
} from './board-query';
import { request } from './http';
import type { Leaderboard, RebuildResponse, Series, SeriesCreate } from './types';

export type { StaffFilter, StudentBoardQuery } from './board-query';

/**
 * Leaderboards and series (API.md, "Exam leaderboards and ranks"). A student names a cohort
 * (always their own class, grade or major); staff name the class, grade or major itself.
 */

const id = encodeURIComponent;
/** Lists may come bare or paginated (see itemsOf). */
type Listing<T> = T[] | { items: T[] };
const A = '/api/v1/admin';

export const leaderboardApi = {
  /** An exam's board as the student may see it: 404 not targeted or off, 403 not (yet) visible. */
  exam: (examId: string, query: StudentBoardQuery) =>
    request<Leaderboard>(`/api/v1/exams/${id(examId)}/leaderboard${studentBoardSearch(query)}`),
  /** The series holding an exam the student is targeted by. */
  mySeries: () => request<Listing<Series>>('/api/v1/series'),
  series: (seriesId: string, query: StudentBoardQuery) =>
    request<Leaderboard>(`/api/v1/series/${id(seriesId)}/leaderboard${studentBoardSearch(query)}`),
};

export const staffLeaderboardApi = {
  exam: (examId: string, filter: StaffFilter, top = 100) =>
    request<Leaderboard>(`${A}/exams/${id(examId)}/leaderboard${staffBoardSearch(filter, top)}`),
  rebuild: (examId: string) =>
    request<RebuildResponse>(`${A}/exams/${id(examId)}/leaderboard/rebuild`, { method: 'POST' }),
  series: {
    list: () => request<Listing<Series>>(`${A}/series`),
    get: (seriesId: string) => request<Series>(`${A}/series/${id(seriesId)}`),
    create: (body: SeriesCreate) => request<Series>(`${A}/series`, { method: 'POST', body }),
    remove: (seriesId: string) =>
      request<void>(`${A}/series/${id(seriesId)}`, { method: 'DELETE' }),
    board: (seriesId: string, filter: StaffFilter, top = 100) =>
      request<Leaderboard>(
        `${A}/series/${id(seriesId)}/leaderboard${staffBoardSearch(filter, top)}`,
      ),
  },
};
