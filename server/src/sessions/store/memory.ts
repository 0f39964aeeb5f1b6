import { AppError } from '../../platform/errors.js';
import { isExpired, saveAllowed } from '../../grading/index.js';
import type { Sql } from '../../platform/postgres.js';
import {
  createSessionPersistence,
  isAnswered,
  latestPerQuestion,
  type AnswerRow,
  type SessionPersistence,
} from './durable.repo.js';
import { GroupCommitter, RefusedForGood } from '../../platform/group-commit.js';
import { isRefusedForGood } from '../../platform/postgres.js';
import {
  IDEMPOTENCY_TTL_MS,
  type AnswerWrite,
  type CachedExam,
  type SessionStore,
  type NewSession,
  type PersistLag,
  type SaveAck,
  type SaveOptions,
  type SavedAnswer,
  type SessionEvent,
  type SessionIdentity,
  type SessionMeta,
  type SessionResult,
  type SessionState,
  type SubmitOptions,
  type SubmitOutcome,
} from './types.js';

export interface MemorySessionStoreOptions {
  /** how long a save waits for company before its group commit (ms) */
  commitWindowMs?: number;
  maxBatch?: number;
  /** a save not committed within this answers UNAVAILABLE (it may still land later) */
  ackTimeoutMs?: number;
  /** finished sessions untouched this long leave RAM (they reload from PostgreSQL) */
  idleEvictMs?: number;
  onCommit?: (rows: number, seconds: number) => void;
  onError?: (err: unknown, what: string) => void;
  /** a save PostgreSQL refused for good, kept in dead_letters; its caller got an error, not an ack */
  onSetAside?: (rows: AnswerRow[], err: unknown) => void;
}

interface HotSession {
  meta: SessionMeta;
  answers: Map<string, SavedAnswer>;
  /** the commit holding this session's latest write: awaiting it means all are durable */
  lastCommit: Promise<void>;
  /** the write-through of the freeze, shared by concurrent submits */
  submitWrite: Promise<void> | undefined;
  recording: Promise<SessionResult> | undefined;
  touchedAt: number;
}

/**
 * The embedded hot store: everything in this process's RAM, PostgreSQL behind it. Safe as
 * the only process (config refuses WORKERS > 1 without Redis). Atomicity comes from the
 * event loop: every check-and-write below runs without an `await` in between.
 */
export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory';
  private readonly db: SessionPersistence;
  private readonly committer: GroupCommitter<AnswerRow>;
  private readonly exams = new Map<string, CachedExam>();
  private readonly sessions = new Map<string, HotSession>();
  private readonly byStudent = new Map<string, string>();
  private readonly loading = new Map<string, Promise<HotSession | null>>();
  private readonly creating = new Map<
    string,
    Promise<{ session: SessionState; created: boolean }>
  >();
  private readonly saveKeys = new Map<string, { ack: Promise<SaveAck>; expiresAt: number }>();
  private readonly records = new Map<string, { value: unknown; expiresAt: number }>();
  private events: SessionEvent[] = [];
  private eventsWrite: Promise<void> | undefined;
  private readonly housekeeping: NodeJS.Timeout;
  private readonly eventTimer: NodeJS.Timeout;
  private readonly ackTimeoutMs: number;
  private readonly idleEvictMs: number;

  constructor(
    sql: Sql,
    private readonly options: MemorySessionStoreOptions = {},
  ) {
    this.db = createSessionPersistence(sql);
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10_000;
    this.idleEvictMs = options.idleEvictMs ?? 30 * 60_000;
    this.committer = new GroupCommitter<AnswerRow>((rows) => this.db.writeAnswers(rows), {
      compact: latestPerQuestion,
      windowMs: options.commitWindowMs ?? 3,
      maxBatch: options.maxBatch ?? 1000,
      ...(options.onCommit ? { onCommit: options.onCommit } : {}),
      onError: (err) => options.onError?.(err, 'group commit'),
      refusedForGood: isRefusedForGood,
      setAside: async (rows, err) => {
        await this.db.setAside('group-commit', rows, err);
        options.onSetAside?.(rows, err);
      },
    });
    this.housekeeping = setInterval(() => this.sweepRam(Date.now()), 60_000).unref();
    this.eventTimer = setInterval(() => void this.writeEvents(), 250).unref();
  }

  // ── Exam cache ──────────────────────────────────────────────────────────────────────

  async putExam(entry: CachedExam): Promise<void> {
    this.exams.set(entry.exam.examId, entry);
  }

  async getExam(examId: string): Promise<CachedExam | null> {
    return this.exams.get(examId) ?? null;
  }

  async dropExam(examId: string): Promise<void> {
    this.exams.delete(examId);
  }

  // ── Sessions ────────────────────────────────────────────────────────────────────────

  async createSession(input: NewSession): Promise<{ session: SessionState; created: boolean }> {
    const key = `${input.examId}/${input.studentId}`;
    const knownId = this.byStudent.get(key);
    const known = knownId ? await this.hot(knownId) : null;
    if (known) return { session: snapshot(known), created: false };
    // Two tabs starting at once: one INSERT, both get its answer.
    const inFlight = this.creating.get(key);
    if (inFlight) return inFlight.then((r) => ({ session: r.session, created: false }));
    const creation = (async () => {
      const { meta, created } = await this.db.insertSession(input);
      const s = created ? this.adopt({ meta, answers: {} }) : await this.hot(meta.id);
      if (!s) throw new AppError('NOT_FOUND', 'The session disappeared');
      return { session: snapshot(s), created };
    })();
    this.creating.set(key, creation);
    try {
      return await creation;
    } finally {
      this.creating.delete(key);
    }
  }

  async getSession(sessionId: string): Promise<SessionState | null> {
    const s = await this.hot(sessionId);
    return s ? snapshot(s) : null;
  }

  async sessionIdFor(examId: string, studentId: string): Promise<string | null> {
    return (
      this.byStudent.get(`${examId}/${studentId}`) ??
      (await this.db.sessionIdFor(examId, studentId))
    );
  }

  async saveAnswers(
    sessionId: string,
    answers: AnswerWrite[],
    options: SaveOptions,
  ): Promise<SaveAck> {
    const s = await this.hot(sessionId);
    if (!s || (options.studentId !== undefined && s.meta.studentId !== options.studentId))
      throw new AppError('NOT_FOUND', 'No such session');
    // From here to the enqueue: no await, so a submit can never slip in between.
    const idemKey =
      options.idempotencyKey === undefined ? undefined : `${sessionId}/${options.idempotencyKey}`;
    const replay = idemKey === undefined ? undefined : this.saveKeys.get(idemKey);
    if (replay && replay.expiresAt > options.now) return this.withinAckTimeout(replay.ack);
    if (s.meta.status !== 'IN_PROGRESS')
      throw new AppError('SESSION_CLOSED', 'This session has been submitted');
    if (!saveAllowed(options.now, s.meta.endsAt, options.graceMs))
      throw new AppError('TIME_UP', 'Time is up for this session');

    const previous = answers.map((a) => s.answers.get(a.questionId));
    const rows: AnswerRow[] = answers.map((a) => {
      s.meta.seq += 1;
      const saved: SavedAnswer = {
        answer: a.answer,
        seq: s.meta.seq,
        savedAt: options.now,
        clientTs: a.clientTs ?? null,
      };
      s.answers.set(a.questionId, saved);
      return { sessionId, questionId: a.questionId, ...saved };
    });
    s.meta.answeredCount = countAnswered(s.answers);
    s.meta.lastActivityAt = options.now;
    s.touchedAt = options.now;
    const commit = this.committer.enqueue(rows, options.now);
    // Settled either way: a write set aside must not hold a later submit hostage.
    s.lastCommit = commit.catch(() => undefined);
    const ack = commit.then(
      (): SaveAck => ({ saved: answers.length, savedAt: options.now }),
      (err: unknown) => {
        if (!(err instanceof RefusedForGood)) throw err;
        // Never acknowledged, so never kept: RAM goes back to what PostgreSQL has, unless a later save already replaced it.
        rows.forEach((row, i) => {
          if (s.answers.get(row.questionId)?.seq !== row.seq) return;
          const before = previous[i];
          if (before) s.answers.set(row.questionId, before);
          else s.answers.delete(row.questionId);
        });
        s.meta.answeredCount = countAnswered(s.answers);
        throw new AppError(
          'VALIDATION_FAILED',
          'answer: the database refused to store this answer; it was not saved',
        );
      },
    );
    if (idemKey !== undefined)
      this.saveKeys.set(idemKey, { ack, expiresAt: options.now + IDEMPOTENCY_TTL_MS });
    return this.withinAckTimeout(ack);
  }

  async identity(sessionId: string): Promise<SessionIdentity | null> {
    const s = await this.hot(sessionId);
    return s ? { examId: s.meta.examId, studentId: s.meta.studentId } : null;
  }

  async submit(sessionId: string, options: SubmitOptions): Promise<SubmitOutcome> {
    const s = await this.hot(sessionId);
    if (!s) throw new AppError('NOT_FOUND', 'No such session');
    if (s.meta.status === 'IN_PROGRESS') {
      if (options.onlyIfDue && !isExpired(options.now, s.meta.endsAt, options.onlyIfDue.graceMs)) {
        throw new AppError('CONFLICT', 'The session is not due yet');
      }
      // The freeze itself is synchronous: saves checked after this line are refused.
      s.meta.status = 'SUBMITTED';
      s.meta.submittedAt = options.now;
      s.meta.submitReason = options.reason;
      s.touchedAt = options.now;
      const lastCommit = s.lastCommit;
      s.submitWrite = lastCommit.then(() =>
        this.db.markSubmitted(sessionId, options.now, options.reason),
      );
      await this.durable(s.submitWrite);
      return { firstSubmit: true, ...snapshot(s), result: null };
    }
    await s.lastCommit;
    await s.submitWrite?.catch(() => undefined);
    return { firstSubmit: false, ...snapshot(s), result: s.meta.result };
  }

  async recordResult(sessionId: string, result: SessionResult): Promise<SessionResult> {
    const s = await this.hot(sessionId);
    if (!s) throw new AppError('NOT_FOUND', 'No such session');
    if (s.meta.status === 'IN_PROGRESS')
      throw new AppError('CONFLICT', 'The session has not been submitted');
    if (s.meta.result) return s.meta.result;
    s.recording ??= (async () => {
      try {
        const winner = await this.durable(
          this.db.recordResult(sessionId, result, s.meta.submitReason ?? 'STUDENT'),
        );
        s.meta.result = winner;
        s.meta.status = winner.status;
        return winner;
      } finally {
        s.recording = undefined;
      }
    })();
    return s.recording;
  }

  async extend(sessionId: string, endsAt: number): Promise<SessionMeta> {
    const s = await this.hot(sessionId);
    if (!s) throw new AppError('NOT_FOUND', 'No such session');
    if (s.meta.status !== 'IN_PROGRESS')
      throw new AppError('SESSION_CLOSED', 'This session has been submitted');
    // Applied at once (so a racing sweeper sees the new deadline), undone if it cannot be stored.
    const previous = s.meta.endsAt;
    s.meta.endsAt = endsAt;
    try {
      await this.durable(this.db.setEndsAt(sessionId, endsAt));
    } catch (err) {
      if (s.meta.endsAt === endsAt) s.meta.endsAt = previous;
      throw err;
    }
    return { ...s.meta };
  }

  async evictSession(sessionId: string): Promise<void> {
    const s = this.sessions.get(sessionId);
    if (!s) return;
    if (s.meta.status === 'IN_PROGRESS')
      throw new AppError('CONFLICT', 'A session in progress cannot be evicted');
    this.forget(s);
  }

  async dueForExpiry(now: number, graceMs: number, limit: number): Promise<string[]> {
    const due: SessionMeta[] = [];
    for (const s of this.sessions.values()) {
      if (s.meta.status === 'IN_PROGRESS' && isExpired(now, s.meta.endsAt, graceMs))
        due.push(s.meta);
    }
    return due
      .sort((a, b) => a.endsAt - b.endsAt)
      .slice(0, limit)
      .map((m) => m.id);
  }

  // ── Idempotency records ────────────────────────────────────────────────────────────

  async getIdempotent(key: string): Promise<unknown> {
    const r = this.records.get(key);
    if (!r || r.expiresAt <= Date.now()) return null;
    return r.value;
  }

  async putIdempotent(key: string, value: unknown, ttlMs: number): Promise<unknown> {
    const r = this.records.get(key);
    if (r && r.expiresAt > Date.now()) return r.value;
    this.records.set(key, { value, expiresAt: Date.now() + ttlMs });
    return value;
  }

  // ── Side traffic ───────────────────────────────────────────────────────────────────

  async recordEvents(events: SessionEvent[]): Promise<void> {
    this.events.push(...events);
    if (this.events.length >= 500) void this.writeEvents();
  }

  // ── Operations ─────────────────────────────────────────────────────────────────────

  async persistLag(): Promise<PersistLag> {
    const { pending, oldestAt } = this.committer.lag();
    return {
      pending: pending + this.events.length,
      oldestMs: oldestAt === null ? 0 : Math.max(0, Date.now() - oldestAt),
    };
  }

  async flush(): Promise<void> {
    await this.committer.flush();
    await this.writeEvents();
  }

  async close(): Promise<void> {
    clearInterval(this.housekeeping);
    clearInterval(this.eventTimer);
    await this.flush();
  }

  // ── Internals ──────────────────────────────────────────────────────────────────────

  /** The hot session, rebuilt from PostgreSQL on a miss (one load per id at a time). */
  private async hot(sessionId: string): Promise<HotSession | null> {
    const hit = this.sessions.get(sessionId);
    if (hit) return hit;
    let load = this.loading.get(sessionId);
    if (!load) {
      load = this.db.loadSession(sessionId).then((state) => (state ? this.adopt(state) : null));
      this.loading.set(sessionId, load);
      void load.finally(() => this.loading.delete(sessionId)).catch(() => undefined);
    }
    return load;
  }

  private adopt(state: SessionState): HotSession {
    const existing = this.sessions.get(state.meta.id);
    if (existing) return existing;
    const s: HotSession = {
      meta: { ...state.meta },
      answers: new Map(Object.entries(state.answers)),
      lastCommit: Promise.resolve(),
      submitWrite: undefined,
      recording: undefined,
      touchedAt: Date.now(),
    };
    this.sessions.set(s.meta.id, s);
    this.byStudent.set(`${s.meta.examId}/${s.meta.studentId}`, s.meta.id);
    return s;
  }

  private forget(s: HotSession): void {
    this.sessions.delete(s.meta.id);
    this.byStudent.delete(`${s.meta.examId}/${s.meta.studentId}`);
  }

  private withinAckTimeout<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new AppError('UNAVAILABLE', 'Storing took too long; retry')),
        this.ackTimeoutMs,
      );
    });
    return Promise.race([p, late]).finally(() => clearTimeout(timer));
  }

  /** A write-through that PostgreSQL refused surfaces as UNAVAILABLE, never as a 500 with SQL in it. */
  private async durable<T>(p: Promise<T>): Promise<T> {
    try {
      return await this.withinAckTimeout(p);
    } catch (err) {
      if (err instanceof AppError) throw err;
      this.options.onError?.(err, 'write-through');
      throw new AppError('UNAVAILABLE', 'The database is not answering; retry');
    }
  }

  private async writeEvents(): Promise<void> {
    // One write at a time; a caller that finds one running waits for it and then writes what
    // arrived meanwhile, so flush() never returns with events still buffered.
    while (this.eventsWrite) await this.eventsWrite;
    if (this.events.length === 0) return;
    const batch = this.events;
    this.events = [];
    this.eventsWrite = this.db.insertEvents(batch).then(
      () => undefined,
      (err: unknown) => {
        // Signals are evidence, not answers: retried on the next tick, never blocking saves.
        this.events = [...batch, ...this.events];
        this.options.onError?.(err, 'session events');
      },
    );
    try {
      await this.eventsWrite;
    } finally {
      this.eventsWrite = undefined;
    }
  }

  private sweepRam(now: number): void {
    for (const s of this.sessions.values()) {
      if (s.meta.result && !s.recording && now - s.touchedAt > this.idleEvictMs) this.forget(s);
    }
    for (const [k, v] of this.saveKeys) if (v.expiresAt <= now) this.saveKeys.delete(k);
    for (const [k, v] of this.records) if (v.expiresAt <= now) this.records.delete(k);
  }
}

function countAnswered(answers: Map<string, SavedAnswer>): number {
  let n = 0;
  for (const a of answers.values()) if (isAnswered(a.answer)) n += 1;
  return n;
}

/** Callers get copies: nothing outside can mutate the hot state. Saved answers are immutable. */
function snapshot(s: HotSession): SessionState {
  return { meta: { ...s.meta }, answers: Object.fromEntries(s.answers) };
}
