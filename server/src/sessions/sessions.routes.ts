import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorResponse, errorResponses } from '../../../contracts/common.js';
import {
  Accepted,
  ExamIdParams,
  IdempotencyHeaders,
  MyExam,
  SaveAck,
  SaveAnswersBody,
  SessionIdParams,
  SessionResultView,
  SessionView,
  SignalBody,
  StartSessionBody,
} from '../../../contracts/sessions.js';
import type { Guards } from '../auth/index.js';
import { studentOf } from '../auth/index.js';
import type { SessionsService } from './sessions.service.js';

const tags = ['student'];
const security = [{ bearer: [] }];

/** The student's exam day (API.md, "Student"), mounted under /api/v1. */
export const sessionRoutes: FastifyPluginAsyncTypebox<{
  sessions: SessionsService;
  guards: Guards;
}> = async (app, { sessions, guards }) => {
  app.addHook('onRequest', guards.student);

  app.get(
    '/exams',
    {
      schema: {
        tags,
        security,
        summary: 'Exams I am targeted by, with my status',
        response: { 200: Type.Array(MyExam), 401: ErrorResponse, 403: ErrorResponse },
      },
    },
    async (request) => sessions.myExams(studentOf(request)),
  );

  app.post(
    '/exams/:examId/sessions',
    {
      schema: {
        tags,
        security,
        summary: 'Start an exam (201) or resume my session (200)',
        params: ExamIdParams,
        body: StartSessionBody,
        response: { 200: SessionView, 201: SessionView, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { view, created } = await sessions.start(
        studentOf(request),
        request.params.examId,
        request.body.entryToken,
      );
      return reply.status(created ? 201 : 200).send(view);
    },
  );

  app.get(
    '/sessions/:sessionId',
    {
      schema: {
        tags,
        security,
        summary: 'My session: questions in my order and saved answers (resume)',
        params: SessionIdParams,
        response: { 200: SessionView, ...errorResponses },
      },
    },
    async (request) => sessions.view(studentOf(request), request.params.sessionId),
  );

  app.put(
    '/sessions/:sessionId/answers',
    {
      schema: {
        tags,
        security,
        summary: 'Save one answer or a batch (last write per question wins)',
        params: SessionIdParams,
        headers: IdempotencyHeaders,
        body: SaveAnswersBody,
        response: { 200: SaveAck, ...errorResponses },
      },
    },
    async (request) => {
      const body = request.body;
      const batch = 'answers' in body;
      return sessions.save(
        studentOf(request),
        request.params.sessionId,
        batch ? body.answers : [body],
        {
          idempotencyKey: request.headers['idempotency-key'],
          transport: 'http',
          batch,
        },
      );
    },
  );

  app.post(
    '/sessions/:sessionId/submit',
    {
      schema: {
        tags,
        security,
        summary: 'Submit: freeze, grade, and answer with what the result policy allows',
        params: SessionIdParams,
        headers: IdempotencyHeaders,
        response: { 200: SessionResultView, ...errorResponses },
      },
    },
    async (request) =>
      sessions.submit(
        studentOf(request),
        request.params.sessionId,
        request.headers['idempotency-key'],
      ),
  );

  app.get(
    '/sessions/:sessionId/result',
    {
      schema: {
        tags,
        security,
        summary: 'My result, as far as the result policy allows',
        params: SessionIdParams,
        response: { 200: SessionResultView, ...errorResponses },
      },
    },
    async (request) => sessions.result(studentOf(request), request.params.sessionId),
  );

  app.post(
    '/sessions/:sessionId/signals',
    {
      schema: {
        tags,
        security,
        summary: 'Record an anti-cheat signal (off the answer path)',
        params: SessionIdParams,
        body: SignalBody,
        response: { 202: Accepted, ...errorResponses },
      },
    },
    async (request, reply) => {
      await sessions.signal(
        studentOf(request),
        request.params.sessionId,
        request.body.type,
        request.body.at,
      );
      return reply.status(202).send({ accepted: true });
    },
  );
};
