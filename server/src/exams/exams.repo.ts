import type { AnswerKey, PublishedExam } from '../../../contracts/published-exam.js';
import type { ExamStatus, ExamTarget, LeaderboardVisibility } from '../../../contracts/exams.js';
import type postgres from 'postgres';
import type { ExamForRender } from './render.js';

/** The pool or a transaction: both run queries, and the caller decides the unit of work. */
export type Db = postgres.ISql;

/** An exam row with its targets and ordered questions. */
export interface ExamRecord extends ExamForRender {
  authorId: string | null;
  entryToken: string;
  status: ExamStatus;
  publishedAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  questionCount: number;
  leaderboard: { enabled: boolean; visibility: LeaderboardVisibility };
}

/** Column values for INSERT/UPDATE, keyed by column name. */
export interface ExamColumns {
  title?: string;
  description?: string;
  scheduled_start?: Date;
  scheduled_end?: Date;
  duration_minutes?: number;
  shuffle_questions?: boolean;
  shuffle_options?: boolean;
  partial_credit?: boolean;
  negative_marking?: number;
  result_policy?: string;
  entry_token?: string;
  leaderboard_enabled?: boolean;
  leaderboard_visibility?: LeaderboardVisibility;
}

export interface ExamFilter {
  authorId?: string | undefined;
  status?: ExamStatus | undefined;
  search?: string | undefined;
}

export interface BoardExamRow {
  id: string;
  title: string;
  status: ExamStatus;
  authorId: string | null;
  maxScore: number;
  leaderboard: { enabled: boolean; visibility: LeaderboardVisibility };
  targets: ExamTarget[];
}

/** `db` is the pool or a transaction: callers decide the unit of work. */
export function createExamsRepo() {
  const select = (db: Db, withQuestions: boolean) => db`
    SELECT e.id, e.author_id AS "authorId", e.title, e.description,
      e.scheduled_start AS "scheduledStart", e.scheduled_end AS "scheduledEnd",
      e.duration_minutes AS "durationMinutes", e.entry_token AS "entryToken",
      e.shuffle_questions AS "shuffleQuestions", e.shuffle_options AS "shuffleOptions",
      e.partial_credit AS "partialCredit", e.negative_marking::float8 AS "negativeMarking",
      e.result_policy AS "resultPolicy", e.status,
      e.published_at AS "publishedAt", e.closed_at AS "closedAt",
      e.created_at AS "createdAt", e.updated_at AS "updatedAt",
      json_build_object('enabled', e.leaderboard_enabled, 'visibility', e.leaderboard_visibility) AS leaderboard,
      (SELECT count(*)::int FROM exam_questions q WHERE q.exam_id = e.id) AS "questionCount",
      COALESCE((SELECT json_agg(json_build_object('type', r.target_type, 'value', r.target_value) ORDER BY r.id)
                FROM exam_target_rules r WHERE r.exam_id = e.id), '[]'::json) AS targets,
      ${
        withQuestions
          ? db`COALESCE((SELECT json_agg(json_build_object('questionId', q.question_id, 'points', q.points::float8) ORDER BY q.position)
                       FROM exam_questions q WHERE q.exam_id = e.id), '[]'::json)`
          : db`'[]'::json`
      } AS questions
    FROM exams e`;

  const where = (db: Db, f: ExamFilter) => db`
    WHERE true
    ${f.authorId ? db`AND e.author_id = ${f.authorId}` : db``}
    ${f.status ? db`AND e.status = ${f.status}` : db``}
    ${f.search ? db`AND e.title ILIKE ${'%' + f.search.replace(/[\\%_]/g, (c) => `\\${c}`) + '%'}` : db``}`;

  return {
    /** `lock`: the row is held FOR UPDATE until the transaction ends (state changes). */
    async find(db: Db, id: string, lock = false): Promise<ExamRecord | undefined> {
      const [row] = await db<
        ExamRecord[]
      >`${select(db, true)} WHERE e.id = ${id} ${lock ? db`FOR UPDATE OF e` : db``}`;
      return row;
    },

    async list(db: Db, filter: ExamFilter, page: { limit: number; offset: number }) {
      const [rows, [count]] = await Promise.all([
        db<ExamRecord[]>`${select(db, false)} ${where(db, filter)}
                         ORDER BY e.scheduled_start DESC, e.id LIMIT ${page.limit} OFFSET ${page.offset}`,
        db<{ total: number }[]>`SELECT count(*)::int AS total FROM exams e ${where(db, filter)}`,
      ]);
      return { rows: [...rows], total: count?.total ?? 0 };
    },

    async insert(db: Db, authorId: string, columns: ExamColumns): Promise<string> {
      const row = { ...columns, author_id: authorId };
      const [inserted] = await db<{ id: string }[]>`INSERT INTO exams ${db(row)} RETURNING id`;
      return inserted!.id;
    },

    async update(db: Db, id: string, columns: ExamColumns): Promise<void> {
      if (Object.keys(columns).length === 0) return;
      await db`UPDATE exams SET ${db(columns)}, updated_at = now() WHERE id = ${id}`;
    },

    async replaceTargets(db: Db, id: string, targets: ExamTarget[]): Promise<void> {
      await db`DELETE FROM exam_target_rules WHERE exam_id = ${id}`;
      if (targets.length === 0) return;
      const rows = targets.map((t) => ({
        exam_id: id,
        target_type: t.type,
        target_value: t.value,
      }));
      await db`INSERT INTO exam_target_rules ${db(rows, 'exam_id', 'target_type', 'target_value')}`;
    },

    async replaceQuestions(
      db: Db,
      id: string,
      questions: { questionId: string; points: number | null }[],
    ): Promise<void> {
      await db`DELETE FROM exam_questions WHERE exam_id = ${id}`;
      if (questions.length === 0) return;
      const rows = questions.map((q, i) => ({
        exam_id: id,
        question_id: q.questionId,
        position: i + 1,
        points: q.points,
      }));
      await db`INSERT INTO exam_questions ${db(rows, 'exam_id', 'question_id', 'position', 'points')}`;
    },

    async markPublished(
      db: Db,
      id: string,
      payload: PublishedExam,
      answerKey: AnswerKey,
    ): Promise<void> {
      await db`
        UPDATE exams SET status = 'PUBLISHED', published_payload = ${db.json(toJson(payload))},
          answer_key = ${db.json(toJson(answerKey))}, published_at = now(), updated_at = now()
        WHERE id = ${id}`;
    },

    async readPayload(db: Db, id: string): Promise<PublishedExam | null> {
      const [row] = await db<
        { payload: PublishedExam | null }[]
      >`SELECT published_payload AS payload FROM exams WHERE id = ${id}`;
      return row?.payload ?? null;
    },

    async writePayload(db: Db, id: string, payload: PublishedExam): Promise<void> {
      await db`UPDATE exams SET published_payload = ${db.json(toJson(payload))}, updated_at = now() WHERE id = ${id}`;
    },

    async markClosed(db: Db, id: string): Promise<void> {
      await db`UPDATE exams SET status = 'CLOSED', closed_at = now(), updated_at = now() WHERE id = ${id}`;
    },

    async remove(db: Db, id: string): Promise<void> {
      await db`DELETE FROM exams WHERE id = ${id}`;
    },

    /** How exams use a bank question (the questions feature asks before an edit or delete). */
    async questionUsage(db: Db, questionId: string): Promise<{ exams: number; published: number }> {
      const [row] = await db<{ exams: number; published: number }[]>`
        SELECT count(*)::int AS exams, count(*) FILTER (WHERE e.status = 'PUBLISHED')::int AS published
        FROM exam_questions q JOIN exams e ON e.id = q.exam_id WHERE q.question_id = ${questionId}`;
      return row ?? { exams: 0, published: 0 };
    },

    /** How many exams name a class in their targets (the school feature asks before a delete). */
    async examsTargetingClass(db: Db, classId: string): Promise<number> {
      const [row] = await db<{ n: number }[]>`
        SELECT count(*)::int AS n FROM exam_target_rules
        WHERE target_type = 'CLASS' AND target_value = ${classId.toLowerCase()}`;
      return row?.n ?? 0;
    },

    // ── Target existence (classes and students are read, never written, here) ──────────
    async existingClassIds(db: Db, ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db<
        { id: string }[]
      >`SELECT id FROM classes WHERE id = ANY(${ids}::uuid[])`;
      return new Set(rows.map((r) => r.id));
    },

    async existingStudentIds(db: Db, ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db<
        { id: string }[]
      >`SELECT id FROM students WHERE id = ANY(${ids}::uuid[])`;
      return new Set(rows.map((r) => r.id));
    },

    /** An exam as a leaderboard needs it; the full score from the published payload (0 before). */
    async boardExam(db: Db, id: string): Promise<BoardExamRow | null> {
      const [row] = await db<BoardExamRow[]>`
        SELECT e.id, e.title, e.status, e.author_id AS "authorId",
          COALESCE((SELECT sum((q ->> 'points')::numeric)
                    FROM jsonb_array_elements(e.published_payload -> 'questions') q), 0)::float8 AS "maxScore",
          json_build_object('enabled', e.leaderboard_enabled, 'visibility', e.leaderboard_visibility) AS leaderboard,
          COALESCE((SELECT json_agg(json_build_object('type', r.target_type, 'value', r.target_value) ORDER BY r.id)
                    FROM exam_target_rules r WHERE r.exam_id = e.id), '[]'::json) AS targets
        FROM exams e WHERE e.id = ${id}`;
      return row ?? null;
    },

    async existingMajors(db: Db, codes: string[]): Promise<Set<string>> {
      if (codes.length === 0) return new Set();
      const rows = await db<
        { code: string }[]
      >`SELECT DISTINCT major_code AS code FROM classes WHERE major_code = ANY(${codes}::text[])`;
      return new Set(rows.map((r) => r.code));
    },
  };
}

/** postgres.js wants plain JSON values; our interfaces are exactly that. */
function toJson(value: PublishedExam | AnswerKey): Parameters<Db['json']>[0] {
  return value as unknown as Parameters<Db['json']>[0];
}

export type ExamsRepo = ReturnType<typeof createExamsRepo>;

/** For the questions feature (wired in context.ts): how exams use a bank question. */
export const examQuestionUsage = (db: Db, questionId: string) =>
  createExamsRepo().questionUsage(db, questionId);

/** For the school feature (wired in context.ts): how many exams target a class. */
export const examsTargetingClass = (db: Db, classId: string) =>
  createExamsRepo().examsTargetingClass(db, classId);
