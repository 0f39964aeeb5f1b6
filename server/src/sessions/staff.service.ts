import type { Logger } from 'pino';
import type { SessionReview, StaffResultView } from '../../../contracts/sessions.js';
import { canReadExam, canWrite, hasPermission } from '../auth/index.js';
import type { StaffPrincipal } from '../auth/index.js';
import { applyManualGrade, kindOf } from '../grading/index.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../platform/errors.js';
import type { CachedExam, SessionStore, SessionState } from './store/types.js';
import type { ExamCatalog } from './exam-catalog.js';
import { presentStaffResult } from './presenter.js';
import type { SessionsRepo } from './sessions.repo.js';
import type { Bus } from '../platform/bus/index.js';
import { SessionNoticeTopic, SessionScored } from './sessions.events.js';
import { scoredEvent } from './sessions.service.js';

/**
 * Staff tools on live sessions: extend a student's time, grade text answers, release
 * results. Access follows the exam: a session of an exam the staff member cannot see is
 * 404; one they can see but not manage is 403.
 */
export function createSessionStaffService(deps: {
  hotStore: SessionStore;
  catalog: ExamCatalog;
  repo: SessionsRepo;
  bus: Bus;
  logger: Pick<Logger, 'warn'>;
  now?: () => number;
}) {
  const { hotStore, catalog, repo, bus, logger } = deps;
  const now = deps.now ?? Date.now;

  async function sessionWithExam(
    staff: StaffPrincipal,
    sessionId: string,
  ): Promise<{ state: SessionState; cached: CachedExam }> {
    const state = await hotStore.getSession(sessionId);
    const cached = state ? await catalog.get(state.meta.examId) : null;
    if (!state || !cached || !canReadExam(staff, cached.live.authorId)) throw notFound('Session');
    return { state, cached };
  }

  return {
    /**
     * A student's paper with the key beside it, for the exam's readers (monitor, grading).
     * Points come from the recorded result; before submit nothing is awarded yet.
     */
    async review(staff: StaffPrincipal, sessionId: string): Promise<SessionReview> {
      const { state, cached } = await sessionWithExam(staff, sessionId);
      const { meta, answers } = state;
      const graded = new Map((meta.result?.breakdown ?? []).map((b) => [b.questionId, b]));
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
      const student = await repo.studentCard(meta.studentId);
      return {
        sessionId,
        examId: meta.examId,
        studentId: meta.studentId,
        studentName: student?.name ?? '',
        nisn: student?.nisn ?? '',
        className: student?.className ?? null,
        canGrade:
          hasPermission(staff, 'sessions:grade') && canWrite(staff, 'exams', cached.live.authorId),
        status: meta.status,
        startedAt: iso(meta.startedAt)!,
        endsAt: iso(meta.endsAt)!,
        submittedAt: iso(meta.submittedAt),
        score: meta.result?.score ?? null,
        maxScore: cached.exam.questions.reduce((sum, q) => sum + q.points, 0),
        pendingCount: meta.result?.pendingCount ?? 0,
        answers: cached.exam.questions.map((q, i) => {
          const item = graded.get(q.id);
          return {
            questionId: q.id,
            position: i + 1,
            kind: q.kind,
            text: q.text,
            options: q.options,
            answer: answers[q.id]?.answer ?? null,
            correctAnswer: cached.key[q.id]?.correct ?? [],
            maxPoints: q.points,
            awardedPoints: item && !item.pending ? item.points : null,
            pending: item?.pending ?? false,
          };
        }),
      };
    },

    /** Adds minutes to this session's deadline (may pass the scheduled end: the proctor decides). */
    async extend(staff: StaffPrincipal, sessionId: string, minutes: number) {
      const { state } = await sessionWithExam(staff, sessionId);
      if (state.meta.status !== 'IN_PROGRESS')
        throw new AppError('SESSION_CLOSED', 'This session has been submitted');
      const meta = await hotStore.extend(sessionId, state.meta.endsAt + minutes * 60_000);
      await bus
        .publish(SessionNoticeTopic, {
          type: 'time',
          sessionId,
          studentId: meta.studentId,
          endsAt: meta.endsAt,
        })
        .catch((err: unknown) =>
          logger.warn({ err, sessionId }, 'could not announce an extension'),
        );
      return {
        sessionId,
        endsAt: new Date(meta.endsAt).toISOString(),
        serverNow: new Date(now()).toISOString(),
      };
    },

    /**
     * A teacher's points for a text answer. When the last pending answer is graded the
     * session becomes SCORED with its final score.
     */
    async grade(
      staff: StaffPrincipal,
      sessionId: string,
      questionId: string,
      points: number,
    ): Promise<StaffResultView> {
      const { state, cached } = await sessionWithExam(staff, sessionId);
      if (!canWrite(staff, 'exams', cached.live.authorId))
        throw forbidden('You may only grade your own exams');
      const entry = cached.key[questionId];
      if (!entry) throw notFound('Question in this exam');
      if (!kindOf(entry.kind).gradedByHand)
        throw conflict('Only written answers are graded by hand; choices are graded automatically');
      if (points > entry.points) throw invalid(`points must be between 0 and ${entry.points}`);
      if (state.meta.status === 'IN_PROGRESS')
        throw conflict('The session has not been submitted yet');
      const graded = await repo.gradeAnswer(
        { sessionId, questionId, points, staffId: staff.id },
        (current) => applyManualGrade(current.breakdown, questionId, points),
      );
      if (!graded) throw conflict('The session has not been graded yet; try again in a moment');
      const { result, version } = graded;
      // PostgreSQL now holds the new result; drop the hot copy so every reader sees it.
      await hotStore.evictSession(sessionId);
      if (result.status === 'SCORED') {
        await bus
          .publish(SessionScored, scoredEvent(sessionId, state.meta, result, version))
          .catch((err: unknown) => logger.warn({ err, sessionId }, 'could not announce a score'));
      }
      return presentStaffResult(sessionId, result);
    },

    /** For resultPolicy "manual": students see their scores from now on. */
    async releaseResults(staff: StaffPrincipal, examId: string) {
      const cached = await catalog.get(examId);
      if (!cached || !canReadExam(staff, cached.live.authorId)) throw notFound('Exam');
      if (!canWrite(staff, 'exams', cached.live.authorId))
        throw forbidden('You may only release results of your own exams');
      if (cached.exam.resultPolicy !== 'manual') {
        throw conflict(
          `This exam's results follow the policy "${cached.exam.resultPolicy}"; there is nothing to release`,
        );
      }
      const at = await repo.releaseResults(examId);
      if (!at) throw notFound('Exam');
      await catalog.examChanged(examId);
      return { examId, resultsReleasedAt: at.toISOString() };
    },
  };
}

export type SessionStaffService = ReturnType<typeof createSessionStaffService>;
