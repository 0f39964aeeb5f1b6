import type { Answer, ResultBreakdownItem } from '../../grading/index.js';
import type { PersistLag } from '../../platform/slow-lane.js';
import type {
  AnswerKey,
  ExamLiveState,
  PublishedExam,
} from '../../../../contracts/published-exam.js';

/**
 * The hot store port (ARCHITECTURE.md, "fast lane"): everything a running exam touches on
 * every request lives behind this interface, so nothing a student does waits on a row lock
 * in PostgreSQL. Two adapters implement it and must pass `contract.ts` unchanged:
 *
 *  * `memory` — one process, RAM, a save acknowledged after its group commit to PostgreSQL;
 *  * `redis`  — many processes; every multi-step method below is ONE Lua script (check +
 *    write + append to the durable log, atomically), and a writer drains the log.
 *
 * Rules every adapter keeps:
 *  * Times are epoch milliseconds (numbers), never Date: cheap to compare, Lua-friendly.
 *  * Each method marked "atomic" must behave as if nothing else ran during it — in Redis
 *    one script, in memory no `await` between the check and the write.
 *  * PostgreSQL is the truth. A session missing from the hot store (restart, eviction)
 *    is rebuilt from PostgreSQL by the adapter itself on first access; an exam missing
 *    from the cache is the caller's to reload (`getExam` → null → the sessions service
 *    reads the exams row and calls `putExam`).
 *  * Refusals are typed: methods throw `AppError` with a `ErrorCode`, whose
 *    values are API.md error codes so the HTTP and WebSocket layers pass them through.
 */
export interface SessionStore {
  /** Which adapter this is ("memory", "redis"), for logs and /health/ready. */
  readonly kind: string;

  // ── Exam cache ──────────────────────────────────────────────────────────────────────

  /**
   * Caches a published exam: the frozen student payload, its answer key and the mutable
   * live state. Replaces whatever was cached for that exam (publish, token rotation,
   * close, release of results, schedule change all call this through `examChanged`).
   */
  putExam(entry: CachedExam): Promise<void>;

  /** The cached exam, or null on a miss (the caller reloads it from PostgreSQL). */
  getExam(examId: string): Promise<CachedExam | null>;

  /** Forgets a cached exam (unpublished or deleted). Sessions are untouched. */
  dropExam(examId: string): Promise<void>;

  // ── Sessions ────────────────────────────────────────────────────────────────────────

  /**
   * Atomic, idempotent per (examId, studentId): creates the session (written through to
   * PostgreSQL before returning) or, when this student already has one for this exam,
   * returns the existing one untouched (`created: false`) — the seed, order and deadline
   * of the first start win, so two racing starts from two tabs end up in one session.
   */
  createSession(input: NewSession): Promise<{ session: SessionState; created: boolean }>;

  /**
   * The session with its saved answers, or null when it does not exist at all. On a hot
   * miss the adapter rebuilds it from PostgreSQL (exam_sessions + session_answers; `seq`
   * continues from the highest stored one) before answering.
   */
  getSession(sessionId: string): Promise<SessionState | null>;

  /** The id of this student's session for this exam, if one exists (hot or in PostgreSQL). */
  sessionIdFor(examId: string, studentId: string): Promise<string | null>;

  /**
   * Atomic. Saves answers last-write-wins per question:
   *  1. if `idempotencyKey` was seen for this session → returns the first ack, writes nothing
   *     (a retried save is harmless even after submit: it did land);
   *  2. NOT_FOUND when no such session; SESSION_CLOSED unless status is IN_PROGRESS;
   *     TIME_UP when `now > endsAt + graceMs`;
   *  3. gives every answer the next per-session `seq` (monotonic, never reused, survives
   *     a restart), stores it, appends it to the durable log, remembers the idempotency
   *     key (TTL `IDEMPOTENCY_TTL_MS`).
   * Resolves only once the write is durable enough to survive this process dying: memory
   * after the PostgreSQL group commit, Redis once the script ran (AOF/replica durable).
   * Callers validated the answers against the exam already; the store does not re-check.
   * Throws UNAVAILABLE if durability cannot be confirmed in time (outcome unknown: the
   * client retries with the same key).
   */
  saveAnswers(sessionId: string, answers: AnswerWrite[], options: SaveOptions): Promise<SaveAck>;

  /**
   * The session's exam and student, or null for no such session — without copying its
   * answers (a save needs the exam to check answers against, nothing more). Never changes.
   */
  identity(sessionId: string): Promise<SessionIdentity | null>;

  /**
   * Atomic. Freezes the session: status leaves IN_PROGRESS, so no save can land after this
   * call returns, and every save acknowledged before it is in `answers`.
   *  * IN_PROGRESS → status SUBMITTED, `submittedAt = now`, `submitReason = reason`,
   *    durable before returning `{ firstSubmit: true, result: null }`: memory writes it
   *    through to PostgreSQL (after any queued saves of this session); redis holds it in
   *    Redis and the durable log, and PostgreSQL gets the whole finished session from
   *    `recordResult` — so a submit never waits for the write-behind backlog.
   *  * Already submitted → the same frozen answers and the stored result (null if the
   *    submitter died before recording it: the caller grades again — grading is pure, so
   *    the result is identical). A stored result is in PostgreSQL before it is returned.
   *  * `onlyIfDue` (the sweeper): refuses with CONFLICT unless `now > endsAt + graceMs`,
   *    checked in the same atomic step, so an extension that lands first wins.
   * Throws NOT_FOUND when no such session.
   */
  submit(sessionId: string, options: SubmitOptions): Promise<SubmitOutcome>;

  /**
   * Records the graded result exactly once: the first writer wins and every caller gets
   * the winning result back. Sets status to `result.status` (SCORED or PENDING_REVIEW).
   * Persisted (exam_sessions.result, score, counts, status, and every saved answer of the
   * session) before resolving — also for a caller that lost the race. Throws
   * CONFLICT if the session was never submitted, NOT_FOUND if it does not exist.
   */
  recordResult(sessionId: string, result: SessionResult): Promise<SessionResult>;

  /**
   * Atomic. Moves an IN_PROGRESS session's deadline to `endsAt` (written through to
   * PostgreSQL). SESSION_CLOSED once submitted, NOT_FOUND when missing. Returns the new
   * meta. The caller decides the new deadline (extensions may pass scheduledEnd).
   */
  extend(sessionId: string, endsAt: number): Promise<SessionMeta>;

  /**
   * Drops the hot copy of a session that is no longer IN_PROGRESS so the next read
   * rebuilds it from PostgreSQL — used after staff changed its durable result (manual
   * grading). Refuses with CONFLICT while IN_PROGRESS (RAM holds the only fresh state).
   */
  evictSession(sessionId: string): Promise<void>;

  /**
   * IN_PROGRESS sessions whose `endsAt + graceMs < now`, oldest deadline first, at most
   * `limit`, for the expiry sweeper. Only sessions the hot store holds; the sweeper scans
   * PostgreSQL itself once at start for sessions orphaned by a crash.
   */
  dueForExpiry(now: number, graceMs: number, limit: number): Promise<string[]>;

  // ── Idempotency records (submit, and any other retried command) ─────────────────────

  /** A remembered response for `key`, or null. Keys are namespaced by the caller. */
  getIdempotent(key: string): Promise<unknown>;

  /**
   * Atomic set-if-absent with a TTL: stores `value` unless `key` is already there, and
   * returns whichever value is stored now (the first writer's).
   */
  putIdempotent(key: string, value: unknown, ttlMs: number): Promise<unknown>;

  // ── Side traffic ───────────────────────────────────────────────────────────────────

  /**
   * Queues anti-cheat signals for session_events. Off the answer path: resolves once
   * accepted into the durable log (not necessarily in PostgreSQL yet); batched.
   */
  recordEvents(events: SessionEvent[]): Promise<void>;

  // ── Operations ─────────────────────────────────────────────────────────────────────

  /** Writes accepted but not yet in PostgreSQL, and the age of the oldest, for readiness. */
  persistLag(): Promise<PersistLag>;

  /** Resolves when every write accepted so far is in PostgreSQL (graceful shutdown). */
  flush(): Promise<void>;

  /** Flushes, stops timers and subscriptions. The store is unusable afterwards. */
  close(): Promise<void>;
}

/** How long a save's or submit's idempotency key is remembered. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export type SessionStatus = 'IN_PROGRESS' | 'SUBMITTED' | 'SCORED' | 'PENDING_REVIEW';
export type SubmitReason = 'STUDENT' | 'TIME_UP' | 'STAFF';

export type { Answer, ResultBreakdownItem } from '../../grading/index.js';

/** The live parts of an exam plus its schedule, which authoring may still move. */
export interface ExamLive extends ExamLiveState {
  /** epoch ms */
  scheduledStart: number;
  /** epoch ms; a session never ends after it */
  scheduledEnd: number;
  /** who authored it: staff routes check ownership against this */
  authorId: string | null;
}

export interface CachedExam {
  exam: PublishedExam;
  key: AnswerKey;
  live: ExamLive;
}

export interface NewSession {
  /** chosen by the caller (uuid); ignored when the student already has a session */
  id: string;
  examId: string;
  studentId: string;
  startedAt: number;
  endsAt: number;
  shuffleSeed: number;
  /** question ids in this session's order */
  questionOrder: string[];
  /** questionId → option ids in this session's order (only questions that shuffle) */
  optionOrders: Record<string, string[]>;
}

export interface SessionMeta extends NewSession {
  status: SessionStatus;
  submittedAt: number | null;
  submitReason: SubmitReason | null;
  /** questions with a non-null answer */
  answeredCount: number;
  lastActivityAt: number | null;
  /** the highest seq handed out so far (0 before any save) */
  seq: number;
  result: SessionResult | null;
}

export interface SavedAnswer {
  answer: Answer;
  seq: number;
  savedAt: number;
  clientTs: number | null;
}

export interface SessionState {
  meta: SessionMeta;
  /** questionId → the last write */
  answers: Record<string, SavedAnswer>;
}

export interface AnswerWrite {
  questionId: string;
  answer: Answer;
  /** the client's clock when the student answered, for the record only */
  clientTs?: number | null;
}

export interface SaveOptions {
  now: number;
  graceMs: number;
  idempotencyKey?: string | undefined;
  /** the student saving: someone else's session answers NOT_FOUND, checked in the same atomic step */
  studentId?: string | undefined;
}

/** What never changes about a session: whose it is and of which exam. Safe to cache anywhere. */
export interface SessionIdentity {
  examId: string;
  studentId: string;
}

export interface SaveAck {
  saved: number;
  savedAt: number;
}

export interface SubmitOptions {
  reason: SubmitReason;
  now: number;
  /** sweeper only: submit only if `now > endsAt + graceMs`, else CONFLICT */
  onlyIfDue?: { graceMs: number };
}

export interface SubmitOutcome {
  /** true for the call that froze the session */
  firstSubmit: boolean;
  meta: SessionMeta;
  answers: Record<string, SavedAnswer>;
  /** the recorded result, if one was recorded already */
  result: SessionResult | null;
}

/** The graded outcome of a session, stored once in exam_sessions.result. */
export interface SessionResult {
  status: 'SCORED' | 'PENDING_REVIEW';
  submittedAt: number;
  score: number;
  maxScore: number;
  percentage: number;
  gradedCount: number;
  pendingCount: number;
  breakdown: ResultBreakdownItem[];
}

export interface SessionEvent {
  sessionId: string;
  type: string;
  at: number;
  detail?: Record<string, unknown> | null;
}

/** Notices the sessions feature sends to a student's sockets (over the bus, to every process). */
export type SessionNotice =
  | { type: 'time'; sessionId: string; studentId: string; endsAt: number }
  | { type: 'closed'; sessionId: string; studentId: string; reason: 'TIME_UP' | 'SUBMITTED' };

export type { PersistLag } from '../../platform/slow-lane.js';
