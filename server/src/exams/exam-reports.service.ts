import type { ExamMonitor, MonitorRow, MonitorStatus } from '../../../contracts/exams.js';
import type { PublishedExam } from '../../../contracts/published-exam.js';
import type { StaffPrincipal } from '../auth/index.js';
import { type CellValue, toCsv, toXlsx } from '../platform/spreadsheet.js';
import { conflict } from '../platform/errors.js';
import type { Sql } from '../platform/postgres.js';
import { findParticipants, type ParticipantRow } from './exam-reports.repo.js';
import { createExamsRepo } from './exams.repo.js';
import type { ExamsService } from './exams.service.js';
import { maxScoreOf } from './render.js';

/** The staff's read-only views of an exam: the live monitor and the results export. */
export function createExamReportsService(deps: {
  sql: Sql;
  exams: ExamsService;
  now?: () => Date;
}) {
  const { sql, exams } = deps;
  const now = deps.now ?? (() => new Date());
  const repo = createExamsRepo();

  return {
    async monitor(staff: StaffPrincipal, examId: string): Promise<ExamMonitor> {
      const exam = await exams.loadVisible(staff, examId);
      const rows = await findParticipants(sql, examId, false);
      return {
        examId,
        status: exam.status,
        questionCount: exam.questionCount,
        serverNow: now().toISOString(),
        counts: countByStatus(rows),
        items: rows.map(presentMonitorRow),
      };
    },

    async results(staff: StaffPrincipal, examId: string, format: 'csv' | 'xlsx') {
      const exam = await exams.loadVisible(staff, examId);
      const payload = await repo.readPayload(sql, examId);
      if (!payload) throw conflict('The exam is not published yet: there are no results');
      const { headers, rows } = resultsTable(payload, await findParticipants(sql, examId, true));
      const fileName = `${exam.title}-results.${format}`;
      const body = format === 'csv' ? toCsv(headers, rows) : await toXlsx('Results', headers, rows);
      return { fileName, body };
    },
  };
}

export function countByStatus(rows: { status: MonitorStatus }[]): ExamMonitor['counts'] {
  const counts = { NOT_STARTED: 0, IN_PROGRESS: 0, SUBMITTED: 0, SCORED: 0, PENDING_REVIEW: 0 };
  for (const r of rows) counts[r.status] += 1;
  return counts;
}

function presentMonitorRow(r: ParticipantRow): MonitorRow {
  return {
    studentId: r.studentId,
    studentName: r.studentName,
    nisn: r.nisn,
    className: r.className,
    ...(r.sessionId ? { sessionId: r.sessionId } : {}),
    status: r.status,
    answeredCount: r.answeredCount,
    lastActivityAt: r.lastActivityAt?.toISOString() ?? null,
    endsAt: r.endsAt?.toISOString() ?? null,
    startedAt: r.startedAt?.toISOString() ?? null,
    submittedAt: r.submittedAt?.toISOString() ?? null,
    score: r.score,
    maxScore: r.maxScore,
    signalCount: r.signalCount,
  };
}

/**
 * One row per student of the audience; per-question columns in the published order hold
 * the points awarded (blank: not graded, or not answered).
 */
export function resultsTable(
  payload: PublishedExam,
  participants: ParticipantRow[],
): { headers: string[]; rows: CellValue[][] } {
  const headers = [
    'NISN',
    'Name',
    'Class',
    'Status',
    'Started at',
    'Submitted at',
    'Score',
    'Max score',
    'Percentage',
    ...payload.questions.map((q, i) => `Q${i + 1} (${q.points})`),
  ];
  const examMax = maxScoreOf(payload);
  const rows = participants.map((p): CellValue[] => {
    const max = p.maxScore ?? examMax;
    const percentage =
      p.score === null || max === 0 ? null : Math.round((p.score / max) * 10_000) / 100;
    return [
      p.nisn,
      p.studentName,
      p.className,
      p.status,
      p.startedAt?.toISOString() ?? null,
      p.submittedAt?.toISOString() ?? null,
      p.score,
      max,
      percentage,
      ...payload.questions.map((q) => p.points?.[q.id] ?? null),
    ];
  });
  return { headers, rows };
}

export type ExamReportsService = ReturnType<typeof createExamReportsService>;
