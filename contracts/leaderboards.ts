import Type, { type Static } from 'typebox';
import { Id, Strict, Timestamp } from './common.js';

/**
 * Exam leaderboards, ranks and series (API.md, "Exam leaderboards and ranks"). Ranks are
 * standard competition ranks (1, 2, 2, 4); only SCORED results are ranked.
 */

export const Cohort = Type.Union(
  [Type.Literal('exam'), Type.Literal('class'), Type.Literal('grade'), Type.Literal('major')],
  { description: "exam: everyone; class/grade/major: the student's own (major: any grade)" },
);
export type Cohort = Static<typeof Cohort>;

const Top = Type.Integer({ minimum: 0, maximum: 1000, default: 100 });
const Around = Type.Integer({ minimum: 0, maximum: 100, default: 5 });

/** A student's query: the cohort is always the student's own. */
export const StudentBoardQuery = Strict({
  top: Type.Optional(Top),
  around: Type.Optional(Around),
  cohort: Type.Optional(Cohort),
});
export type StudentBoardQuery = Static<typeof StudentBoardQuery>;

/** Staff name the cohort: at most one of classId, grade, major; they may read a whole board. */
export const StaffBoardQuery = Strict({
  top: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 100 })),
  classId: Type.Optional(Id),
  grade: Type.Optional(Type.Integer({ minimum: 1, maximum: 13 })),
  major: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
});
export type StaffBoardQuery = Static<typeof StaffBoardQuery>;

export const BoardRow = Type.Object({
  rank: Type.Integer({ minimum: 1 }),
  name: Type.Union([Type.String(), Type.Null()], {
    description: 'null for other students when the board is anonymous',
  }),
  score: Type.Number(),
  percentage: Type.Number(),
  me: Type.Optional(Type.Boolean({ description: "true on the caller's own row" })),
});
export type BoardRow = Static<typeof BoardRow>;

export const BoardMe = Type.Object({
  rank: Type.Integer({ minimum: 1 }),
  score: Type.Number(),
  percentage: Type.Number(),
  percentile: Type.Number({ description: '100 × ranked results with a lower score / total' }),
  total: Type.Integer(),
});
export type BoardMe = Static<typeof BoardMe>;

export const Leaderboard = Type.Object({
  examId: Type.Optional(Type.String({ description: 'exam boards' })),
  seriesId: Type.Optional(Type.String({ description: 'series boards' })),
  title: Type.String(),
  cohort: Cohort,
  cohortLabel: Type.Optional(
    Type.String({ description: 'the class name, "Grade 10" or the major code' }),
  ),
  total: Type.Integer({ description: 'ranked results on this board' }),
  updatedAt: Type.Union([Timestamp, Type.Null()], { description: 'the newest change' }),
  visibility: Type.Union([
    Type.Literal('staff'),
    Type.Literal('students'),
    Type.Literal('anonymous'),
  ]),
  top: Type.Array(BoardRow),
  me: Type.Optional(Type.Union([BoardMe, Type.Null()])),
  around: Type.Optional(Type.Array(BoardRow)),
});
export type Leaderboard = Static<typeof Leaderboard>;

/** What a result carries once its score shows and the exam's board is enabled. */
export const ResultRank = Type.Object({
  rank: Type.Integer({ minimum: 1 }),
  rankTotal: Type.Integer(),
  percentile: Type.Number(),
});
export type ResultRank = Static<typeof ResultRank>;

export const RebuildResponse = Type.Object({
  examId: Type.String(),
  ranked: Type.Integer({ description: 'results on the rebuilt exam board' }),
  tookMs: Type.Integer(),
});
export type RebuildResponse = Static<typeof RebuildResponse>;

// ── Series ──────────────────────────────────────────────────────────────────────────

export const SeriesCreate = Strict({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  examIds: Type.Array(Id, { minItems: 1, maxItems: 50, uniqueItems: true }),
});
export type SeriesCreate = Static<typeof SeriesCreate>;

export const SeriesExam = Type.Object({ id: Type.String(), title: Type.String() });

export const Series = Type.Object({
  id: Type.String(),
  title: Type.String(),
  examIds: Type.Array(Type.String()),
  exams: Type.Array(SeriesExam),
  createdAt: Timestamp,
});
export type Series = Static<typeof Series>;

export const SeriesBoardQuery = Strict({
  top: Type.Optional(Top),
  around: Type.Optional(Around),
  cohort: Type.Optional(Cohort),
  classId: Type.Optional(Id),
  grade: Type.Optional(Type.Integer({ minimum: 1, maximum: 13 })),
  major: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
});
export type SeriesBoardQuery = Static<typeof SeriesBoardQuery>;

export const ExamBoardParams = Strict({ examId: Id });
