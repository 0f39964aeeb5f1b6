import type { LogEntryHandler } from '../../platform/redis/log-handlers.js';
import type { Sql, TransactionSql } from '../../platform/postgres.js';
import { latestPerQuestion, upsertAnswers, type AnswerRow } from './durable.repo.js';
import { decodeLogEntry, type LogEntry } from './redis-codec.js';
import type { SessionEvent, SubmitReason } from './types.js';

/** The session store's entry types in the durable log, applied by the writers (platform/redis/log-writer.ts). */
export function sessionLogHandler(sql: Sql): LogEntryHandler<LogEntry> {
  return {
    types: ['answers', 'submit', 'result', 'extend', 'event'],
    decode: decodeLogEntry,
    apply: (entries) => applyBatch(sql, collectBatch(entries)),
  };
}

/**
 * The writer's SQL: one batch of log entries (in log order) as a few set-based statements.
 * Every statement is idempotent, so a batch applied partly (PostgreSQL died halfway) or
 * redelivered after a crash before XACK changes nothing when applied again: answers are
 * guarded by seq, submits by status, results by `result IS NULL`, extensions are re-applied
 * in log order, events are de-duplicated. Rows for a session PostgreSQL no longer has (its
 * exam was deleted) are skipped, not failed.
 *
 * Why not one transaction per batch: with postgres.js 3.4.9, a transaction whose connection
 * dies (PostgreSQL stopping — exactly the outage the writer must ride out) makes begin()
 * write ROLLBACK to a closed socket from a setImmediate, an uncatchable TypeError that kills
 * the process (porsager/postgres#1154, #1208). Idempotent statements make the transaction
 * unnecessary for correctness; `applyBatch` takes a transaction too, for when that is fixed.
 */
export interface LogBatch {
  answers: AnswerRow[];
  extensions: { sessionId: string; endsAt: number }[];
  submits: { sessionId: string; submittedAt: number; reason: SubmitReason }[];
  results: { sessionId: string; resultJson: string; reason: SubmitReason | null }[];
  events: SessionEvent[];
}

export function collectBatch(entries: LogEntry[]): LogBatch {
  const answers: AnswerRow[] = [];
  const extensions = new Map<string, number>();
  const submits = new Map<string, LogBatch['submits'][number]>();
  const results = new Map<string, LogBatch['results'][number]>();
  const events = new Map<string, SessionEvent>();
  for (const e of entries) {
    switch (e.type) {
      case 'answers':
        for (const a of e.answers)
          answers.push({ sessionId: e.sessionId, questionId: a.questionId, ...a.saved });
        break;
      case 'extend':
        // Log order: the last extension of the batch is the current deadline.
        extensions.set(e.sessionId, e.endsAt);
        break;
      case 'submit':
        if (!submits.has(e.sessionId))
          submits.set(e.sessionId, {
            sessionId: e.sessionId,
            submittedAt: e.submittedAt,
            reason: e.reason,
          });
        break;
      case 'result':
        if (!results.has(e.sessionId))
          results.set(e.sessionId, {
            sessionId: e.sessionId,
            resultJson: JSON.stringify(e.result),
            reason: e.reason,
          });
        break;
      case 'event':
        events.set(`${e.event.sessionId}/${e.event.type}/${e.event.at}`, e.event);
        break;
    }
  }
  return {
    // One row per (session, question): PostgreSQL refuses to update a row twice in one statement.
    answers: latestPerQuestion(answers),
    extensions: [...extensions].map(([sessionId, endsAt]) => ({ sessionId, endsAt })),
    submits: [...submits.values()],
    results: [...results.values()],
    events: [...events.values()],
  };
}

/** Statement order matters within the batch: a session's extension precedes its submit. */
export async function applyBatch(tx: Sql | TransactionSql, b: LogBatch): Promise<void> {
  if (b.answers.length > 0) await upsertAnswers(tx, b.answers);
  if (b.extensions.length > 0) {
    await tx`
      UPDATE exam_sessions s SET ends_at = to_timestamp(v.ends_at / 1000.0)
      FROM unnest(${tx.array(b.extensions.map((x) => x.sessionId))}::uuid[],
                  ${tx.array(b.extensions.map((x) => x.endsAt))}::float8[]) AS v(id, ends_at)
      WHERE s.id = v.id AND s.status = 'IN_PROGRESS'`;
  }
  if (b.submits.length > 0) {
    await tx`
      UPDATE exam_sessions s
      SET status = 'SUBMITTED', submitted_at = to_timestamp(v.at / 1000.0), submit_reason = v.reason
      FROM unnest(${tx.array(b.submits.map((x) => x.sessionId))}::uuid[], ${tx.array(b.submits.map((x) => x.submittedAt))}::float8[],
                  ${tx.array(b.submits.map((x) => x.reason))}::text[]) AS v(id, at, reason)
      WHERE s.id = v.id AND s.status = 'IN_PROGRESS'`;
  }
  if (b.results.length > 0) {
    // First result wins here as in Redis; COALESCE settles status/submitted_at even if the
    // submit entry was lost with a Redis that ran without persistence.
    await tx`
      UPDATE exam_sessions s
      SET result = v.result, status = v.result->>'status',
          score = (v.result->>'score')::numeric, max_score = (v.result->>'maxScore')::numeric,
          graded_count = (v.result->>'gradedCount')::int, pending_count = (v.result->>'pendingCount')::int,
          submitted_at = COALESCE(s.submitted_at, to_timestamp((v.result->>'submittedAt')::float8 / 1000.0)),
          submit_reason = COALESCE(s.submit_reason, v.reason)
      FROM (SELECT r.id, r.result::jsonb AS result, r.reason
            FROM unnest(${tx.array(b.results.map((x) => x.sessionId))}::uuid[], ${tx.array(b.results.map((x) => x.resultJson))}::text[],
                        ${tx.array(b.results.map((x) => x.reason))}::text[]) AS r(id, result, reason)) v
      WHERE s.id = v.id AND s.result IS NULL`;
  }
  if (b.events.length > 0) await insertEvents(tx, b.events);
}

async function insertEvents(tx: Sql | TransactionSql, events: SessionEvent[]): Promise<void> {
  // session_events has no natural key: a redelivered event is recognised by session, type
  // and time (two identical signals in the same millisecond carry no extra evidence).
  await tx`
    INSERT INTO session_events (session_id, type, at, detail)
    SELECT e.session_id, e.type, to_timestamp(e.at / 1000.0), e.detail::jsonb
    FROM unnest(${tx.array(events.map((e) => e.sessionId))}::uuid[], ${tx.array(events.map((e) => e.type))}::text[],
                ${tx.array(events.map((e) => e.at))}::float8[],
                ${tx.array(events.map((e) => (e.detail ? JSON.stringify(e.detail) : null)))}::text[]) AS e(session_id, type, at, detail)
    WHERE EXISTS (SELECT 1 FROM exam_sessions s WHERE s.id = e.session_id)
      AND NOT EXISTS (SELECT 1 FROM session_events x
                      WHERE x.session_id = e.session_id AND x.type = e.type AND x.at = to_timestamp(e.at / 1000.0))`;
}
