import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorResponse, errorResponses, IdParams, Page } from '../../../contracts/common.js';
import {
  CreateQuestionBody,
  FilePartBody,
  ImportResult,
  Question,
  QuestionExportQuery,
  QuestionListQuery,
  UpdateQuestionBody,
} from '../../../contracts/questions.js';
import { staffOf, type Guards } from '../auth/index.js';
import type { QuestionsService } from './questions.service.js';
import { readFilePart } from '../platform/multipart-file.js';
import { attachment, CSV_TYPE, XLSX_TYPE } from '../platform/spreadsheet.js';

const tags = ['questions'];
const security = [{ bearer: [] }];
const FileDownload = Type.Unsafe<string | Buffer>({ type: 'string', format: 'binary' });

const LAYOUT =
  'Columns: kind (single|multi|text), text, option_a … option_f (more letters allowed), ' +
  'correct ("B" or "A,C"; empty for text), points (default 1), explanation, tags (comma-separated). ' +
  'Header row first; headers are case-insensitive. CSV (comma or semicolon) or XLSX.';

/** The question bank, under /api/v1/admin. */
export const questionRoutes: FastifyPluginAsyncTypebox<{
  questions: QuestionsService;
  guards: Guards;
  uploadLimitBytes: number;
}> = async (app, { questions, guards, uploadLimitBytes }) => {
  const canRead = guards.requirePermission(
    'questions:read',
    'questions:write_own',
    'questions:write_all',
  );
  const canWrite = guards.requirePermission('questions:write_own', 'questions:write_all');

  app.get(
    '/questions',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'List the question bank',
        querystring: QuestionListQuery,
        response: { 200: Page(Question), ...errorResponses },
      },
    },
    async (request) => questions.list(request.query),
  );

  app.post(
    '/questions',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Create a question',
        body: CreateQuestionBody,
        response: { 201: Question, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await questions.create(staffOf(request), request.body)),
  );

  app.get(
    '/questions/:id',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'Get a question',
        params: IdParams,
        response: { 200: Question, ...errorResponses },
      },
    },
    async (request) => questions.get(request.params.id),
  );

  app.patch(
    '/questions/:id',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Edit a question (409 while a published exam uses it)',
        params: IdParams,
        body: UpdateQuestionBody,
        response: { 200: Question, ...errorResponses },
      },
    },
    async (request) => questions.update(staffOf(request), request.params.id, request.body),
  );

  app.delete(
    '/questions/:id',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Delete a question (409 while any exam uses it)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await questions.remove(staffOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/questions/import',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Import questions from CSV or XLSX (multipart part `file`)',
        description: LAYOUT,
        consumes: ['multipart/form-data'],
        body: FilePartBody,
        response: { 200: ImportResult, ...errorResponses, 413: ErrorResponse },
      },
    },
    async (request) =>
      questions.importFile(staffOf(request), await readFilePart(request, uploadLimitBytes)),
  );

  app.get(
    '/questions/import/template.csv',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'The import layout, with one example row per kind',
        description: LAYOUT,
        produces: ['text/csv'],
        response: { 200: FileDownload, ...errorResponses },
      },
    },
    async (_request, reply) =>
      reply
        .type(CSV_TYPE)
        .header('Content-Disposition', attachment('questions-template.csv'))
        .send(questions.template()),
  );

  app.get(
    '/questions/export.csv',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'Export the (filtered) bank in the import layout',
        querystring: QuestionExportQuery,
        produces: ['text/csv'],
        response: { 200: FileDownload, ...errorResponses },
      },
    },
    async (request, reply) => {
      const csv = await questions.exportFile(request.query, 'csv');
      return reply
        .type(CSV_TYPE)
        .header('Content-Disposition', attachment('questions.csv'))
        .send(csv);
    },
  );

  app.get(
    '/questions/export.xlsx',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'Export the (filtered) bank in the import layout',
        querystring: QuestionExportQuery,
        produces: [XLSX_TYPE],
        response: { 200: FileDownload, ...errorResponses },
      },
    },
    async (request, reply) => {
      const xlsx = await questions.exportFile(request.query, 'xlsx');
      return reply
        .type(XLSX_TYPE)
        .header('Content-Disposition', attachment('questions.xlsx'))
        .send(xlsx);
    },
  );
};
