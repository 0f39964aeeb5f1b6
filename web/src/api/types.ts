/**
 * The shapes of API.md as the web app sees them. Auth types come from the shared
 * contracts (type-only imports: no server code reaches the bundle).
 */
import type { AuthUser, TokenPair } from '../../../contracts/auth';
import type { PublishedQuestion } from '../../../contracts/published-exam';

export type { AuthUser, TokenPair };

export interface ApiErrorBody {
  error: { code: string; message: string };
}

export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'SESSION_REPLACED'
  | 'FORBIDDEN'
  | 'NOT_ELIGIBLE'
  | 'BAD_ENTRY_TOKEN'
  | 'NOT_FOUND'
  | 'EXAM_NOT_OPEN'
  | 'TIME_UP'
  | 'SESSION_CLOSED'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'NETWORK'
  | (string & {});

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

// ── Student ────────────────────────────────────────────────────────────────────────

export type MyStatus = 'NOT_STARTED' | 'IN_PROGRESS' | 'SUBMITTED' | 'SCORED' | 'PENDING_REVIEW';
export type SessionStatus = 'IN_PROGRESS' | 'SUBMITTED' | 'SCORED' | 'PENDING_REVIEW';

export interface MyExam {
  id: string;
  title: string;
  scheduledStart: string;
  scheduledEnd: string;
  durationMinutes: number;
  questionCount: number;
  myStatus: MyStatus;
  sessionId?: string;
  description?: string;
}

export type QuestionKind = 'single' | 'multi' | 'text';
export type SessionQuestion = PublishedQuestion;

/** An option id (single), option ids (multi), free text (text) or null (cleared). */
export type Answer = string | string[] | null;

export interface SessionView {
  sessionId: string;
  examId: string;
  title: string;
  status: SessionStatus;
  startedAt: string;
  endsAt: string;
  serverNow: string;
  questions: SessionQuestion[];
  answers: Record<string, Answer>;
}

export interface SaveAnswersResponse {
  saved: number;
  savedAt: string;
}

export interface BreakdownItem {
  questionId: string;
  /** null while a teacher has not graded it */
  correct: boolean | null;
  points: number;
  maxPoints?: number;
  pending?: boolean;
  correctAnswer?: string[];
}

export interface SessionResult {
  sessionId: string;
  status: SessionStatus;
  submittedAt: string;
  score?: number | null;
  maxScore?: number | null;
  percentage?: number | null;
  gradedCount?: number;
  pendingCount?: number;
  breakdown?: BreakdownItem[];
  resultAvailableAt?: string | null;
}

export type SignalType = 'blur' | 'focus' | 'copy' | 'paste' | 'fullscreen_exit';

// ── WebSocket protocol ───────────────────────────────────────────────────────────────

export type ClientMessage =
  | { type: 'save'; sessionId: string; questionId: string; answer: Answer; id: string; clientTs?: string; idempotencyKey?: string }
  | { type: 'submit'; sessionId: string; id: string }
  | { type: 'ping'; id: string }
  | { type: 'signal'; sessionId: string; signal: SignalType; at?: string };

export type ServerMessage =
  | { type: 'saved'; id: string; questionId: string; savedAt: string }
  | ({ type: 'result'; id: string } & SessionResult)
  | { type: 'pong'; id: string; serverNow: string }
  | { type: 'error'; id?: string; code: ErrorCode; message: string }
  | { type: 'kicked'; reason: 'SESSION_REPLACED' | string }
  | { type: 'time'; sessionId: string; endsAt: string; serverNow: string }
  | { type: 'closed'; sessionId: string; reason: 'TIME_UP' | 'SUBMITTED' | string };

// ── Staff ─────────────────────────────────────────────────────────────────────────

export interface SchoolClass {
  id: string;
  gradeLevel: number;
  majorCode: string;
  groupNumber: number;
  name: string;
  studentCount?: number;
}

export interface Student {
  id: string;
  nisn: string;
  name: string;
  classId: string | null;
  className?: string;
}

export interface ImportResult {
  created: number;
  /** students only: rows that matched a known NISN */
  updated?: number;
  errors: { row: number; message: string }[];
}

export interface QuestionOption {
  id: string;
  text: string;
}

export interface BankQuestion {
  id: string;
  kind: QuestionKind;
  text: string;
  options: QuestionOption[];
  correct: string[];
  points: number;
  explanation: string;
  tags: string[];
  updatedAt?: string;
}

export type QuestionDraft = Omit<BankQuestion, 'id' | 'updatedAt'>;

export type TargetType = 'CLASS' | 'GRADE' | 'MAJOR' | 'STUDENT';
export interface ExamTarget {
  type: TargetType;
  value: string;
}

export type ResultPolicy = 'immediate' | 'after_close' | 'manual';
export type ExamStatus = 'DRAFT' | 'PUBLISHED' | 'CLOSED';

export interface Exam {
  id: string;
  title: string;
  description: string;
  scheduledStart: string;
  scheduledEnd: string;
  durationMinutes: number;
  entryToken: string;
  targets: ExamTarget[];
  questions: { questionId: string; points?: number | null }[];
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  /** multi questions: credit per correct option instead of all-or-nothing */
  partialCredit: boolean;
  resultPolicy: ResultPolicy;
  status: ExamStatus;
  questionCount?: number;
  publishedAt?: string | null;
  closedAt?: string | null;
}

/** A list row: everything but the question list. */
export type ExamSummary = Omit<Exam, 'questions'> & { questionCount: number };

export type ExamDraft = Pick<
  Exam,
  | 'title'
  | 'description'
  | 'scheduledStart'
  | 'scheduledEnd'
  | 'durationMinutes'
  | 'targets'
  | 'questions'
  | 'shuffleQuestions'
  | 'shuffleOptions'
  | 'partialCredit'
  | 'resultPolicy'
>;

/** One row of the live monitor: every targeted student, and anyone who started. */
export interface MonitorRow {
  studentId: string;
  studentName: string;
  nisn: string;
  className: string | null;
  sessionId?: string;
  status: SessionStatus | 'NOT_STARTED';
  answeredCount: number;
  lastActivityAt: string | null;
  endsAt: string | null;
  score: number | null;
  maxScore?: number | null;
  submittedAt?: string | null;
  signalCount: number;
}

export interface ExamMonitor {
  examId: string;
  status: ExamStatus;
  questionCount: number;
  serverNow: string;
  counts: Record<'NOT_STARTED' | 'IN_PROGRESS' | 'SUBMITTED' | 'SCORED' | 'PENDING_REVIEW', number>;
  items: MonitorRow[];
}

/** A session's answers as a grader sees them. */
export interface GradingAnswer {
  questionId: string;
  kind?: QuestionKind;
  text?: string;
  answer: Answer;
  points?: number | null;
  maxPoints?: number;
  awardedPoints?: number | null;
}
