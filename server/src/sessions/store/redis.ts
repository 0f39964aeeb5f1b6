import type { Redis } from 'ioredis';
import { AppError } from '../../platform/errors.js';
import { createSessionPersistence, isAnswered, type SessionPersistence } from './durable.repo.js';
import {
  IDEMPOTENCY_TTL_MS,
  type AnswerWrite,
  type CachedExam,
  type SessionStore,
  type NewSession,
  type PersistLag,
  type SaveAck,
  type SaveOptions,
  type SessionEvent,
  type SessionIdentity,
  type SessionMeta,
  type SessionResult,
  type SessionState,
  type SubmitOptions,
  type SubmitOutcome,
} from './types.js';
import type { Sql } from '../../platform/postgres.js';
import { clientTsArg, encodeAnswerRecord, eventFields, metaToFields } from './redis-codec.js';
import { ExamCache } from './exam-cache.js';
import type { RedisKeys } from '../../platform/redis/keys.js';
import type { PersistWatch } from '../../platform/redis/persist-watch.js';
import type { Bus } from '../../platform/bus/index.js';
import {
  createScripts,
  ScriptError,
  ScriptRefusal,
  type Scripts,
} from '../../platform/redis/scripts.js';
import { createSessionScripts, refusalError, type SessionScripts } from './redis-scripts.js';
import { FinalWrites } from './final-writes.js';

export interface RedisSessionStoreDeps {
  redis: Redis;
  keys: RedisKeys;
  bus: Bus;
  watch: PersistWatch;
  sql: Sql;
  /** how long a result or an extension waits to reach PostgreSQL */
  writeThroughTimeoutMs?: number;
  onError?: (err: unknown, what: string) => void;
  /** observes each batched final write: sessions written, seconds taken */
  onFinalWrite?: (sessions: number, seconds: number) => void;
}

/**
 * The production hot store: sessions live in Redis, every multi-step change is one Lua
 * script that also appends to the shard's durable log, and LogWriter drains the log into
 * PostgreSQL. A save is acknowledged once its script ran (durable as Redis's AOF/replicas
 * are: see README, "Durability and Redis"). A session's start is inserted directly; its
 * end — the recorded result, with the frozen answers — is written directly too, batched
 * with the other submits of the moment (FinalWrites), so a submit never waits for the log's
 * backlog; an extension waits until the writer has committed its entry.
 * Sessions missing from Redis are rebuilt from PostgreSQL on first access.
 */
export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis';
  private readonly db: SessionPersistence;
  private readonly exams: ExamCache;
  private readonly rebuilding = new Map<string, Promise<SessionState | null>>();
  private readonly timeoutMs: number;
  private readonly scripts: SessionScripts;
  private readonly platformScripts: Scripts;
  private readonly finals: FinalWrites;
  private closed = false;

  constructor(private readonly deps: RedisSessionStoreDeps) {
    this.db = createSessionPersistence(deps.sql);
    this.exams = new ExamCache(deps.redis, deps.keys, deps.bus);
    this.timeoutMs = deps.writeThroughTimeoutMs ?? 10_000;
    this.scripts = createSessionScripts(deps.redis, deps.keys);
    this.platformScripts = createScripts(deps.redis, deps.keys);
    this.finals = new FinalWrites(deps.sql, {
      timeoutMs: this.timeoutMs,
      onError: (err) => deps.onError?.(err, 'final write'),
      ...(deps.onFinalWrite ? { onCommit: deps.onFinalWrite } : {}),
    });
  }

  // ── Exam cache ──────────────────────────────────────────────────────────────────────

  async putExam(entry: CachedExam): Promise<void> {
    await this.guarded('exam cache', () => this.exams.put(entry));
  }

  async getExam(examId: string): Promise<CachedExam | null> {
    return this.guarded('exam cache', () => this.exams.get(examId));
  }

  async dropExam(examId: string): Promise<void> {
    await this.guarded('exam cache', () => this.exams.drop(examId));
  }

  // ── Sessions ────────────────────────────────────────────────────────────────────────

  async createSession(input: NewSession): Promise<{ session: SessionState; created: boolean }> {
    const { redis, keys } = this.deps;
    const { scripts } = this;
    const indexed = await this.guarded('session index', () =>
      redis.hget(keys.sessionIndex(input.examId), input.studentId),
    );
    const resumed = indexed ? await this.getSession(indexed) : null;
    if (resumed) return { session: resumed, created: false };

    // PostgreSQL's UNIQUE (exam_id, student_id) decides between racing starts on any
    // process; the row exists before any log entry of the session can reach the writer.
    const { meta, created } = await this.guarded('create session', () =>
      this.db.insertSession(input),
    );
    const session = created
      ? (
          await this.guarded('create session', () =>
            scripts.loadSession(meta.id, metaToFields(meta), {}),
          )
        ).state
      : await this.getSession(meta.id);
    if (!session) throw new AppError('NOT_FOUND', 'The session disappeared');
    await this.remember(session.meta);
    return { session, created };
  }

  async getSession(sessionId: string): Promise<SessionState | null> {
    const hot = await this.guarded('read session', () => this.scripts.readSession(sessionId));
    return hot ?? this.rebuild(sessionId);
  }

  async sessionIdFor(examId: string, studentId: string): Promise<string | null> {
    const indexed = await this.guarded('session index', () =>
      this.deps.redis.hget(this.deps.keys.sessionIndex(examId), studentId),
    );
    return (
      indexed ??
      (await this.guarded('session index', () => this.db.sessionIdFor(examId, studentId)))
    );
  }

  async saveAnswers(
    sessionId: string,
    answers: AnswerWrite[],
    options: SaveOptions,
  ): Promise<SaveAck> {
    return this.onHotSession(sessionId, 'save', () =>
      this.scripts.saveAnswers({
        sessionId,
        now: options.now,
        graceMs: options.graceMs,
        idempotencyKey: options.idempotencyKey,
        idempotencyTtlMs: IDEMPOTENCY_TTL_MS,
        studentId: options.studentId,
        answers: answers.map((a) => ({
          questionId: a.questionId,
          answerJson: JSON.stringify(a.answer),
          clientTs: clientTsArg(a.clientTs),
          answered: isAnswered(a.answer),
        })),
      }),
    );
  }

  async identity(sessionId: string): Promise<SessionIdentity | null> {
    const [examId, studentId] = await this.guarded('read session', () =>
      this.deps.redis.hmget(this.deps.keys.sessionMeta(sessionId), 'examId', 'studentId'),
    );
    if (examId && studentId) return { examId, studentId };
    // Not hot: rebuilt from PostgreSQL like any other first access.
    const state = await this.getSession(sessionId);
    return state ? { examId: state.meta.examId, studentId: state.meta.studentId } : null;
  }

  async submit(sessionId: string, options: SubmitOptions): Promise<SubmitOutcome> {
    const outcome = await this.onHotSession(sessionId, 'submit', () =>
      this.scripts.submit({
        sessionId,
        now: options.now,
        reason: options.reason,
        onlyIfDueGraceMs: options.onlyIfDue?.graceMs,
      }),
    );
    // The freeze is in Redis (no save can land any more) and in the log behind this
    // session's saves. PostgreSQL gets the finished session in one final write once the
    // result is recorded (recordResult), not by waiting for the shard's backlog here; a
    // result recorded already is made sure of, so whatever a caller is shown is durable.
    const { meta, answers } = outcome.state;
    if (meta.result) await this.writeFinal(outcome.state, outcome.lastLog);
    return { firstSubmit: outcome.firstSubmit, meta, answers, result: meta.result };
  }

  async recordResult(sessionId: string, result: SessionResult): Promise<SessionResult> {
    const recorded = await this.onHotSession(sessionId, 'record result', () =>
      this.scripts.recordResult({
        sessionId,
        resultJson: JSON.stringify(result),
        status: result.status,
      }),
    );
    // Also when another caller won: its final write may have timed out.
    await this.writeFinal(recorded.state, recorded.lastLog);
    return JSON.parse(recorded.resultJson) as SessionResult;
  }

  async extend(sessionId: string, endsAt: number): Promise<SessionMeta> {
    const moved = await this.onHotSession(sessionId, 'extend', () =>
      this.scripts.extend({ sessionId, endsAt, expectEndsAt: undefined }),
    );
    try {
      await this.persisted(sessionId, moved.lastLog);
    } catch (err) {
      // Like the memory store: an extension PostgreSQL did not take is undone (unless a
      // newer one moved the deadline meanwhile), so the caller may simply try again.
      await this.scripts
        .extend({ sessionId, endsAt: moved.previousEndsAt, expectEndsAt: endsAt })
        .catch((undoErr: unknown) => this.deps.onError?.(undoErr, 'undo extension'));
      throw err;
    }
    return moved.meta;
  }

  async evictSession(sessionId: string): Promise<void> {
    const { redis, keys } = this.deps;
    const { scripts } = this;
    const lastLog = await this.guarded('evict', () =>
      redis.hget(keys.sessionMeta(sessionId), 'lastLog'),
    );
    if (lastLog) await this.persisted(sessionId, lastLog);
    try {
      await scripts.evictSession(sessionId);
    } catch (err) {
      if (err instanceof ScriptRefusal) {
        throw refusalError(
          err,
          err.code === ScriptError.Conflict ? 'A session in progress cannot be evicted' : undefined,
        );
      }
      throw this.unavailable(err, 'evict');
    }
  }

  async dueForExpiry(now: number, graceMs: number, limit: number): Promise<string[]> {
    const { redis, keys } = this.deps;
    // Expired means now > endsAt + grace, i.e. endsAt < now - grace (exclusive bound).
    const perShard = await this.guarded('due sessions', () =>
      Promise.all(
        keys
          .allShards()
          .map((s) =>
            redis.zrangebyscore(
              keys.due(s),
              '-inf',
              `(${now - graceMs}`,
              'WITHSCORES',
              'LIMIT',
              0,
              limit,
            ),
          ),
      ),
    );
    const due: { id: string; endsAt: number }[] = [];
    for (const flat of perShard)
      for (let i = 0; i + 1 < flat.length; i += 2)
        due.push({ id: flat[i]!, endsAt: Number(flat[i + 1]) });
    return due
      .sort((a, b) => a.endsAt - b.endsAt)
      .slice(0, limit)
      .map((d) => d.id);
  }

  // ── Idempotency records ────────────────────────────────────────────────────────────

  async getIdempotent(key: string): Promise<unknown> {
    const json = await this.guarded('idempotency', () =>
      this.deps.redis.get(this.deps.keys.idempotent(key)),
    );
    return json === null ? null : (JSON.parse(json) as unknown);
  }

  async putIdempotent(key: string, value: unknown, ttlMs: number): Promise<unknown> {
    const stored = await this.guarded('idempotency', () =>
      this.platformScripts.putIdempotent(key, JSON.stringify(value ?? null), ttlMs),
    );
    return JSON.parse(stored) as unknown;
  }

  // ── Side traffic ───────────────────────────────────────────────────────────────────

  async recordEvents(events: SessionEvent[]): Promise<void> {
    const { redis, keys } = this.deps;
    // Each event goes to its session's shard, so it is applied after the session's row.
    await this.guarded('session events', () =>
      Promise.all(
        events.map((e) => redis.xadd(keys.log(keys.shardOf(e.sessionId)), '*', ...eventFields(e))),
      ),
    );
  }

  // ── Operations ─────────────────────────────────────────────────────────────────────

  async persistLag(): Promise<PersistLag> {
    return this.deps.watch.lag();
  }

  async flush(): Promise<void> {
    await this.finals.flush();
    await this.deps.watch.drain();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    this.exams.close();
  }

  // ── Internals ──────────────────────────────────────────────────────────────────────

  /**
   * Runs a session script; when the session is not hot (Redis restarted without its data,
   * or it was evicted) rebuilds it from PostgreSQL and runs the script once more.
   */
  private async onHotSession<T>(
    sessionId: string,
    what: string,
    run: () => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await run();
      } catch (err) {
        if (!(err instanceof ScriptRefusal)) throw this.unavailable(err, what);
        if (err.code !== ScriptError.NotFound || attempt > 0) throw refusalError(err);
        if (!(await this.rebuild(sessionId))) throw refusalError(err);
      }
    }
  }

  /** One rebuild per session at a time in this process; loadSession-3 guards across processes. */
  private rebuild(sessionId: string): Promise<SessionState | null> {
    let pending = this.rebuilding.get(sessionId);
    if (!pending) {
      pending = (async () => {
        const durable = await this.guarded('rebuild session', () => this.db.loadSession(sessionId));
        if (!durable) return null;
        const answers: Record<string, string> = {};
        for (const [questionId, saved] of Object.entries(durable.answers))
          answers[questionId] = encodeAnswerRecord(saved);
        const { state } = await this.guarded('rebuild session', () =>
          this.scripts.loadSession(sessionId, metaToFields(durable.meta), answers),
        );
        await this.remember(state.meta);
        return state;
      })();
      this.rebuilding.set(sessionId, pending);
      void pending.finally(() => this.rebuilding.delete(sessionId)).catch(() => undefined);
    }
    return pending;
  }

  private async remember(meta: SessionMeta): Promise<void> {
    await this.guarded('session index', () =>
      this.deps.redis.hset(this.deps.keys.sessionIndex(meta.examId), meta.studentId, meta.id),
    );
  }

  /**
   * The finished session in PostgreSQL: directly, batched (FinalWrites); if PostgreSQL
   * refuses its content for good, through the log, whose writer sets the bad entry aside.
   */
  private async writeFinal(state: SessionState, lastLog: string): Promise<void> {
    const outcome = await this.guarded('final write', () => this.finals.write(state));
    if (outcome === 'refused') await this.persisted(state.meta.id, lastLog);
  }

  private async persisted(sessionId: string, lastLog: string): Promise<void> {
    await this.deps.watch.until(this.deps.keys.shardOf(sessionId), lastLog, this.timeoutMs);
  }

  /**
   * Redis or PostgreSQL trouble surfaces as UNAVAILABLE (the client retries with its
   * idempotency key), never as a 500 with internals in it; refusals pass through.
   */
  private async guarded<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw this.unavailable(err, what);
    }
  }

  private unavailable(err: unknown, what: string): AppError {
    if (err instanceof AppError) return err;
    this.deps.onError?.(err, what);
    return new AppError('UNAVAILABLE', 'The exam store is not answering; retry');
  }
}
