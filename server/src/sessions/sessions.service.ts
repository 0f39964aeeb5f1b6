import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type {
  MyExam,
  SaveAck,
  SessionResultView,
  SessionView,
  SignalType,
} from '../../../contracts/sessions.js';
import type { FailureCounter } from '../auth/index.js';
import type { StudentPrincipal } from '../auth/index.js';
import { isEligible } from '../grading/index.js';
import { gradeSession } from '../grading/index.js';
import { newSeed, sessionOrder } from '../grading/index.js';
import { sessionEndsAt, withinSchedule } from '../grading/index.js';
import { AppError, notFound } from '../platform/errors.js';
import {
  IDEMPOTENCY_TTL_MS,
  type Answer,
  type CachedExam,
  type SessionStore,
  type SessionMeta,
  type SessionResult,
  type SessionState,
  type SubmitReason,
  type SessionIdentity,
} from './store/types.js';
import type { Bus } from '../platform/bus/index.js';
import { checkAnswers, type AnswerInput } from './answer-rules.js';
import { SessionNoticeTopic, SessionScored, type SessionScoredEvent } from './sessions.events.js';
import type { ExamCatalog } from './exam-catalog.js';
import { presentResult, presentSessionView, resultVisible } from './presenter.js';
import type { SessionMetrics } from './session-metrics.js';
import type { SessionsRepo } from './sessions.repo.js';
import type { ResultRanks } from './ranks.types.js';

export interface SessionsDeps {
  hotStore: SessionStore;
  bus: Bus;
  catalog: ExamCatalog;
  repo: SessionsRepo;
  metrics: SessionMetrics;
  logger: Logger;
  saveGraceMs: number;
  /** Wrong entry-token guesses per student and exam (auth/login-limiter.ts, scope `entry`). */
  entryTokenFailures: FailureCounter;
  /** a scored result's live rank, when its exam has a board (results then carry it) */
  ranks?: ResultRanks;
  now?: () => number;
}

export type Transport = 'http' | 'ws';

const iso = (ms: number) => new Date(ms).toISOString();

/** The `session.scored` event of a recorded result. */
export function scoredEvent(
  sessionId: string,
  meta: Pick<SessionMeta, 'examId' | 'studentId'>,
  result: SessionResult,
  version = result.submittedAt,
): SessionScoredEvent {
  return {
    sessionId,
    examId: meta.examId,
    studentId: meta.studentId,
    score: result.score,
    maxScore: result.maxScore,
    percentage: result.percentage,
    submittedAt: iso(result.submittedAt),
    version,
  };
}

/** Session identities this process has seen, least recently used dropped first. They never change, so never go stale. */
class IdentityCache {
  private readonly entries = new Map<string, SessionIdentity>();
  constructor(private readonly max: number) {}

  get(sessionId: string): SessionIdentity | undefined {
    const hit = this.entries.get(sessionId);
    if (hit) {
      this.entries.delete(sessionId);
      this.entries.set(sessionId, hit);
    }
    return hit;
  }

  remember(sessionId: string, identity: SessionIdentity): void {
    if (this.entries.has(sessionId)) return;
    this.entries.set(sessionId, { examId: identity.examId, studentId: identity.studentId });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}

/**
 * The student flow (ARCHITECTURE.md, "Exam lifecycle"): start/resume, save, submit,
 * result, signals; and the one path that finishes a session, shared by the student's
 * submit and the expiry sweeper.
 */
export function createSessionsService(deps: SessionsDeps) {
  const { hotStore, catalog, repo, metrics, logger } = deps;
  const now = deps.now ?? Date.now;
  const identities = new IdentityCache(100_000);

  async function examOrNotFound(examId: string): Promise<CachedExam> {
    const cached = await catalog.get(examId);
    if (!cached) throw notFound('Exam');
    return cached;
  }

  /** The student's own session; someone else's is not visible (404), never 403. */
  async function ownSession(student: StudentPrincipal, sessionId: string): Promise<SessionState> {
    const state = await hotStore.getSession(sessionId);
    if (!state || state.meta.studentId !== student.id) throw notFound('Session');
    identities.remember(sessionId, state.meta);
    return state;
  }

  /**
   * Whose session and of which exam, for a save: from this process's memory once seen
   * (it never changes), so a save makes no read of the session before writing. The store
   * checks the owner again inside the save itself.
   */
  async function ownIdentity(
    student: StudentPrincipal,
    sessionId: string,
  ): Promise<SessionIdentity> {
    const identity = identities.get(sessionId) ?? (await hotStore.identity(sessionId));
    if (!identity || identity.studentId !== student.id) throw notFound('Session');
    identities.remember(sessionId, identity);
    return identity;
  }

  /**
   * A shown, SCORED result gains its live rank (API.md: rank follows the score's policy).
   * Leaderboards are an index beside the result: if it cannot answer, the result goes
   * out without a rank rather than not at all.
   */
  async function withRank(
    view: SessionResultView,
    sessionId: string,
    meta: SessionMeta,
    result: SessionResult | null | undefined,
  ): Promise<SessionResultView> {
    if (!deps.ranks || !result || result.status !== 'SCORED' || view.score === undefined)
      return view;
    try {
      const rank = await deps.ranks.rankOf(scoredEvent(sessionId, meta, result));
      return rank ? { ...view, ...rank } : view;
    } catch (err) {
      logger.warn({ err, sessionId }, 'could not rank a result; it goes out without one');
      return view;
    }
  }

  async function resumeView(sessionId: string, cached: CachedExam): Promise<SessionView> {
    const state = await hotStore.getSession(sessionId);
    if (!state) throw notFound('Session');
    return presentSessionView(state, cached, now());
  }

  /**
   * Freezes, grades in RAM and records exactly once. Safe to call any number of times and
   * from any process: a later call finds the frozen answers (and usually the result) and
   * re-grading the same answers gives the same result.
   */
  async function finish(
    sessionId: string,
    reason: SubmitReason,
    onlyIfDue = false,
  ): Promise<{ meta: SessionMeta; result: SessionResult }> {
    const outcome = await hotStore.submit(sessionId, {
      reason,
      now: now(),
      ...(onlyIfDue ? { onlyIfDue: { graceMs: deps.saveGraceMs } } : {}),
    });
    let result = outcome.result;
    if (!result) {
      const cached = await examOrNotFound(outcome.meta.examId);
      const answers: Record<string, Answer> = {};
      for (const [qid, saved] of Object.entries(outcome.answers)) answers[qid] = saved.answer;
      const grade = gradeSession(cached.key, answers, {
        partialCredit: cached.exam.partialCredit,
        negativeMarking: cached.exam.negativeMarking ?? 0,
      });
      result = await hotStore.recordResult(sessionId, {
        ...grade,
        status: grade.pendingCount > 0 ? 'PENDING_REVIEW' : 'SCORED',
        submittedAt: outcome.meta.submittedAt ?? now(),
      });
    }
    if (outcome.firstSubmit) {
      metrics.submits.inc({ reason });
      const m = outcome.meta;
      logger.info(
        { sessionId, examId: m.examId, reason, status: result.status },
        'session submitted',
      );
      // Other tabs and devices of this student learn the session is over; leaderboards and
      // analytics learn of the score. Both are announcements: the result is in PostgreSQL.
      const announced = [
        deps.bus.publish(SessionNoticeTopic, {
          type: 'closed',
          sessionId,
          studentId: m.studentId,
          reason: reason === 'TIME_UP' ? 'TIME_UP' : 'SUBMITTED',
        }),
        ...(result.status === 'SCORED'
          ? [deps.bus.publish(SessionScored, scoredEvent(sessionId, m, result))]
          : []),
      ];
      await Promise.all(announced).catch((err: unknown) =>
        logger.warn({ err, sessionId }, 'could not announce the end of a session'),
      );
    }
    return { meta: { ...outcome.meta, status: result.status, result }, result };
  }

  return {
    finish,

    // ── For the leaderboards feature (wired in context.ts) ──

    /** The student's own session of the exam: its status, or null when there is none. */
    async sessionStatus(examId: string, studentId: string): Promise<string | null> {
      const sessionId = await hotStore.sessionIdFor(examId, studentId);
      if (!sessionId) return null;
      return (await hotStore.getSession(sessionId))?.meta.status ?? null;
    },

    /** Whether the exam's result policy shows students their scores now. */
    async resultsShown(examId: string): Promise<boolean> {
      const cached = await catalog.get(examId);
      return cached ? resultVisible(cached, now()) : false;
    },

    /** Every SCORED result of the exam in PostgreSQL, with where its student sits now. */
    async rankedResults(examId: string) {
      const rows = await repo.scoredResults(examId);
      return rows.map((r) => ({
        studentId: r.studentId,
        score: r.score,
        submittedAt: r.submittedAt.getTime(),
        version: r.version,
        classId: r.classId,
        gradeLevel: r.gradeLevel,
        majorCode: r.majorCode,
      }));
    },

    placements: (studentIds: readonly string[]) => repo.placements(studentIds),
    studentNames: (studentIds: readonly string[]) => repo.studentNames(studentIds),
    examStudents: (examId: string) => repo.examStudents(examId),

    /** Resolves once what was accepted so far reached PostgreSQL, or after `timeoutMs`. */
    async settled(timeoutMs = 10_000): Promise<void> {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        hotStore.flush(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
          timer.unref();
        }),
      ]).finally(() => clearTimeout(timer));
    },

    async myExams(student: StudentPrincipal): Promise<MyExam[]> {
      const placement = await repo.placement(student.id);
      if (!placement) return [];
      const rows = await repo.examsFor(placement);
      return rows.map((r) => ({
        id: r.id,
        title: r.title,
        scheduledStart: r.scheduledStart.toISOString(),
        scheduledEnd: r.scheduledEnd.toISOString(),
        durationMinutes: r.durationMinutes,
        questionCount: r.questionCount,
        myStatus: r.status ?? 'NOT_STARTED',
        ...(r.sessionId ? { sessionId: r.sessionId } : {}),
        leaderboard: r.leaderboardEnabled && r.leaderboardVisibility !== 'staff',
      }));
    },

    /**
     * Start, or resume if this student already has a session (no token asked again, at
     * any time: a crashed laptop at 09:58 must get back in). A new session needs the exam
     * PUBLISHED and inside its window, the student targeted, and the right token.
     */
    async start(
      student: StudentPrincipal,
      examId: string,
      entryToken: string | undefined,
    ): Promise<{ view: SessionView; created: boolean }> {
      const cached = await examOrNotFound(examId);
      // A session once started stays reachable, even if the student has moved class since.
      const existing = await hotStore.sessionIdFor(examId, student.id);
      if (existing) return { view: await resumeView(existing, cached), created: false };
      const placement = await repo.placement(student.id);
      if (!placement || !isEligible(cached.exam.targets, placement)) {
        throw new AppError('NOT_ELIGIBLE', 'This exam is not assigned to you');
      }

      const t = now();
      const { live } = cached;
      if (
        live.status !== 'PUBLISHED' ||
        !withinSchedule(t, live.scheduledStart, live.scheduledEnd)
      ) {
        throw new AppError(
          'EXAM_NOT_OPEN',
          live.status === 'CLOSED' ? 'This exam is closed' : 'This exam is not open now',
        );
      }
      // Guessing is limited per student and exam: the token is short and a whole hall knows it.
      const guesser = `${examId}:${student.id}`;
      const tooManyGuesses = (wait: number) =>
        new AppError('RATE_LIMITED', 'Too many wrong entry tokens; try again later', wait);
      const locked = await deps.entryTokenFailures.blockedFor(guesser);
      if (locked > 0) throw tooManyGuesses(locked);
      if (!entryToken || entryToken.trim().toUpperCase() !== live.entryToken.toUpperCase()) {
        await deps.entryTokenFailures.fail(guesser);
        const wait = await deps.entryTokenFailures.blockedFor(guesser);
        if (wait > 0) throw tooManyGuesses(wait);
        throw new AppError('BAD_ENTRY_TOKEN', 'The entry token is not right; ask your proctor');
      }
      const seed = newSeed();
      const order = sessionOrder(cached.exam, seed);
      const { session, created } = await hotStore.createSession({
        id: randomUUID(),
        examId,
        studentId: student.id,
        startedAt: t,
        endsAt: sessionEndsAt(t, cached.exam.durationMinutes, live.scheduledEnd),
        shuffleSeed: seed,
        ...order,
      });
      identities.remember(session.meta.id, session.meta);
      if (created)
        logger.info(
          { sessionId: session.meta.id, examId, studentId: student.id },
          'session started',
        );
      return { view: presentSessionView(session, cached, now()), created };
    },

    async view(student: StudentPrincipal, sessionId: string): Promise<SessionView> {
      const state = await ownSession(student, sessionId);
      return presentSessionView(state, await examOrNotFound(state.meta.examId), now());
    },

    async save(
      student: StudentPrincipal,
      sessionId: string,
      inputs: AnswerInput[],
      options: { idempotencyKey?: string | undefined; transport: Transport; batch: boolean },
    ): Promise<SaveAck> {
      const identity = await ownIdentity(student, sessionId);
      const cached = await examOrNotFound(identity.examId);
      const writes = checkAnswers(cached.exam, inputs, (i) =>
        options.batch ? `answers[${i}]` : 'body',
      );
      const ack = await hotStore.saveAnswers(sessionId, writes, {
        now: now(),
        graceMs: deps.saveGraceMs,
        idempotencyKey: options.idempotencyKey,
        studentId: student.id,
      });
      metrics.saves.inc({ transport: options.transport }, writes.length);
      return { saved: ack.saved, savedAt: iso(ack.savedAt) };
    },

    async submit(
      student: StudentPrincipal,
      sessionId: string,
      idempotencyKey?: string,
    ): Promise<SessionResultView> {
      const recordKey =
        idempotencyKey === undefined ? undefined : `submit:${sessionId}:${idempotencyKey}`;
      const own = await ownSession(student, sessionId);
      if (recordKey) {
        const remembered = await hotStore.getIdempotent(recordKey);
        // The rank is live: a remembered answer gets today's.
        if (remembered)
          return withRank(remembered as SessionResultView, sessionId, own.meta, own.meta.result);
      }
      const { meta, result } = await finish(sessionId, 'STUDENT');
      const view = presentResult(meta, result, await examOrNotFound(meta.examId), now());
      const stored = recordKey
        ? ((await hotStore.putIdempotent(recordKey, view, IDEMPOTENCY_TTL_MS)) as SessionResultView)
        : view;
      return withRank(stored, sessionId, meta, result);
    },

    async result(student: StudentPrincipal, sessionId: string): Promise<SessionResultView> {
      const { meta } = await ownSession(student, sessionId);
      if (meta.status === 'IN_PROGRESS') throw new AppError('CONFLICT', 'Submit the session first');
      // Frozen but not graded (a crash in between): grading now is what submit would do.
      const finished = meta.result
        ? { meta, result: meta.result }
        : await finish(sessionId, meta.submitReason ?? 'STUDENT');
      const view = presentResult(
        finished.meta,
        finished.result,
        await examOrNotFound(meta.examId),
        now(),
      );
      return withRank(view, sessionId, finished.meta, finished.result);
    },

    /** Anti-cheat signals: recorded off the answer path, batched by the hot store. */
    async signal(
      student: StudentPrincipal,
      sessionId: string,
      type: SignalType,
      at: string | undefined,
    ): Promise<void> {
      await ownSession(student, sessionId);
      const parsed = at === undefined ? NaN : Date.parse(at);
      await hotStore.recordEvents([{ sessionId, type, at: Number.isNaN(parsed) ? now() : parsed }]);
    },

    /**
     * Staff closed the exam: sessions still being written end now (reason STAFF), graded on
     * what was saved — a closed exam may already show results to others (after_close).
     */
    async endOpenSessions(examId: string): Promise<number> {
      const ids = await repo.openSessionIds(examId);
      let ended = 0;
      for (const id of ids) {
        try {
          await finish(id, 'STAFF');
          ended += 1;
        } catch (err) {
          logger.error({ err, sessionId: id, examId }, 'could not end a session of a closed exam');
        }
      }
      return ended;
    },

    /** The sweeper's entry: submit with reason TIME_UP if (still) due; quiet if extended meanwhile. */
    async expire(sessionId: string): Promise<boolean> {
      try {
        await finish(sessionId, 'TIME_UP', true);
        return true;
      } catch (err) {
        if (err instanceof AppError && (err.code === 'CONFLICT' || err.code === 'NOT_FOUND'))
          return false;
        throw err;
      }
    },
  };
}

export type SessionsService = ReturnType<typeof createSessionsService>;
