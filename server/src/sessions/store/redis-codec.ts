import type {
  Answer,
  SavedAnswer,
  SessionEvent,
  SessionMeta,
  SessionResult,
  SessionState,
  SessionStatus,
  SubmitReason,
} from './types.js';
import { isAnswered } from './durable.repo.js';
import { pairsToFields, type Fields } from '../../platform/redis/fields.js';

export { fieldsToPairs, pairsToFields, type Fields } from '../../platform/redis/fields.js';

/**
 * How sessions and log entries look inside Redis. Lua scripts read and write the same
 * shapes, so every change here needs the matching change in lua/.
 *
 * Meta hash: flat string fields; '' stands for null. JSON only where Lua never looks inside
 * (question order, option orders, result). Answer records are JSON built by the save
 * script: `{"seq":n,"at":ms,"ts":ms|null,"on":0|1,"a":<answer>}` — "on" says whether the
 * answer counts as answered, so the script can keep answeredCount without parsing "a".
 */

const num = (v: string | undefined): number | null =>
  v === undefined || v === '' ? null : Number(v);
const str = (v: number | string | null): string => (v === null ? '' : String(v));

export function metaToFields(meta: SessionMeta): Fields {
  return {
    id: meta.id,
    examId: meta.examId,
    studentId: meta.studentId,
    status: meta.status,
    startedAt: str(meta.startedAt),
    endsAt: str(meta.endsAt),
    shuffleSeed: str(meta.shuffleSeed),
    questionOrder: JSON.stringify(meta.questionOrder),
    optionOrders: JSON.stringify(meta.optionOrders),
    submittedAt: str(meta.submittedAt),
    submitReason: meta.submitReason ?? '',
    answeredCount: str(meta.answeredCount),
    lastActivityAt: str(meta.lastActivityAt),
    seq: str(meta.seq),
    result: meta.result ? JSON.stringify(meta.result) : '',
    lastLog: '',
  };
}

export function fieldsToMeta(f: Fields): SessionMeta {
  const required = (name: string): string => {
    const v = f[name];
    if (v === undefined) throw new Error(`session hash lacks ${name}`);
    return v;
  };
  return {
    id: required('id'),
    examId: required('examId'),
    studentId: required('studentId'),
    status: required('status') as SessionStatus,
    startedAt: Number(required('startedAt')),
    endsAt: Number(required('endsAt')),
    shuffleSeed: Number(required('shuffleSeed')),
    questionOrder: JSON.parse(required('questionOrder')) as string[],
    optionOrders: JSON.parse(required('optionOrders')) as Record<string, string[]>,
    submittedAt: num(f['submittedAt']),
    submitReason: f['submitReason'] ? (f['submitReason'] as SubmitReason) : null,
    answeredCount: Number(f['answeredCount'] ?? 0),
    lastActivityAt: num(f['lastActivityAt']),
    seq: Number(f['seq'] ?? 0),
    result: f['result'] ? (JSON.parse(f['result']) as SessionResult) : null,
  };
}

interface AnswerRecord {
  seq: number;
  at: number;
  ts: number | null;
  on: 0 | 1;
  a: Answer;
}

/** Same shape and key order as the save script builds (the script pattern-matches it). */
export function encodeAnswerRecord(saved: SavedAnswer): string {
  const record: AnswerRecord = {
    seq: saved.seq,
    at: saved.savedAt,
    ts: saved.clientTs,
    on: isAnswered(saved.answer) ? 1 : 0,
    a: saved.answer,
  };
  return JSON.stringify(record);
}

export function decodeAnswerRecord(json: string): SavedAnswer {
  const r = JSON.parse(json) as AnswerRecord;
  return { answer: r.a, seq: r.seq, savedAt: r.at, clientTs: r.ts };
}

/** A session as readSession/loadSession/submit return it: [metaPairs, answerPairs]. */
export function decodeState(metaPairs: unknown, answerPairs: unknown): SessionState {
  const meta = fieldsToMeta(pairsToFields(metaPairs));
  const answers: Record<string, SavedAnswer> = {};
  for (const [questionId, record] of Object.entries(pairsToFields(answerPairs)))
    answers[questionId] = decodeAnswerRecord(record);
  return { meta, answers };
}

/** The client's clock is for the record only; anything but a plain ms integer is dropped. */
export function clientTsArg(clientTs: number | null | undefined): string {
  if (clientTs === null || clientTs === undefined || !Number.isFinite(clientTs)) return '';
  const ms = Math.round(clientTs);
  return ms >= 0 && Number.isSafeInteger(ms) ? String(ms) : '';
}

// ── Log entries (stream fields; the writer's input) ──────────────────────────────────

export type LogEntry =
  | { type: 'answers'; sessionId: string; answers: { questionId: string; saved: SavedAnswer }[] }
  | { type: 'submit'; sessionId: string; submittedAt: number; reason: SubmitReason }
  | { type: 'result'; sessionId: string; result: SessionResult; reason: SubmitReason | null }
  | { type: 'extend'; sessionId: string; endsAt: number }
  | { type: 'event'; event: SessionEvent };

/** Stream fields for an anti-cheat event (written by the adapter, not a script). */
export function eventFields(e: SessionEvent): string[] {
  return [
    't',
    'event',
    's',
    e.sessionId,
    'y',
    e.type,
    'at',
    String(Math.round(e.at)),
    'd',
    e.detail ? JSON.stringify(e.detail) : '',
  ];
}

/** Parses one stream entry; throws on a shape no script writes (the writer dead-letters it). */
export function decodeLogEntry(flat: string[]): LogEntry {
  const [tKey, type, sKey, sessionId] = flat;
  if (tKey !== 't' || sKey !== 's' || !type || !sessionId)
    throw new Error('log entry without type and session');
  if (type === 'answers') {
    const answers: { questionId: string; saved: SavedAnswer }[] = [];
    for (let i = 4; i + 1 < flat.length; i += 2)
      answers.push({ questionId: flat[i]!, saved: decodeAnswerRecord(flat[i + 1]!) });
    return { type, sessionId, answers };
  }
  const f = pairsToFields(flat);
  switch (type) {
    case 'submit':
      return { type, sessionId, submittedAt: Number(f['at']), reason: f['r'] as SubmitReason };
    case 'result':
      return {
        type,
        sessionId,
        result: JSON.parse(f['j'] ?? 'null') as SessionResult,
        reason: f['r'] ? (f['r'] as SubmitReason) : null,
      };
    case 'extend':
      return { type, sessionId, endsAt: Number(f['e']) };
    case 'event':
      return {
        type,
        event: {
          sessionId,
          type: f['y'] ?? '',
          at: Number(f['at']),
          detail: f['d'] ? (JSON.parse(f['d']) as Record<string, unknown>) : null,
        },
      };
    default:
      throw new Error(`unknown log entry type ${type}`);
  }
}
