import { randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import type {
  AnswerKey,
  PublishedExam,
  PublishedQuestion,
} from '../../../contracts/published-exam.js';
import type { Sql } from '../platform/postgres.js';

/**
 * Test factories for published exams, straight into the database as the exams feature
 * would leave them after publish (payload without correct answers, key apart), so session
 * tests do not depend on the authoring routes.
 */
export interface QuestionSpec {
  kind: 'single' | 'multi' | 'text';
  text?: string;
  options?: string[];
  correct?: string[];
  points?: number;
}

export interface ExamSpec {
  authorId?: string | null;
  title?: string;
  scheduledStart?: Date;
  scheduledEnd?: Date;
  durationMinutes?: number;
  entryToken?: string;
  shuffleQuestions?: boolean;
  shuffleOptions?: boolean;
  partialCredit?: boolean;
  resultPolicy?: PublishedExam['resultPolicy'];
  status?: 'DRAFT' | 'PUBLISHED' | 'CLOSED';
  targets?: PublishedExam['targets'];
  questions?: QuestionSpec[];
  leaderboard?: { enabled: boolean; visibility?: 'staff' | 'students' | 'anonymous' };
  negativeMarking?: number;
}

export const DEFAULT_QUESTIONS: QuestionSpec[] = [
  {
    kind: 'single',
    text: '<p>2 + 2 = ?</p>',
    options: ['A', 'B', 'C', 'D'],
    correct: ['B'],
    points: 2,
  },
  {
    kind: 'multi',
    text: '<p>Prime numbers?</p>',
    options: ['A', 'B', 'C', 'D'],
    correct: ['A', 'C'],
    points: 4,
  },
  { kind: 'text', text: '<p>Explain photosynthesis.</p>', points: 5 },
];

export interface TestExam {
  id: string;
  entryToken: string;
  payload: PublishedExam;
  key: AnswerKey;
  /** question ids in authored order */
  questionIds: string[];
}

export async function createPublishedExam(sql: Sql, spec: ExamSpec = {}): Promise<TestExam> {
  const now = Date.now();
  const scheduledStart = spec.scheduledStart ?? new Date(now - 60 * 60_000);
  const scheduledEnd = spec.scheduledEnd ?? new Date(now + 2 * 60 * 60_000);
  const entryToken = spec.entryToken ?? randomBytes(3).toString('hex').toUpperCase();
  const specs = spec.questions ?? DEFAULT_QUESTIONS;

  const questions: PublishedQuestion[] = [];
  const key: AnswerKey = {};
  for (const [i, q] of specs.entries()) {
    const options = (q.options ?? []).map((id) => ({
      id,
      text: `<p>Option ${id} of ${i + 1}</p>`,
    }));
    const points = q.points ?? 1;
    const [row] = await sql<{ id: string }[]>`
      INSERT INTO questions (author_id, kind, text, options, correct, points)
      VALUES (${spec.authorId ?? null}, ${q.kind}, ${q.text ?? `<p>Question ${i + 1}</p>`}, ${sql.json(options)},
              ${sql.json(q.correct ?? [])}, ${points})
      RETURNING id`;
    questions.push({
      id: row!.id,
      kind: q.kind,
      text: q.text ?? `<p>Question ${i + 1}</p>`,
      options,
      points,
    });
    key[row!.id] = { kind: q.kind, correct: q.correct ?? [], points };
  }

  const payload: PublishedExam = {
    examId: '',
    title: spec.title ?? `Exam ${entryToken}`,
    description: '',
    scheduledStart: scheduledStart.toISOString(),
    scheduledEnd: scheduledEnd.toISOString(),
    durationMinutes: spec.durationMinutes ?? 90,
    shuffleQuestions: spec.shuffleQuestions ?? false,
    shuffleOptions: spec.shuffleOptions ?? false,
    partialCredit: spec.partialCredit ?? false,
    ...(spec.negativeMarking !== undefined ? { negativeMarking: spec.negativeMarking } : {}),
    resultPolicy: spec.resultPolicy ?? 'immediate',
    targets: spec.targets ?? [],
    questions,
  };
  const status = spec.status ?? 'PUBLISHED';
  const [exam] = await sql<{ id: string }[]>`
    INSERT INTO exams (author_id, title, scheduled_start, scheduled_end, duration_minutes, entry_token,
                       shuffle_questions, shuffle_options, partial_credit, result_policy, status, published_at, closed_at,
                       leaderboard_enabled, leaderboard_visibility, negative_marking)
    VALUES (${spec.authorId ?? null}, ${payload.title}, ${scheduledStart}, ${scheduledEnd}, ${payload.durationMinutes},
            ${entryToken}, ${payload.shuffleQuestions}, ${payload.shuffleOptions}, ${payload.partialCredit},
            ${payload.resultPolicy}, ${status}, ${status === 'DRAFT' ? null : new Date()},
            ${status === 'CLOSED' ? new Date() : null},
            ${spec.leaderboard?.enabled ?? false}, ${spec.leaderboard?.visibility ?? 'staff'},
            ${spec.negativeMarking ?? 0})
    RETURNING id`;
  const examId = exam!.id;
  payload.examId = examId;
  if (status !== 'DRAFT') {
    await sql`UPDATE exams SET published_payload = ${sql.json(payload as unknown as postgres.JSONValue)},
                               answer_key = ${sql.json(key as unknown as postgres.JSONValue)}
              WHERE id = ${examId}`;
  }
  for (const [position, q] of questions.entries()) {
    await sql`INSERT INTO exam_questions (exam_id, question_id, position) VALUES (${examId}, ${q.id}, ${position})`;
  }
  for (const t of payload.targets) {
    await sql`INSERT INTO exam_target_rules (exam_id, target_type, target_value) VALUES (${examId}, ${t.type}, ${t.value})`;
  }
  return { id: examId, entryToken, payload, key, questionIds: questions.map((q) => q.id) };
}
