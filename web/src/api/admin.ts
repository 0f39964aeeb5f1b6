import { request } from './http';
import type {
  BankQuestion,
  Exam,
  ExamDraft,
  ExamMonitor,
  ExamSummary,
  ImportResult,
  Page,
  QuestionDraft,
  SchoolClass,
  SessionReview,
  StaffResultView,
  Student,
} from './types';

const A = '/api/v1/admin';
const id = encodeURIComponent;

function upload<T>(path: string, file: File): Promise<T> {
  const form = new FormData();
  form.append('file', file, file.name);
  return request<T>(path, { method: 'POST', form });
}

export type Listing<T> = T[] | Page<T>;
type ClassFields = Pick<SchoolClass, 'gradeLevel' | 'majorCode' | 'groupNumber' | 'name'>;

export const adminApi = {
  classes: {
    list: () => request<Listing<SchoolClass>>(`${A}/classes`),
    create: (body: ClassFields) => request<SchoolClass>(`${A}/classes`, { method: 'POST', body }),
    update: (classId: string, body: Partial<ClassFields>) =>
      request<SchoolClass>(`${A}/classes/${id(classId)}`, { method: 'PATCH', body }),
    remove: (classId: string) => request<void>(`${A}/classes/${id(classId)}`, { method: 'DELETE' }),
  },
  students: {
    list: (query: { classId?: string; search?: string; page?: number; pageSize?: number }) => {
      const params = new URLSearchParams();
      if (query.classId) params.set('classId', query.classId);
      if (query.search) params.set('q', query.search);
      params.set('page', String(query.page ?? 1));
      params.set('pageSize', String(query.pageSize ?? 50));
      return request<Listing<Student>>(`${A}/students?${params.toString()}`);
    },
    create: (body: { nisn: string; name: string; classId: string | null; password: string }) =>
      request<Student>(`${A}/students`, { method: 'POST', body }),
    update: (
      studentId: string,
      body: Partial<{ nisn: string; name: string; classId: string | null; password: string }>,
    ) => request<Student>(`${A}/students/${id(studentId)}`, { method: 'PATCH', body }),
    remove: (studentId: string) =>
      request<void>(`${A}/students/${id(studentId)}`, { method: 'DELETE' }),
    import: (file: File) => upload<ImportResult>(`${A}/students/import`, file),
    templateUrl: `${A}/students/import/template.csv`,
    resetLogin: (studentId: string) =>
      request<void>(`${A}/students/${id(studentId)}/reset-login`, { method: 'POST' }),
  },
  questions: {
    list: (query: { search?: string; tag?: string } = {}) => {
      const params = new URLSearchParams({ pageSize: '500' });
      if (query.search) params.set('search', query.search);
      if (query.tag) params.set('tag', query.tag);
      return request<Listing<BankQuestion>>(`${A}/questions?${params.toString()}`);
    },
    get: (questionId: string) => request<BankQuestion>(`${A}/questions/${id(questionId)}`),
    create: (body: QuestionDraft) =>
      request<BankQuestion>(`${A}/questions`, { method: 'POST', body }),
    update: (questionId: string, body: QuestionDraft) =>
      request<BankQuestion>(`${A}/questions/${id(questionId)}`, { method: 'PATCH', body }),
    remove: (questionId: string) =>
      request<void>(`${A}/questions/${id(questionId)}`, { method: 'DELETE' }),
    import: (file: File) => upload<ImportResult>(`${A}/questions/import`, file),
    templateUrl: `${A}/questions/import/template.csv`,
    exportUrl: (format: 'csv' | 'xlsx') => `${A}/questions/export.${format}`,
  },
  exams: {
    list: () => request<Listing<ExamSummary>>(`${A}/exams?pageSize=500`),
    get: (examId: string) => request<Exam>(`${A}/exams/${id(examId)}`),
    create: (body: ExamDraft) => request<Exam>(`${A}/exams`, { method: 'POST', body }),
    update: (examId: string, body: Partial<ExamDraft>) =>
      request<Exam>(`${A}/exams/${id(examId)}`, { method: 'PATCH', body }),
    remove: (examId: string) => request<void>(`${A}/exams/${id(examId)}`, { method: 'DELETE' }),
    publish: (examId: string) =>
      request<Exam>(`${A}/exams/${id(examId)}/publish`, { method: 'POST' }),
    close: (examId: string) => request<Exam>(`${A}/exams/${id(examId)}/close`, { method: 'POST' }),
    rotateToken: (examId: string) =>
      request<{ entryToken: string } & Partial<Exam>>(`${A}/exams/${id(examId)}/token`, {
        method: 'POST',
      }),
    sessions: (examId: string) => request<ExamMonitor>(`${A}/exams/${id(examId)}/sessions`),
    releaseResults: (examId: string) =>
      request<{ examId: string; resultsReleasedAt: string }>(
        `${A}/exams/${id(examId)}/results/release`,
        { method: 'POST' },
      ),
    resultsUrl: (examId: string, format: 'csv' | 'xlsx') =>
      `${A}/exams/${id(examId)}/results.${format}`,
  },
  sessions: {
    /** A student's paper in authored order, with the key and the points awarded so far. */
    review: (sessionId: string) => request<SessionReview>(`${A}/sessions/${id(sessionId)}`),
    /** A written answer's points; answers with the whole result recomputed. */
    grade: (sessionId: string, questionId: string, points: number) =>
      request<StaffResultView>(`${A}/sessions/${id(sessionId)}/answers/${id(questionId)}/grade`, {
        method: 'PUT',
        body: { points },
      }),
    extend: (sessionId: string, minutes: number) =>
      request<unknown>(`${A}/sessions/${id(sessionId)}/extend`, {
        method: 'POST',
        body: { minutes },
      }),
  },
  uploadImage: (file: File) => upload<{ url: string }>(`${A}/uploads/images`, file),
};
