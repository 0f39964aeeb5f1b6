import type {
  SessionResultView,
  SessionView,
  StaffResultView,
} from '../../../contracts/sessions.js';
import type { CachedExam, SessionMeta, SessionResult, SessionState } from './store/types.js';

/**
 * What a client may see. Questions are built field by field from an allow-list, so a
 * correct answer can never ride along; results show scores and correct answers only as
 * far as the exam's resultPolicy allows.
 */
const iso = (ms: number) => new Date(ms).toISOString();

export function presentSessionView(
  state: SessionState,
  cached: CachedExam,
  now: number,
): SessionView {
  const { meta } = state;
  const byId = new Map(cached.exam.questions.map((q) => [q.id, q]));
  const questions = meta.questionOrder.flatMap((qid) => {
    const q = byId.get(qid);
    if (!q) return [];
    const order = meta.optionOrders[qid];
    const options = order
      ? order.flatMap((oid) => q.options.filter((o) => o.id === oid))
      : q.options;
    return [
      {
        id: q.id,
        kind: q.kind,
        text: q.text,
        options: options.map((o) => ({ id: o.id, text: o.text })),
        points: q.points,
      },
    ];
  });
  const answers: SessionView['answers'] = {};
  for (const [qid, saved] of Object.entries(state.answers))
    if (saved.answer !== null) answers[qid] = saved.answer;
  return {
    sessionId: meta.id,
    examId: meta.examId,
    title: cached.exam.title,
    status: meta.status,
    startedAt: iso(meta.startedAt),
    endsAt: iso(meta.endsAt),
    serverNow: iso(now),
    submittedAt: meta.submittedAt === null ? null : iso(meta.submittedAt),
    questions,
    answers,
  };
}

/** Whether the student may see scores now, by the exam's resultPolicy. */
export function resultVisible(cached: CachedExam, now: number): boolean {
  switch (cached.exam.resultPolicy) {
    case 'immediate':
      return true;
    case 'after_close':
      return cached.live.status === 'CLOSED' || now >= cached.live.scheduledEnd;
    case 'manual':
      return cached.live.resultsReleasedAt !== null;
  }
}

/** When a hidden result will show; null when it waits for staff to release it. */
export function resultAvailableAt(cached: CachedExam, submittedAt: number): string | null {
  switch (cached.exam.resultPolicy) {
    case 'immediate':
      return iso(submittedAt);
    case 'after_close': {
      const closedAt = cached.live.closedAt === null ? Infinity : Date.parse(cached.live.closedAt);
      return iso(Math.min(closedAt, cached.live.scheduledEnd));
    }
    case 'manual':
      return cached.live.resultsReleasedAt;
  }
}

export function presentResult(
  meta: SessionMeta,
  result: SessionResult | null,
  cached: CachedExam,
  now: number,
): SessionResultView {
  const submittedAt = meta.submittedAt ?? result?.submittedAt ?? now;
  if (!result || !resultVisible(cached, now)) {
    return {
      sessionId: meta.id,
      status: 'SUBMITTED',
      submittedAt: iso(submittedAt),
      resultAvailableAt: resultAvailableAt(cached, submittedAt),
    };
  }
  return { sessionId: meta.id, ...scores(result), submittedAt: iso(submittedAt) };
}

export function presentStaffResult(sessionId: string, result: SessionResult): StaffResultView {
  return { sessionId, ...scores(result), submittedAt: iso(result.submittedAt) };
}

function scores(result: SessionResult) {
  return {
    status: result.status,
    score: result.score,
    maxScore: result.maxScore,
    percentage: result.percentage,
    gradedCount: result.gradedCount,
    pendingCount: result.pendingCount,
    breakdown: result.breakdown.map((b) => ({
      questionId: b.questionId,
      correct: b.correct,
      points: b.points,
      maxPoints: b.maxPoints,
      pending: b.pending,
      ...(b.correctAnswer.length > 0 ? { correctAnswer: [...b.correctAnswer] } : {}),
    })),
  };
}
