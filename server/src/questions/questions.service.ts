import type {
  CreateQuestionBody,
  ImportResult,
  Question,
  QuestionExportQuery,
  QuestionListQuery,
  UpdateQuestionBody,
} from '../../../contracts/questions.js';
import { canWrite } from '../auth/index.js';
import type { StaffPrincipal } from '../auth/index.js';
import { readTable, toCsv, toXlsx } from '../platform/spreadsheet.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../platform/errors.js';
import type { Sql } from '../platform/postgres.js';
import { normalizeQuestion, type QuestionContent } from './question-rules.js';
import {
  optionColumnsFor,
  questionToRow,
  REQUIRED_HEADERS,
  rowToQuestion,
  sheetHeaders,
  TEMPLATE_EXAMPLES,
} from './question-sheet.js';
import { createQuestionsRepo, type Db, type QuestionRecord } from './questions.repo.js';

/**
 * How exams use a question. exam_questions belongs to the exams feature, so the answer comes
 * from there (wired in context.ts) rather than from a query on its tables here.
 */
export type QuestionUsage = (
  db: Db,
  questionId: string,
) => Promise<{ exams: number; published: number }>;

export function createQuestionsService(deps: { sql: Sql; usage: QuestionUsage }) {
  const { sql, usage } = deps;
  const repo = createQuestionsRepo();

  async function loadWritable(db: Db, staff: StaffPrincipal, id: string): Promise<QuestionRecord> {
    const q = await repo.find(db, id, 'update');
    if (!q) throw notFound('Question');
    // The bank is shared reading for staff with questions:read, so someone else's question
    // is visible: refusing it is 403, not 404.
    if (!canWrite(staff, 'questions', q.authorId))
      throw forbidden('You may only edit your own questions');
    return q;
  }

  async function get(id: string): Promise<Question> {
    const q = await repo.find(sql, id);
    if (!q) throw notFound('Question');
    return presentQuestion(q);
  }

  return {
    get,

    async list(query: QuestionListQuery) {
      const page = query.page ?? 1;
      const pageSize = query.pageSize ?? 50;
      const { rows, total } = await repo.list(sql, query, {
        limit: pageSize,
        offset: (page - 1) * pageSize,
      });
      return { items: rows.map(presentQuestion), total, page, pageSize };
    },

    async create(staff: StaffPrincipal, body: CreateQuestionBody): Promise<Question> {
      const content = normalizeQuestion({
        kind: body.kind,
        text: body.text,
        options: body.options ?? [],
        correct: body.correct ?? [],
        points: body.points ?? 1,
        explanation: body.explanation ?? '',
        tags: body.tags ?? [],
      });
      const [id] = await repo.insertMany(sql, staff.id, [content]);
      return get(id!);
    },

    async update(staff: StaffPrincipal, id: string, body: UpdateQuestionBody): Promise<Question> {
      await sql.begin(async (tx) => {
        const current = await loadWritable(tx, staff, id);
        // The row lock above orders this against a publish snapshotting the question
        // (FOR SHARE): either the publish sees this edit, or this edit sees the publish.
        const { published } = await usage(tx, id);
        if (published > 0) {
          throw conflict(
            'This question is in a published exam; its students already have it. Copy it to change it',
          );
        }
        await repo.update(tx, id, normalizeQuestion({ ...contentOf(current), ...body }));
      });
      return get(id);
    },

    async remove(staff: StaffPrincipal, id: string): Promise<void> {
      await sql.begin(async (tx) => {
        await loadWritable(tx, staff, id);
        const { exams } = await usage(tx, id);
        if (exams > 0)
          throw conflict(`This question is used by ${exams} exam(s); remove it from them first`);
        await repo.remove(tx, id);
      });
    },

    /**
     * Valid rows are created (in one transaction), bad rows are reported by spreadsheet row
     * number: a teacher fixes those rows and imports just them again.
     */
    async importFile(staff: StaffPrincipal, file: Buffer): Promise<ImportResult> {
      const table = await readTable(file);
      const missing = REQUIRED_HEADERS.filter((h) => !table.headers.includes(h));
      if (missing.length > 0) {
        throw invalid(
          `file: missing column(s) ${missing.join(', ')}; see GET /api/v1/admin/questions/import/template.csv`,
        );
      }
      const good: QuestionContent[] = [];
      const errors: ImportResult['errors'] = [];
      for (const row of table.rows) {
        try {
          good.push(normalizeQuestion(rowToQuestion(row)));
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          errors.push({ row: row.row, message: err.message });
        }
      }
      await sql.begin((tx) => repo.insertMany(tx, staff.id, good));
      return { created: good.length, errors };
    },

    async exportFile(query: QuestionExportQuery, format: 'csv' | 'xlsx'): Promise<string | Buffer> {
      const questions = await repo.all(sql, query);
      const optionCount = optionColumnsFor(questions);
      const rows = questions.map((q) => questionToRow(q, optionCount));
      const headers = sheetHeaders(optionCount);
      return format === 'csv' ? toCsv(headers, rows) : toXlsx('Questions', headers, rows);
    },

    template(): string {
      return toCsv(
        sheetHeaders(),
        TEMPLATE_EXAMPLES.map((q) => questionToRow(q)),
      );
    },

    // ── For the exams feature ─────────────────────────────────────────────────────────
    /** Which of these ids exist. */
    async existing(ids: string[]): Promise<Set<string>> {
      return new Set((await repo.findMany(sql, ids)).map((q) => q.id));
    },

    /**
     * The questions an exam is publishing, read inside its transaction and share-locked so
     * no edit lands between the snapshot and the commit.
     */
    async snapshotForPublish(tx: Db, ids: string[]): Promise<QuestionRecord[]> {
      return repo.findMany(tx, ids, 'share');
    },
  };
}

function contentOf(q: QuestionRecord): QuestionContent {
  return {
    kind: q.kind,
    text: q.text,
    options: q.options,
    correct: q.correct,
    points: q.points,
    explanation: q.explanation,
    tags: q.tags,
  };
}

/** The staff view of a bank question (it includes `correct`: this never goes to students). */
export function presentQuestion(q: QuestionRecord): Question {
  return {
    ...contentOf(q),
    id: q.id,
    authorId: q.authorId,
    createdAt: q.createdAt.toISOString(),
    updatedAt: q.updatedAt.toISOString(),
  };
}

export type QuestionsService = ReturnType<typeof createQuestionsService>;
