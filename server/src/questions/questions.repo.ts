import type { QuestionKind, QuestionOption } from '../../../contracts/questions.js';
import type postgres from 'postgres';
import type { QuestionContent } from './question-rules.js';

/** The pool or a transaction: both run queries, and the caller decides the unit of work. */
export type Db = postgres.ISql;

/** A bank question as stored (points as a number, times as Dates). */
export interface QuestionRecord extends QuestionContent {
  id: string;
  authorId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface QuestionFilter {
  tag?: string | undefined;
  kind?: QuestionKind | undefined;
  search?: string | undefined;
  authorId?: string | undefined;
}

interface Row {
  id: string;
  authorId: string | null;
  kind: QuestionKind;
  text: string;
  options: QuestionOption[];
  correct: string[];
  points: number;
  explanation: string;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** `db` is the pool or a transaction: callers decide the unit of work. */
export function createQuestionsRepo() {
  const columns = (db: Db) => db`
    id, author_id AS "authorId", kind, text, options, correct, points::float8 AS points,
    explanation, tags, created_at AS "createdAt", updated_at AS "updatedAt"`;

  const where = (db: Db, f: QuestionFilter) => db`
    WHERE true
    ${f.tag ? db`AND tags @> ARRAY[${f.tag}]::text[]` : db``}
    ${f.kind ? db`AND kind = ${f.kind}` : db``}
    ${f.search ? db`AND text ILIKE ${'%' + escapeLike(f.search) + '%'}` : db``}
    ${f.authorId ? db`AND author_id = ${f.authorId}` : db``}`;

  return {
    async list(db: Db, filter: QuestionFilter, page: { limit: number; offset: number }) {
      const [rows, [count]] = await Promise.all([
        db<Row[]>`SELECT ${columns(db)} FROM questions ${where(db, filter)}
                  ORDER BY created_at DESC, id LIMIT ${page.limit} OFFSET ${page.offset}`,
        db<{ total: number }[]>`SELECT count(*)::int AS total FROM questions ${where(db, filter)}`,
      ]);
      return { rows: rows as QuestionRecord[], total: count?.total ?? 0 };
    },

    /** Every matching question, oldest first (exports read like the order they were written). */
    async all(db: Db, filter: QuestionFilter): Promise<QuestionRecord[]> {
      return db<
        Row[]
      >`SELECT ${columns(db)} FROM questions ${where(db, filter)} ORDER BY created_at, id`;
    },

    /** `lock`: FOR UPDATE (an edit), FOR SHARE (a publish snapshot keeps edits out until it commits). */
    async find(db: Db, id: string, lock?: 'update' | 'share'): Promise<QuestionRecord | undefined> {
      const suffix = lock === 'update' ? db`FOR UPDATE` : lock === 'share' ? db`FOR SHARE` : db``;
      const [row] = await db<
        Row[]
      >`SELECT ${columns(db)} FROM questions WHERE id = ${id} ${suffix}`;
      return row;
    },

    async findMany(db: Db, ids: string[], lock?: 'share'): Promise<QuestionRecord[]> {
      if (ids.length === 0) return [];
      const suffix = lock === 'share' ? db`ORDER BY id FOR SHARE` : db``;
      return db<
        Row[]
      >`SELECT ${columns(db)} FROM questions WHERE id = ANY(${ids}::uuid[]) ${suffix}`;
    },

    async insertMany(db: Db, authorId: string, questions: QuestionContent[]): Promise<string[]> {
      if (questions.length === 0) return [];
      const rows = questions.map((q) => ({
        author_id: authorId,
        kind: q.kind,
        text: q.text,
        options: db.json(q.options),
        correct: db.json(q.correct),
        points: q.points,
        explanation: q.explanation,
        tags: q.tags,
      }));
      const inserted = await db<{ id: string }[]>`
        INSERT INTO questions ${db(rows, 'author_id', 'kind', 'text', 'options', 'correct', 'points', 'explanation', 'tags')}
        RETURNING id`;
      return inserted.map((r) => r.id);
    },

    async update(db: Db, id: string, q: QuestionContent): Promise<void> {
      await db`
        UPDATE questions SET kind = ${q.kind}, text = ${q.text}, options = ${db.json(q.options)},
          correct = ${db.json(q.correct)}, points = ${q.points}, explanation = ${q.explanation},
          tags = ${q.tags}, updated_at = now()
        WHERE id = ${id}`;
    },

    async remove(db: Db, id: string): Promise<void> {
      await db`DELETE FROM questions WHERE id = ${id}`;
    },
  };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export type QuestionsRepo = ReturnType<typeof createQuestionsRepo>;
