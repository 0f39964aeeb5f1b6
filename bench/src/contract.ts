/**
 * The slices of API.md the benchmark reads. Written from the contract, not imported from
 * the server's code: the runner must work against any deployment that honours API.md.
 */
import type { Answer } from './grading.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; kind: 'student' | 'staff'; name: string };
}

export interface ClassRecord {
  id: string;
  name: string;
}

export interface ImportReport {
  created: number;
  updated: number;
  errors: { row: number; message: string }[];
}

export interface QuestionRecord {
  id: string;
}

export interface ExamRecord {
  id: string;
  entryToken: string;
  status: string;
}

export interface SessionView {
  sessionId: string;
  examId: string;
  status: string;
  startedAt: string;
  endsAt: string;
  questions: { id: string; kind: string; options: { id: string }[]; points: number }[];
  answers: Record<string, Answer>;
}

export interface ResultBody {
  sessionId: string;
  status: string;
  submittedAt: string;
  score?: number;
  maxScore?: number;
  percentage?: number;
  gradedCount?: number;
  pendingCount?: number;
  breakdown?: { questionId: string; correct: boolean; points: number }[];
}

/** A row of the staff live monitor (`GET /api/v1/admin/exams/{id}/sessions`). */
export interface MonitorRow {
  studentId: string;
  sessionId?: string;
  status: string;
  score: number | null;
}

/** Server → client WebSocket frames the runner reacts to. */
export type WsServerMessage =
  | { type: 'saved'; id?: string; questionId: string; savedAt: string }
  | ({ type: 'result'; id?: string } & ResultBody)
  | { type: 'pong'; id?: string; serverNow: string }
  | { type: 'error'; id?: string; code: string; message: string }
  | { type: 'kicked'; reason: string }
  | { type: 'closed'; sessionId: string; reason: string }
  | { type: 'time'; sessionId: string; endsAt: string };
