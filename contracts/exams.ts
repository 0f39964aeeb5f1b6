import Type, { type Static } from 'typebox';
import { Id, Page, PageQuery, Strict, Timestamp } from './common.js';

/** Exams as staff author and run them (API.md, "Staff": exams). */
export const ExamStatus = Type.Union([
  Type.Literal('DRAFT'),
  Type.Literal('PUBLISHED'),
  Type.Literal('CLOSED'),
]);
export type ExamStatus = Static<typeof ExamStatus>;

export const ResultPolicy = Type.Union(
  [Type.Literal('immediate'), Type.Literal('after_close'), Type.Literal('manual')],
  {
    description:
      'when a student sees the score: at submit, after the exam closes, or when staff release it',
  },
);
export type ResultPolicy = Static<typeof ResultPolicy>;

export const TargetType = Type.Union([
  Type.Literal('CLASS'),
  Type.Literal('GRADE'),
  Type.Literal('MAJOR'),
  Type.Literal('STUDENT'),
]);
export type TargetType = Static<typeof TargetType>;

export const ExamTarget = Strict(
  { type: TargetType, value: Type.String({ minLength: 1, maxLength: 64 }) },
  {
    description:
      'CLASS: a class id; GRADE: 1–13; MAJOR: a major code used by some class; STUDENT: a student id',
  },
);
export type ExamTarget = Static<typeof ExamTarget>;

export const ExamQuestionRef = Strict({
  questionId: Id,
  points: Type.Optional(
    Type.Number({
      minimum: 0,
      maximum: 10_000,
      description: "this exam's points; absent: the question's own",
    }),
  ),
});
export type ExamQuestionRef = Static<typeof ExamQuestionRef>;

export const LeaderboardVisibility = Type.Union(
  [Type.Literal('staff'), Type.Literal('students'), Type.Literal('anonymous')],
  {
    description:
      'who sees the board: staff only, students too, or students with only their own name',
  },
);
export type LeaderboardVisibility = Static<typeof LeaderboardVisibility>;

/** An exam's leaderboard: off unless enabled; visibility defaults to staff (kept when omitted on update). */
export const LeaderboardSetting = Strict({
  enabled: Type.Boolean(),
  visibility: Type.Optional(LeaderboardVisibility),
});
export type LeaderboardSetting = Static<typeof LeaderboardSetting>;

const fields = {
  title: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.String({ maxLength: 20_000, description: 'HTML, sanitized on write' }),
  scheduledStart: Timestamp,
  scheduledEnd: Timestamp,
  durationMinutes: Type.Integer({ minimum: 1, maximum: 24 * 60 }),
  targets: Type.Array(ExamTarget, { maxItems: 500 }),
  questions: Type.Array(ExamQuestionRef, {
    maxItems: 500,
    description: 'in the order students see them (unless shuffled)',
  }),
  shuffleQuestions: Type.Boolean(),
  shuffleOptions: Type.Boolean(),
  partialCredit: Type.Boolean({
    description: 'multi questions: credit per correct option instead of all-or-nothing',
  }),
  resultPolicy: ResultPolicy,
  leaderboard: LeaderboardSetting,
  negativeMarking: Type.Number({
    minimum: 0,
    maximum: 1,
    description:
      "share of a question's points taken off a wrong objective answer (0 = off); never below 0 in total",
  }),
};

export const CreateExamBody = Strict({
  title: fields.title,
  description: Type.Optional(fields.description),
  scheduledStart: fields.scheduledStart,
  scheduledEnd: fields.scheduledEnd,
  durationMinutes: fields.durationMinutes,
  targets: Type.Optional(fields.targets),
  questions: Type.Optional(fields.questions),
  shuffleQuestions: Type.Optional(fields.shuffleQuestions),
  shuffleOptions: Type.Optional(fields.shuffleOptions),
  partialCredit: Type.Optional(fields.partialCredit),
  resultPolicy: Type.Optional(fields.resultPolicy),
  leaderboard: Type.Optional(fields.leaderboard),
  negativeMarking: Type.Optional(fields.negativeMarking),
});
export type CreateExamBody = Static<typeof CreateExamBody>;

/**
 * Partial update. Once PUBLISHED only title, description, targets, the leaderboard and a
 * later scheduledEnd may change (anything else → 409); once CLOSED only title and description. Sending a field
 * with its current value is always fine, so a client may send the whole exam back.
 */
export const UpdateExamBody = Strict(
  {
    title: Type.Optional(fields.title),
    description: Type.Optional(fields.description),
    scheduledStart: Type.Optional(fields.scheduledStart),
    scheduledEnd: Type.Optional(fields.scheduledEnd),
    durationMinutes: Type.Optional(fields.durationMinutes),
    targets: Type.Optional(fields.targets),
    questions: Type.Optional(fields.questions),
    shuffleQuestions: Type.Optional(fields.shuffleQuestions),
    shuffleOptions: Type.Optional(fields.shuffleOptions),
    partialCredit: Type.Optional(fields.partialCredit),
    resultPolicy: Type.Optional(fields.resultPolicy),
    leaderboard: Type.Optional(fields.leaderboard),
    negativeMarking: Type.Optional(fields.negativeMarking),
  },
  { minProperties: 1 },
);
export type UpdateExamBody = Static<typeof UpdateExamBody>;

const presented = {
  id: Id,
  authorId: Type.Union([Id, Type.Null()]),
  title: fields.title,
  description: fields.description,
  scheduledStart: Timestamp,
  scheduledEnd: Timestamp,
  durationMinutes: fields.durationMinutes,
  entryToken: Type.String({ minLength: 6, maxLength: 6 }),
  targets: Type.Array(Type.Object({ type: TargetType, value: Type.String() })),
  shuffleQuestions: Type.Boolean(),
  shuffleOptions: Type.Boolean(),
  partialCredit: Type.Boolean(),
  resultPolicy: ResultPolicy,
  leaderboard: Type.Object({ enabled: Type.Boolean(), visibility: LeaderboardVisibility }),
  negativeMarking: Type.Number(),
  status: ExamStatus,
  questionCount: Type.Integer(),
  publishedAt: Type.Union([Timestamp, Type.Null()]),
  closedAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};

/** A list row: everything but the question list. */
export const ExamSummary = Type.Object(presented);
export type ExamSummary = Static<typeof ExamSummary>;

export const Exam = Type.Object({
  ...presented,
  questions: Type.Array(Type.Object({ questionId: Id, points: Type.Optional(Type.Number()) })),
});
export type Exam = Static<typeof Exam>;

export const ExamPage = Page(ExamSummary);

export const ExamListQuery = Strict({
  status: Type.Optional(ExamStatus),
  search: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'matches the title' }),
  ),
  authorId: Type.Optional(Id),
  ...PageQuery,
});
export type ExamListQuery = Static<typeof ExamListQuery>;

// ── Staff views of a running exam ─────────────────────────────────────────────────────
export const MonitorStatus = Type.Union([
  Type.Literal('NOT_STARTED'),
  Type.Literal('IN_PROGRESS'),
  Type.Literal('SUBMITTED'),
  Type.Literal('SCORED'),
  Type.Literal('PENDING_REVIEW'),
]);
export type MonitorStatus = Static<typeof MonitorStatus>;

export const MonitorRow = Type.Object({
  studentId: Id,
  studentName: Type.String(),
  nisn: Type.String(),
  className: Type.Union([Type.String(), Type.Null()]),
  sessionId: Type.Optional(Id),
  status: MonitorStatus,
  answeredCount: Type.Integer(),
  lastActivityAt: Type.Union([Timestamp, Type.Null()]),
  endsAt: Type.Union([Timestamp, Type.Null()]),
  startedAt: Type.Union([Timestamp, Type.Null()]),
  submittedAt: Type.Union([Timestamp, Type.Null()]),
  score: Type.Union([Type.Number(), Type.Null()]),
  maxScore: Type.Union([Type.Number(), Type.Null()]),
  signalCount: Type.Integer({ description: 'anti-cheat events recorded for the session' }),
});
export type MonitorRow = Static<typeof MonitorRow>;

export const ExamMonitor = Type.Object({
  examId: Id,
  status: ExamStatus,
  questionCount: Type.Integer(),
  serverNow: Timestamp,
  counts: Type.Object({
    NOT_STARTED: Type.Integer(),
    IN_PROGRESS: Type.Integer(),
    SUBMITTED: Type.Integer(),
    SCORED: Type.Integer(),
    PENDING_REVIEW: Type.Integer(),
  }),
  items: Type.Array(MonitorRow, { description: 'every targeted student, and anyone who started' }),
});
export type ExamMonitor = Static<typeof ExamMonitor>;
