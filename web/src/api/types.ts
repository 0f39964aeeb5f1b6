/**
 * The shapes of API.md as the web app sees them, taken from the shared `contracts/` with
 * type-only imports (no server code, no schema objects reach the bundle). Only what the
 * contracts do not name is declared here.
 */
import type { Static } from 'typebox';
import type { AuthUser, TokenPair } from '../../../contracts/auth';
import type {
  Exam,
  ExamMonitor,
  ExamStatus,
  ExamSummary,
  ExamTarget,
  LeaderboardVisibility,
  MonitorRow,
  ResultPolicy,
  TargetType,
} from '../../../contracts/exams';
import type {
  BoardMe,
  BoardRow,
  Cohort,
  Leaderboard,
  RebuildResponse,
  Series,
  SeriesCreate,
} from '../../../contracts/leaderboards';
import type {
  ImportResult as QuestionImportResult,
  Question,
  QuestionKind,
  QuestionOption,
} from '../../../contracts/questions';
import type {
  ImportResult as StudentImportResult,
  SchoolClass,
  Student,
} from '../../../contracts/school';
import type {
  Answer,
  BreakdownItem as BreakdownItemSchema,
  MyExam as MyExamSchema,
  SaveAck,
  SessionQuestion as SessionQuestionSchema,
  SessionResultView,
  SessionReview,
  SessionStatus,
  SessionView,
  SignalType,
  StaffResultView,
} from '../../../contracts/sessions';
import type { ClientMessage, ServerMessage } from '../../../contracts/ws';

export type {
  Answer,
  AuthUser,
  BoardMe,
  BoardRow,
  ClientMessage,
  Cohort,
  Exam,
  ExamMonitor,
  ExamStatus,
  ExamSummary,
  ExamTarget,
  Leaderboard,
  LeaderboardVisibility,
  MonitorRow,
  QuestionKind,
  QuestionOption,
  RebuildResponse,
  ResultPolicy,
  SchoolClass,
  Series,
  SeriesCreate,
  ServerMessage,
  SessionReview,
  SessionStatus,
  SessionView,
  SignalType,
  StaffResultView,
  Student,
  TargetType,
  TokenPair,
};

export interface ApiErrorBody {
  error: { code: string; message: string };
}

/** API.md's stable codes, plus NETWORK for a request that never got an answer. */
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

/** An exam in the student's list; `leaderboard` says it has a board the student may open. */
export type MyExam = MyExamSchema & { leaderboard?: boolean };

export type SessionQuestion = Static<typeof SessionQuestionSchema>;
export type SaveAnswersResponse = SaveAck;
export type BreakdownItem = Static<typeof BreakdownItemSchema>;
export type SessionResult = SessionResultView;

// ── Staff ─────────────────────────────────────────────────────────────────────────

/** Both imports answer this way; only the student import reports `updated`. */
export type ImportResult = StudentImportResult | (QuestionImportResult & { updated?: undefined });

export type BankQuestion = Question;
export type QuestionDraft = Pick<
  Question,
  'kind' | 'text' | 'options' | 'correct' | 'points' | 'explanation' | 'tags'
>;

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
  | 'negativeMarking'
  | 'resultPolicy'
  | 'leaderboard'
>;

/** One question of a student's paper as a grader sees it (`SessionReview.answers`). */
export type ReviewAnswer = SessionReview['answers'][number];
