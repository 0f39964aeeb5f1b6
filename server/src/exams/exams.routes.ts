import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses, IdParams } from '../../../contracts/common.js';
import {
  CreateExamBody,
  Exam,
  ExamListQuery,
  ExamPage,
  UpdateExamBody,
} from '../../../contracts/exams.js';
import { staffOf, type Guards } from '../auth/index.js';
import type { ExamsService } from './exams.service.js';

const tags = ['exams'];
const security = [{ bearer: [] }];

/** Exams as staff author them, under /api/v1/admin. Ownership is checked in the service. */
export const examRoutes: FastifyPluginAsyncTypebox<{
  exams: ExamsService;
  guards: Guards;
}> = async (app, { exams, guards }) => {
  const canRead = guards.requirePermission('exams:read_all', 'exams:write_own', 'exams:write_all');
  const canWrite = guards.requirePermission('exams:write_own', 'exams:write_all');

  app.get(
    '/exams',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'List exams (a teacher sees their own)',
        querystring: ExamListQuery,
        response: { 200: ExamPage, ...errorResponses },
      },
    },
    async (request) => exams.list(staffOf(request), request.query),
  );

  app.post(
    '/exams',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Create a DRAFT exam (its entry token is generated)',
        body: CreateExamBody,
        response: { 201: Exam, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await exams.create(staffOf(request), request.body)),
  );

  app.get(
    '/exams/:id',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'Get an exam',
        params: IdParams,
        response: { 200: Exam, ...errorResponses },
      },
    },
    async (request) => exams.get(staffOf(request), request.params.id),
  );

  app.patch(
    '/exams/:id',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        params: IdParams,
        body: UpdateExamBody,
        response: { 200: Exam, ...errorResponses },
        summary:
          'Edit an exam (once published: title, description, targets and a later scheduledEnd only)',
      },
    },
    async (request) => exams.update(staffOf(request), request.params.id, request.body),
  );

  app.delete(
    '/exams/:id',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Delete a DRAFT exam',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await exams.remove(staffOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/exams/:id/publish',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        params: IdParams,
        response: { 200: Exam, ...errorResponses },
        summary: 'Publish: freeze the student payload and answer key (repeating it is harmless)',
      },
    },
    async (request) => exams.publish(staffOf(request), request.params.id),
  );

  app.post(
    '/exams/:id/close',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Close a published exam',
        params: IdParams,
        response: { 200: Exam, ...errorResponses },
      },
    },
    async (request) => exams.close(staffOf(request), request.params.id),
  );

  app.post(
    '/exams/:id/token',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Rotate the entry token (the new one is in entryToken)',
        params: IdParams,
        response: { 200: Exam, ...errorResponses },
      },
    },
    async (request) => exams.rotateToken(staffOf(request), request.params.id),
  );
};
