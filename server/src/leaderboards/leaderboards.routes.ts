import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses, IdParams } from '../../../contracts/common.js';
import {
  ExamBoardParams,
  Leaderboard,
  RebuildResponse,
  Series,
  SeriesBoardQuery,
  SeriesCreate,
  StaffBoardQuery,
  StudentBoardQuery,
} from '../../../contracts/leaderboards.js';
import type { Guards } from '../auth/index.js';
import { principalOf, staffOf, studentOf } from '../auth/index.js';
import { invalid } from '../platform/errors.js';
import type { LeaderboardsService } from './leaderboards.service.js';

const tags = ['leaderboards'];
const security = [{ bearer: [] }];
const STAFF_READ = ['exams:read_all', 'exams:write_own', 'exams:write_all'];

/** Student routes (API.md, "Exam leaderboards and ranks"), mounted under /api/v1. */
export const leaderboardRoutes: FastifyPluginAsyncTypebox<{
  leaderboards: LeaderboardsService;
  guards: Guards;
}> = async (app, { leaderboards, guards }) => {
  app.get(
    '/exams/:examId/leaderboard',
    {
      onRequest: guards.student,
      schema: {
        tags,
        security,
        summary: "An exam's board: the top, the student's own standing and the rows around it",
        params: ExamBoardParams,
        querystring: StudentBoardQuery,
        response: { 200: Leaderboard, ...errorResponses },
      },
    },
    async (request) =>
      leaderboards.studentBoard(studentOf(request), request.params.examId, request.query),
  );

  app.get(
    '/series',
    {
      onRequest: guards.student,
      schema: {
        tags,
        security,
        summary: 'Series holding an exam this student is targeted by',
        response: { 200: Type.Array(Series), ...errorResponses },
      },
    },
    async (request) => leaderboards.studentSeriesList(studentOf(request)),
  );

  app.get(
    '/series/:id/leaderboard',
    {
      onRequest: guards.authenticate,
      schema: {
        tags,
        security,
        summary: "A series' board: students by the sum of their percentages (students and staff)",
        params: IdParams,
        querystring: SeriesBoardQuery,
        response: { 200: Leaderboard, ...errorResponses },
      },
    },
    async (request) => {
      const { top, around, cohort, classId, grade, major } = request.query;
      const principal = principalOf(request);
      if (principal.kind === 'student') {
        if (classId !== undefined || grade !== undefined || major !== undefined)
          throw invalid('Students choose their board with cohort, not classId, grade or major');
        return leaderboards.seriesBoardForStudent(principal, request.params.id, {
          ...(top !== undefined ? { top } : {}),
          ...(around !== undefined ? { around } : {}),
          ...(cohort !== undefined ? { cohort } : {}),
        });
      }
      if (cohort !== undefined && cohort !== 'exam')
        throw invalid('Staff choose the board with classId, grade or major');
      return leaderboards.seriesBoardForStaff(staffOf(request), request.params.id, {
        ...(top !== undefined ? { top } : {}),
        ...(classId !== undefined ? { classId } : {}),
        ...(grade !== undefined ? { grade } : {}),
        ...(major !== undefined ? { major } : {}),
      });
    },
  );
};

/** Staff routes, mounted under /api/v1/admin. */
export const leaderboardStaffRoutes: FastifyPluginAsyncTypebox<{
  leaderboards: LeaderboardsService;
  guards: Guards;
}> = async (app, { leaderboards, guards }) => {
  app.get(
    '/exams/:id/leaderboard',
    {
      onRequest: guards.requirePermission(...STAFF_READ),
      schema: {
        tags,
        security,
        summary: "An exam's board with names, for the whole exam or one class, grade or major",
        params: IdParams,
        querystring: StaffBoardQuery,
        response: { 200: Leaderboard, ...errorResponses },
      },
    },
    async (request) => leaderboards.staffBoard(staffOf(request), request.params.id, request.query),
  );

  app.post(
    '/exams/:id/leaderboard/rebuild',
    {
      onRequest: guards.requirePermission(...STAFF_READ),
      schema: {
        tags,
        security,
        summary: "Rebuild the exam's boards (and its series') from PostgreSQL's results",
        params: IdParams,
        response: { 200: RebuildResponse, ...errorResponses },
      },
    },
    async (request) => leaderboards.rebuild(staffOf(request), request.params.id),
  );

  app.post(
    '/series',
    {
      onRequest: guards.requirePermission('exams:write_own', 'exams:write_all'),
      schema: {
        tags,
        security,
        summary: 'Create a series (a try-out season, a mock-test bundle) of exams',
        body: SeriesCreate,
        response: { 201: Series, ...errorResponses },
      },
    },
    async (request, reply) => {
      const series = await leaderboards.createSeries(staffOf(request), request.body);
      return reply.code(201).send(series);
    },
  );

  app.get(
    '/series',
    {
      onRequest: guards.requirePermission(...STAFF_READ),
      schema: {
        tags,
        security,
        summary: 'Series whose exams this staff member may read',
        response: { 200: Type.Array(Series), ...errorResponses },
      },
    },
    async (request) => leaderboards.listSeries(staffOf(request)),
  );

  app.get(
    '/series/:id',
    {
      onRequest: guards.requirePermission(...STAFF_READ),
      schema: {
        tags,
        security,
        summary: 'One series',
        params: IdParams,
        response: { 200: Series, ...errorResponses },
      },
    },
    async (request) => leaderboards.getSeries(staffOf(request), request.params.id),
  );

  app.delete(
    '/series/:id',
    {
      onRequest: guards.requirePermission('exams:write_own', 'exams:write_all'),
      schema: {
        tags,
        security,
        summary: 'Delete a series (its exams and results stay)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await leaderboards.deleteSeries(staffOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/series/:id/leaderboard',
    {
      onRequest: guards.requirePermission(...STAFF_READ),
      schema: {
        tags,
        security,
        summary: "A series' board with names",
        params: IdParams,
        querystring: StaffBoardQuery,
        response: { 200: Leaderboard, ...errorResponses },
      },
    },
    async (request) =>
      leaderboards.seriesBoardForStaff(staffOf(request), request.params.id, request.query),
  );
};
