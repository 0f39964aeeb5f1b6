import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { errorResponses, IdParams } from '../../../contracts/common.js';
import { ExamMonitor } from '../../../contracts/exams.js';
import { staffOf, type Guards } from '../auth/index.js';
import type { ExamReportsService } from './exam-reports.service.js';
import { attachment, CSV_TYPE, XLSX_TYPE } from '../platform/spreadsheet.js';

const tags = ['exams'];
const security = [{ bearer: [] }];
const FileDownload = Type.Unsafe<string | Buffer>({ type: 'string', format: 'binary' });

/** Read-only staff views of an exam: its author, or anyone with exams:read_all. */
export const examReportRoutes: FastifyPluginAsyncTypebox<{
  reports: ExamReportsService;
  guards: Guards;
}> = async (app, { reports, guards }) => {
  const canRead = guards.requirePermission('exams:read_all', 'exams:write_own', 'exams:write_all');

  app.get(
    '/exams/:id/sessions',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        params: IdParams,
        response: { 200: ExamMonitor, ...errorResponses },
        summary:
          'Live monitor: every targeted student with status, progress, score and signal count',
      },
    },
    async (request) => reports.monitor(staffOf(request), request.params.id),
  );

  app.get(
    '/exams/:id/results.csv',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'Results, one row per student (CSV)',
        params: IdParams,
        produces: ['text/csv'],
        response: { 200: FileDownload, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { fileName, body } = await reports.results(staffOf(request), request.params.id, 'csv');
      return reply.type(CSV_TYPE).header('Content-Disposition', attachment(fileName)).send(body);
    },
  );

  app.get(
    '/exams/:id/results.xlsx',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'Results, one row per student (XLSX)',
        params: IdParams,
        produces: [XLSX_TYPE],
        response: { 200: FileDownload, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { fileName, body } = await reports.results(staffOf(request), request.params.id, 'xlsx');
      return reply.type(XLSX_TYPE).header('Content-Disposition', attachment(fileName)).send(body);
    },
  );
};
