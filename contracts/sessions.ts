import Type, { type Static } from 'typebox';
import { Id, Strict, Timestamp } from './common.js';
import { QuestionKindLiterals } from './questions.js';

/** The student's side of an exam (API.md, "Student") and the staff session tools. */

export const SessionStatus = Type.Union([
  Type.Literal('IN_PROGRESS'),
  Type.Literal('SUBMITTED'),
  Type.Literal('SCORED'),
  Type.Literal('PENDING_REVIEW'),
]);
export type SessionStatus = Static<typeof SessionStatus>;

export const MyStatus = Type.Union([Type.Literal('NOT_STARTED'), SessionStatus]);

/** An option id (single), option ids (multi), free text (text), or null to clear. */
export const Answer = Type.Union(
  [
    Type.String({ maxLength: 20_000 }),
    Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 64 }),
    Type.Null(),
  ],
  {
    description:
      'an option id (single), a list of option ids (multi), a string (text), or null (clear)',
  },
);
export type Answer = Static<typeof Answer>;

export const AnswerInput = Strict({
  questionId: Id,
  answer: Answer,
  clientTs: Type.Optional(Timestamp),
});
export type AnswerInput = Static<typeof AnswerInput>;

export const SaveAnswersBody = Type.Union(
  [AnswerInput, Strict({ answers: Type.Array(AnswerInput, { minItems: 1, maxItems: 500 }) })],
  {
    description: 'one answer, or a batch: {"answers":[…]}',
  },
);
export type SaveAnswersBody = Static<typeof SaveAnswersBody>;

export const SaveAck = Type.Object({ saved: Type.Integer(), savedAt: Timestamp });
export type SaveAck = Static<typeof SaveAck>;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
});

export const ExamIdParams = Type.Object({ examId: Id }, { additionalProperties: false });
export const SessionIdParams = Type.Object({ sessionId: Id }, { additionalProperties: false });

export const StartSessionBody = Strict({
  entryToken: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 16,
      description: 'needed to start; resuming does not ask again',
    }),
  ),
});
export type StartSessionBody = Static<typeof StartSessionBody>;

export const MyExam = Type.Object({
  id: Type.String(),
  title: Type.String(),
  scheduledStart: Timestamp,
  scheduledEnd: Timestamp,
  durationMinutes: Type.Integer(),
  questionCount: Type.Integer(),
  myStatus: MyStatus,
  sessionId: Type.Optional(Type.String()),
  leaderboard: Type.Optional(
    Type.Boolean({
      description: 'the exam has a board students may see (enabled, not staff-only)',
    }),
  ),
});
export type MyExam = Static<typeof MyExam>;

/** A question as a student sees it: never a correct answer, never an explanation. */
export const SessionQuestion = Type.Object({
  id: Type.String(),
  kind: Type.Union([...QuestionKindLiterals]),
  text: Type.String(),
  options: Type.Array(Type.Object({ id: Type.String(), text: Type.String() })),
  points: Type.Number(),
});

export const SessionView = Type.Object({
  sessionId: Type.String(),
  examId: Type.String(),
  title: Type.String(),
  status: SessionStatus,
  startedAt: Timestamp,
  endsAt: Timestamp,
  serverNow: Timestamp,
  submittedAt: Type.Union([Timestamp, Type.Null()]),
  questions: Type.Array(SessionQuestion, { description: "in this session's order, options too" }),
  answers: Type.Record(Type.String(), Answer, { description: 'questionId → the saved answer' }),
});
export type SessionView = Static<typeof SessionView>;

export const BreakdownItem = Type.Object({
  questionId: Type.String(),
  correct: Type.Union([Type.Boolean(), Type.Null()], {
    description: 'null while a teacher has not graded it',
  }),
  points: Type.Number(),
  maxPoints: Type.Number(),
  pending: Type.Boolean(),
  correctAnswer: Type.Optional(Type.Array(Type.String())),
});

/** A result as the exam's resultPolicy lets the student see it. */
export const SessionResultView = Type.Object({
  sessionId: Type.String(),
  status: SessionStatus,
  submittedAt: Timestamp,
  score: Type.Optional(Type.Number()),
  maxScore: Type.Optional(Type.Number()),
  percentage: Type.Optional(Type.Number()),
  gradedCount: Type.Optional(Type.Integer()),
  pendingCount: Type.Optional(Type.Integer()),
  breakdown: Type.Optional(Type.Array(BreakdownItem)),
  resultAvailableAt: Type.Optional(
    Type.Union([Timestamp, Type.Null()], {
      description: 'when hidden: when it will show (null: when staff release it)',
    }),
  ),
  rank: Type.Optional(
    Type.Integer({ description: "live rank on the exam's board, once scores show and it is on" }),
  ),
  rankTotal: Type.Optional(Type.Integer({ description: 'ranked results on that board' })),
  percentile: Type.Optional(
    Type.Number({ description: '100 × ranked results with a lower score / rankTotal' }),
  ),
});
export type SessionResultView = Static<typeof SessionResultView>;

export const SignalType = Type.Union([
  Type.Literal('blur'),
  Type.Literal('focus'),
  Type.Literal('copy'),
  Type.Literal('paste'),
  Type.Literal('fullscreen_exit'),
]);
export type SignalType = Static<typeof SignalType>;

export const SignalBody = Strict({ type: SignalType, at: Timestamp });
export type SignalBody = Static<typeof SignalBody>;

export const Accepted = Type.Object({ accepted: Type.Boolean() });

// ── Staff ───────────────────────────────────────────────────────────────────────────

export const ExtendBody = Strict({ minutes: Type.Integer({ minimum: 1, maximum: 24 * 60 }) });
export type ExtendBody = Static<typeof ExtendBody>;

export const ExtendResponse = Type.Object({
  sessionId: Type.String(),
  endsAt: Timestamp,
  serverNow: Timestamp,
});

export const GradeParams = Type.Object({ id: Id, questionId: Id }, { additionalProperties: false });
export const GradeBody = Strict({ points: Type.Number({ minimum: 0, maximum: 10_000 }) });
export type GradeBody = Static<typeof GradeBody>;

/** The full result, for staff (always with scores and correct answers). */
export const StaffResultView = Type.Object({
  sessionId: Type.String(),
  status: SessionStatus,
  submittedAt: Timestamp,
  score: Type.Number(),
  maxScore: Type.Number(),
  percentage: Type.Number(),
  gradedCount: Type.Integer(),
  pendingCount: Type.Integer(),
  breakdown: Type.Array(BreakdownItem),
});
export type StaffResultView = Static<typeof StaffResultView>;

/** One answer of a session as a grader sees it (authored order, with the question). */
export const ReviewAnswer = Type.Object({
  questionId: Type.String(),
  position: Type.Integer({ description: 'the question number in the authored order, from 1' }),
  kind: Type.Union([...QuestionKindLiterals]),
  text: Type.String({ description: 'the question (sanitized HTML)' }),
  options: Type.Array(Type.Object({ id: Type.String(), text: Type.String() })),
  answer: Answer,
  correctAnswer: Type.Array(Type.String()),
  maxPoints: Type.Number(),
  awardedPoints: Type.Union([Type.Number(), Type.Null()], { description: 'null until graded' }),
  pending: Type.Boolean({ description: 'a written answer waiting for a teacher' }),
});

/** `GET /api/v1/admin/sessions/{id}`: a student's paper, for monitoring and manual grading. */
export const SessionReview = Type.Object({
  sessionId: Type.String(),
  examId: Type.String(),
  studentId: Type.String(),
  studentName: Type.String(),
  nisn: Type.String(),
  className: Type.Union([Type.String(), Type.Null()]),
  canGrade: Type.Boolean({ description: 'whether this caller may grade the written answers' }),
  status: SessionStatus,
  startedAt: Timestamp,
  endsAt: Timestamp,
  submittedAt: Type.Union([Timestamp, Type.Null()]),
  score: Type.Union([Type.Number(), Type.Null()]),
  maxScore: Type.Number(),
  pendingCount: Type.Integer(),
  answers: Type.Array(ReviewAnswer),
});
export type SessionReview = Static<typeof SessionReview>;

export const ReleaseResponse = Type.Object({ examId: Type.String(), resultsReleasedAt: Timestamp });
