import type postgres from 'postgres';
import type { Sql, TransactionSql } from '../../platform/postgres.js';
import type {
  Answer,
  NewSession,
  SavedAnswer,
  SessionEvent,
  SessionMeta,
  SessionResult,
  SessionState,
  SubmitReason,
} from './types.js';

/**
 * The slow lane's SQL: what every hot store adapter writes to PostgreSQL (the truth) and
 * reads back to rebuild after a restart. Every write is idempotent, so a retried or
 * redelivered batch is harmless: answers are guarded by `seq`, results by `result IS NULL`.
 */

/** One answer write on its way to session_answers. */
export interface AnswerRow {
  sessionId: string;
  questionId: string;
  answer: Answer;
  seq: number;
  savedAt: number;
  clientTs: number | null;
}

/** A question counts as answered unless cleared: null, no option picked, or empty text. */
export function isAnswered(answer: Answer): boolean {
  if (answer === null) return false;
  return Array.isArray(answer) ? answer.length > 0 : answer !== '';
}

interface SessionRowDb {
  id: string;
  examId: string;
  studentId: string;
  status: SessionMeta['status'];
  startedAt: Date;
  endsAt: Date;
  shuffleSeed: number;
  questionOrder: string[];
  optionOrders: Record<string, string[]>;
  submittedAt: Date | null;
  submitReason: SubmitReason | null;
  answeredCount: number;
  lastActivityAt: Date | null;
  result: SessionResult | null;
  seq: number;
}

const ms = (d: Date | null) => (d === null ? null : d.getTime());

function toMeta(r: SessionRowDb): SessionMeta {
  return {
    id: r.id,
    examId: r.examId,
    studentId: r.studentId,
    status: r.status,
    startedAt: r.startedAt.getTime(),
    endsAt: r.endsAt.getTime(),
    shuffleSeed: r.shuffleSeed,
    questionOrder: r.questionOrder,
    optionOrders: r.optionOrders,
    submittedAt: ms(r.submittedAt),
    submitReason: r.submitReason,
    answeredCount: r.answeredCount,
    lastActivityAt: ms(r.lastActivityAt),
    seq: r.seq,
    result: r.result,
  };
}

export function createSessionPersistence(sql: Sql) {
  const selectSession = (where: ReturnType<Sql>) => sql<SessionRowDb[]>`
    SELECT s.id, s.exam_id AS "examId", s.student_id AS "studentId", s.status,
           s.started_at AS "startedAt", s.ends_at AS "endsAt", s.shuffle_seed AS "shuffleSeed",
           s.question_order::text[] AS "questionOrder", s.option_orders AS "optionOrders",
           s.submitted_at AS "submittedAt", s.submit_reason AS "submitReason",
           s.answered_count AS "answeredCount", s.last_activity_at AS "lastActivityAt", s.result,
           COALESCE((SELECT max(a.seq) FROM session_answers a WHERE a.session_id = s.id), 0)::bigint AS seq
    FROM exam_sessions s WHERE ${where}`;

  return {
    /** Creates the session, or returns the student's existing one for this exam. */
    async insertSession(s: NewSession): Promise<{ meta: SessionMeta; created: boolean }> {
      const inserted = await sql<{ id: string }[]>`
        INSERT INTO exam_sessions (id, exam_id, student_id, status, started_at, ends_at, shuffle_seed,
                                   question_order, option_orders)
        VALUES (${s.id}, ${s.examId}, ${s.studentId}, 'IN_PROGRESS', ${new Date(s.startedAt)}, ${new Date(s.endsAt)},
                ${s.shuffleSeed}, ${sql.array(s.questionOrder)}::uuid[], ${sql.json(s.optionOrders)})
        ON CONFLICT (exam_id, student_id) DO NOTHING
        RETURNING id`;
      const [row] = await selectSession(
        sql`s.exam_id = ${s.examId} AND s.student_id = ${s.studentId}`,
      );
      if (!row) throw new Error(`session for exam ${s.examId} vanished right after insert`);
      return { meta: toMeta(row), created: inserted.length > 0 };
    },

    /** A session and its answers as PostgreSQL has them, or null. */
    async loadSession(sessionId: string): Promise<SessionState | null> {
      const [row] = await selectSession(sql`s.id = ${sessionId}`);
      if (!row) return null;
      const answerRows = await sql<
        { questionId: string; answer: Answer; seq: number; savedAt: Date; clientTs: Date | null }[]
      >`
        SELECT question_id AS "questionId", answer, seq, saved_at AS "savedAt", client_ts AS "clientTs"
        FROM session_answers WHERE session_id = ${sessionId}`;
      const answers: Record<string, SavedAnswer> = {};
      for (const a of answerRows) {
        answers[a.questionId] = {
          answer: a.answer,
          seq: a.seq,
          savedAt: a.savedAt.getTime(),
          clientTs: ms(a.clientTs),
        };
      }
      return { meta: toMeta(row), answers };
    },

    async sessionIdFor(examId: string, studentId: string): Promise<string | null> {
      const [row] = await sql<{ id: string }[]>`
        SELECT id FROM exam_sessions WHERE exam_id = ${examId} AND student_id = ${studentId}`;
      return row?.id ?? null;
    },

    /** One group commit (see upsertAnswers). */
    async writeAnswers(rows: AnswerRow[]): Promise<void> {
      await upsertAnswers(sql, rows);
    },

    /** Keeps rows PostgreSQL refused for good, with the reason, in dead_letters. */
    async setAside(source: string, rows: AnswerRow[], err: unknown): Promise<void> {
      // JSON.stringify escapes NUL and lone surrogates, so the refused content itself fits in text.
      const reason = String((err as Error).message ?? err).slice(0, 500);
      await sql`INSERT INTO dead_letters (source, payload, reason) VALUES (${source}, ${JSON.stringify(rows)}, ${reason})`;
    },

    /** IN_PROGRESS → SUBMITTED; a no-op if it already left IN_PROGRESS. */
    async markSubmitted(
      sessionId: string,
      submittedAt: number,
      reason: SubmitReason,
    ): Promise<void> {
      await sql`
        UPDATE exam_sessions SET status = 'SUBMITTED', submitted_at = ${new Date(submittedAt)}, submit_reason = ${reason}
        WHERE id = ${sessionId} AND status = 'IN_PROGRESS'`;
    },

    /**
     * Stores the result unless one is stored already; returns the stored one either way
     * (first writer wins). Also settles status/submitted_at in case the submit write was lost.
     */
    async recordResult(
      sessionId: string,
      result: SessionResult,
      reason: SubmitReason,
    ): Promise<SessionResult> {
      const [row] = await sql<{ result: SessionResult }[]>`
        UPDATE exam_sessions
        SET status = ${result.status}, score = ${result.score}, max_score = ${result.maxScore},
            graded_count = ${result.gradedCount}, pending_count = ${result.pendingCount}, result = ${sql.json(result as unknown as postgres.JSONValue)},
            submitted_at = COALESCE(submitted_at, ${new Date(result.submittedAt)}),
            submit_reason = COALESCE(submit_reason, ${reason})
        WHERE id = ${sessionId} AND result IS NULL
        RETURNING result`;
      if (row) return row.result;
      const [existing] = await sql<
        { result: SessionResult | null }[]
      >`SELECT result FROM exam_sessions WHERE id = ${sessionId}`;
      if (!existing?.result) throw new Error(`session ${sessionId} has no result and refused one`);
      return existing.result;
    },

    /** Moves the deadline of a session still in progress; false if it is not. */
    async setEndsAt(sessionId: string, endsAt: number): Promise<boolean> {
      const rows = await sql`
        UPDATE exam_sessions SET ends_at = ${new Date(endsAt)} WHERE id = ${sessionId} AND status = 'IN_PROGRESS'
        RETURNING id`;
      return rows.length > 0;
    },

    async insertEvents(events: SessionEvent[]): Promise<void> {
      if (events.length === 0) return;
      await sql`
        INSERT INTO session_events (session_id, type, at, detail)
        SELECT e.session_id, e.type, to_timestamp(e.at / 1000.0), e.detail::jsonb
        FROM unnest(${sql.array(events.map((e) => e.sessionId))}::uuid[], ${sql.array(events.map((e) => e.type))}::text[],
                    ${sql.array(events.map((e) => e.at))}::float8[],
                    ${sql.array(events.map((e) => (e.detail ? JSON.stringify(e.detail) : null)))}::text[])
             WITH ORDINALITY AS e(session_id, type, at, detail, n)
        WHERE EXISTS (SELECT 1 FROM exam_sessions s WHERE s.id = e.session_id)
        ORDER BY e.n`;
    },
  };
}

export type SessionPersistence = ReturnType<typeof createSessionPersistence>;

/** A submitted session's final state, as the Redis lane writes it straight to PostgreSQL. */
export interface FinalWrite {
  sessionId: string;
  /** every answer the session holds (the frozen answers hash), each with its seq */
  answers: AnswerRow[];
  result: SessionResult;
  submittedAt: number;
  reason: SubmitReason | null;
  endsAt: number;
}

/**
 * Writes submitted sessions' final state — answers, deadline, status and result — for many
 * sessions in three statements. Idempotent, and safe against the write-behind log in either
 * order: answers are guarded by seq (an older log entry arriving later cannot overwrite the
 * final answer), the session row only while it has no result (a later `submit` entry needs
 * IN_PROGRESS, a later `result` entry needs `result IS NULL`, a later `extend` entry needs
 * IN_PROGRESS: none can move the row back), and submitted_at/submit_reason keep the value
 * the log's submit entry may have set first (it is the same freeze). Rows are taken in
 * session-id order, as the answer upsert takes them, so a final write and a concurrent log
 * batch touching the same sessions lock them in one order.
 */
export async function writeFinal(db: Sql | TransactionSql, finals: FinalWrite[]): Promise<void> {
  if (finals.length === 0) return;
  await upsertAnswers(db, latestPerQuestion(finals.flatMap((f) => f.answers)));
  await db`
    UPDATE exam_sessions s
    SET result = v.result, status = v.result->>'status',
        score = (v.result->>'score')::numeric, max_score = (v.result->>'maxScore')::numeric,
        graded_count = (v.result->>'gradedCount')::int, pending_count = (v.result->>'pendingCount')::int,
        submitted_at = COALESCE(s.submitted_at, to_timestamp(v.submitted_at / 1000.0)),
        submit_reason = COALESCE(s.submit_reason, v.reason),
        ends_at = to_timestamp(v.ends_at / 1000.0)
    FROM (SELECT r.id, r.result::jsonb AS result, r.submitted_at, r.reason, r.ends_at
          FROM unnest(${db.array(finals.map((f) => f.sessionId))}::uuid[],
                      ${db.array(finals.map((f) => JSON.stringify(f.result)))}::text[],
                      ${db.array(finals.map((f) => f.submittedAt))}::float8[],
                      ${db.array(finals.map((f) => f.reason))}::text[],
                      ${db.array(finals.map((f) => f.endsAt))}::float8[])
               AS r(id, result, submitted_at, reason, ends_at)
          ORDER BY r.id) v
    WHERE s.id = v.id AND s.result IS NULL`;
}

/**
 * The one answer upsert of the slow lane, shared by the memory group commit and the Redis
 * log writer: every answer of the batch in ONE statement, last write wins by `seq` (an
 * older or redelivered write never overwrites a newer one), rows of a session PostgreSQL no
 * longer has are skipped; then the monitor's counters, recounted from the table so a stale
 * batch cannot set a stale count (the same "answered" rule as isAnswered()).
 *
 * Two autocommitted statements, not a transaction: each is idempotent on its own, and
 * postgres.js 3.4.9 crashes the process when a transaction's connection dies mid-query
 * (porsager/postgres#1208) — during a database restart a failed batch must only mean "not
 * acknowledged, retry". The batch must hold at most one row per (session, question):
 * PostgreSQL refuses to update the same row twice in one statement.
 */
export async function upsertAnswers(db: Sql | TransactionSql, rows: AnswerRow[]): Promise<void> {
  if (rows.length === 0) return;
  const sessionIds = rows.map((r) => r.sessionId);
  await db`
    INSERT INTO session_answers (session_id, question_id, answer, seq, saved_at, client_ts)
    SELECT b.session_id, b.question_id, b.answer::jsonb, b.seq, to_timestamp(b.saved_at / 1000.0), to_timestamp(b.client_ts / 1000.0)
    FROM unnest(${db.array(sessionIds)}::uuid[], ${db.array(rows.map((r) => r.questionId))}::uuid[],
                ${db.array(rows.map((r) => (r.answer === null ? null : JSON.stringify(r.answer))))}::text[],
                ${db.array(rows.map((r) => r.seq))}::bigint[], ${db.array(rows.map((r) => r.savedAt))}::float8[],
                ${db.array(rows.map((r) => r.clientTs))}::float8[])
         AS b(session_id, question_id, answer, seq, saved_at, client_ts)
    WHERE EXISTS (SELECT 1 FROM exam_sessions s WHERE s.id = b.session_id)
    ORDER BY b.session_id, b.question_id
    ON CONFLICT (session_id, question_id) DO UPDATE
      SET answer = EXCLUDED.answer, seq = EXCLUDED.seq, saved_at = EXCLUDED.saved_at, client_ts = EXCLUDED.client_ts
      WHERE session_answers.seq < EXCLUDED.seq`;
  await db`
    UPDATE exam_sessions s
    SET answered_count = (SELECT count(*) FROM session_answers a
                          WHERE a.session_id = s.id AND a.answer IS NOT NULL
                            AND a.answer <> '[]'::jsonb AND a.answer <> '""'::jsonb),
        last_activity_at = GREATEST(s.last_activity_at, v.at)
    FROM (SELECT b.session_id, to_timestamp(max(b.saved_at) / 1000.0) AS at
          FROM unnest(${db.array(sessionIds)}::uuid[], ${db.array(rows.map((r) => r.savedAt))}::float8[]) AS b(session_id, saved_at)
          GROUP BY b.session_id ORDER BY b.session_id) v
    WHERE s.id = v.session_id`;
}

/** One row per (session, question): the highest seq wins, as it would in the table. */
export function latestPerQuestion(rows: AnswerRow[]): AnswerRow[] {
  const latest = new Map<string, AnswerRow>();
  for (const r of rows) {
    const k = `${r.sessionId}/${r.questionId}`;
    const seen = latest.get(k);
    if (!seen || seen.seq < r.seq) latest.set(k, r);
  }
  return [...latest.values()];
}
