import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, IdParams } from '../../../contracts/common.js';
import {
  ExtendBody,
  ExtendResponse,
  GradeBody,
  GradeParams,
  ReleaseResponse,
  SessionReview,
  StaffResultView,
} from '../../../contracts/sessions.js';
import type { Guards } from '../auth/index.js';
import { staffOf } from '../auth/index.js';
import type { SessionStaffService } from './staff.service.js';

const tags = ['sessions'];
const security = [{ bearer: [] }];

/** Staff tools on sessions (API.md, "Staff"), mounted under /api/v1/admin. */
export const sessionStaffRoutes: FastifyPluginAsyncTypebox<{
  staffSessions: SessionStaffService;
  guards: Guards;
}> = async (app, { staffSessions, guards }) => {
  app.get(
    '/sessions/:id',
    {
      onRequest: guards.requirePermission('exams:read_all', 'exams:write_own', 'exams:write_all'),
      schema: {
        tags,
        security,
        summary: "A student's paper with the answer key beside it (monitoring, manual grading)",
        params: IdParams,
        response: { 200: SessionReview, ...errorResponses },
      },
    },
    async (request) => staffSessions.review(staffOf(request), request.params.id),
  );

  app.post(
    '/sessions/:id/extend',
    {
      onRequest: guards.requirePermission('sessions:extend'),
      schema: {
        tags,
        security,
        summary: "Extend a student's time (pushes the new deadline over the WebSocket)",
        params: IdParams,
        body: ExtendBody,
        response: { 200: ExtendResponse, ...errorResponses },
      },
    },
    async (request) =>
      staffSessions.extend(staffOf(request), request.params.id, request.body.minutes),
  );

  app.put(
    '/sessions/:id/answers/:questionId/grade',
    {
      onRequest: guards.requirePermission('sessions:grade'),
      schema: {
        tags,
        security,
        summary: 'Grade a written answer (the score is final once none is pending)',
        params: GradeParams,
        body: GradeBody,
        response: { 200: StaffResultView, ...errorResponses },
      },
    },
    async (request) =>
      staffSessions.grade(
        staffOf(request),
        request.params.id,
        request.params.questionId.toLowerCase(),
        request.body.points,
      ),
  );

  app.post(
    '/exams/:id/results/release',
    {
      onRequest: guards.requirePermission('exams:write_own', 'exams:write_all'),
      schema: {
        tags,
        security,
        summary: 'Release results of an exam whose result policy is "manual"',
        params: IdParams,
        response: { 200: ReleaseResponse, ...errorResponses },
      },
    },
    async (request) => staffSessions.releaseResults(staffOf(request), request.params.id),
  );
};
