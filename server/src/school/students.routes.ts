import type { SchoolRouteDeps } from './school.service.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { ErrorResponse, IdParams, errorResponses } from '../../../contracts/common.js';
import {
  ImportResult,
  ImportUpload,
  ResetLoginResult,
  Student,
  StudentCreate,
  StudentListQuery,
  StudentPage,
  StudentPatch,
  StudentReplace,
} from '../../../contracts/school.js';
import { readFilePart } from '../platform/multipart-file.js';
import { attachment, CSV_TYPE } from '../platform/spreadsheet.js';
import { IMPORT_TEMPLATE_CSV } from './student-import.js';

const tags = ['students'];
const security = [{ bearer: [] }];

export const studentsRoutes: FastifyPluginAsyncTypebox<SchoolRouteDeps> = async (app, deps) => {
  const { school, guards } = deps;
  const canRead = guards.requirePermission('students:read');
  const canWrite = guards.requirePermission('students:write');

  app.get(
    '/students',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'List students: filter by class, search by name or NISN, paginate',
        querystring: StudentListQuery,
        response: { 200: StudentPage, ...errorResponses },
      },
    },
    async (request) => school.listStudents(request.query),
  );

  app.get(
    '/students/:id',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'One student',
        params: IdParams,
        response: { 200: Student, ...errorResponses },
      },
    },
    async (request) => school.getStudent(request.params.id),
  );

  app.post(
    '/students',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Create a student (409 when the NISN exists)',
        body: StudentCreate,
        response: { 201: Student, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await school.createStudent(request.body)),
  );

  app.put(
    '/students/:id',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Replace a student (the password changes only when given)',
        params: IdParams,
        body: StudentReplace,
        response: { 200: Student, ...errorResponses },
      },
    },
    async (request) => school.updateStudent(request.params.id, request.body),
  );

  app.patch(
    '/students/:id',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Change some fields of a student, or set a new password',
        params: IdParams,
        body: StudentPatch,
        response: { 200: Student, ...errorResponses },
      },
    },
    async (request) => school.updateStudent(request.params.id, request.body),
  );

  app.delete(
    '/students/:id',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Delete a student and sign them out',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await school.deleteStudent(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/students/:id/reset-login',
    {
      onRequest: guards.requirePermission('students:reset_login', 'students:write'),
      schema: {
        tags,
        security,
        summary: 'Sign a student out of every device',
        params: IdParams,
        response: { 200: ResetLoginResult, ...errorResponses },
      },
    },
    async (request) => school.resetStudentLogin(request.params.id),
  );

  app.post(
    '/students/import',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Import students from CSV or XLSX (header: nisn, name, password, class)',
        description:
          'Good rows are created or, for a known NISN, updated; bad rows are reported by spreadsheet row number (the header is row 1).',
        consumes: ['multipart/form-data'],
        body: { content: { 'multipart/form-data': { schema: ImportUpload } } },
        response: { 200: ImportResult, ...errorResponses, 413: ErrorResponse },
      },
    },
    async (request) => school.importStudents(await readFilePart(request, deps.uploadLimitBytes)),
  );

  app.get(
    '/students/import/template.csv',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'A CSV template for the student import',
        response: { 200: Type.String({ description: 'text/csv' }), ...errorResponses },
      },
    },
    async (_request, reply) =>
      reply
        .type(CSV_TYPE)
        .header('Content-Disposition', attachment('students-template.csv'))
        .send(IMPORT_TEMPLATE_CSV),
  );
};
