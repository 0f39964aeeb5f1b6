import type { AnswerKey } from '../../../contracts/published-exam.js';

/** An option id (single), option ids (multi), free text (text), or null (cleared). */
export type Answer = string | string[] | null;

export interface ResultBreakdownItem {
  questionId: string;
  /** null while a text answer waits for a teacher */
  correct: boolean | null;
  /** points awarded (0 while pending) */
  points: number;
  maxPoints: number;
  correctAnswer: string[];
  pending: boolean;
}

export interface GradeOptions {
  /** multi-answer questions earn partial credit instead of all-or-nothing */
  partialCredit: boolean;
}

export interface Grade {
  score: number;
  maxScore: number;
  percentage: number;
  gradedCount: number;
  pendingCount: number;
  breakdown: ResultBreakdownItem[];
}

/** Points are stored as numeric(…, 2): round once, here, so re-grading is bit-identical. */
export const roundPoints = (n: number) => Math.round(n * 100) / 100;

const isEmpty = (answer: Answer | undefined): boolean =>
  answer === undefined ||
  answer === null ||
  (Array.isArray(answer) ? answer.length === 0 : answer.trim() === '');

/**
 * Grades a session: a pure function of (answer key, answers), so a repeated or recovered
 * submit gives the identical result. Answers reference original option ids, so the
 * session's shuffled display order never matters here.
 *  * single: exact match;
 *  * multi: set equality, or with partial credit max(0, (right − wrong) / #correct) × points;
 *  * text: a non-empty answer waits for a teacher (pending, 0 points so far);
 *  * empty or missing answers score 0 (and are not pending).
 * The breakdown follows the key's (authored) order.
 */
export function gradeSession(
  key: AnswerKey,
  answers: Record<string, Answer>,
  options: GradeOptions,
): Grade {
  const breakdown = Object.entries(key).map(([questionId, entry]) =>
    gradeQuestion(questionId, entry, answers[questionId], options),
  );
  return summarize(breakdown);
}

export function summarize(breakdown: ResultBreakdownItem[]): Grade {
  const score = roundPoints(breakdown.reduce((sum, b) => sum + b.points, 0));
  const maxScore = roundPoints(breakdown.reduce((sum, b) => sum + b.maxPoints, 0));
  const pendingCount = breakdown.filter((b) => b.pending).length;
  return {
    score,
    maxScore,
    percentage: maxScore > 0 ? roundPoints((score / maxScore) * 100) : 0,
    gradedCount: breakdown.length - pendingCount,
    pendingCount,
    breakdown,
  };
}

function gradeQuestion(
  questionId: string,
  entry: AnswerKey[string],
  answer: Answer | undefined,
  options: GradeOptions,
): ResultBreakdownItem {
  const base = { questionId, maxPoints: entry.points, correctAnswer: entry.correct };
  if (isEmpty(answer)) return { ...base, correct: false, points: 0, pending: false };

  if (entry.kind === 'text') return { ...base, correct: null, points: 0, pending: true };

  if (entry.kind === 'single') {
    const right = typeof answer === 'string' && entry.correct.includes(answer);
    return { ...base, correct: right, points: right ? entry.points : 0, pending: false };
  }

  const picks = new Set(Array.isArray(answer) ? answer : [answer as string]);
  const correct = new Set(entry.correct);
  const rightPicks = [...picks].filter((p) => correct.has(p)).length;
  const wrongPicks = picks.size - rightPicks;
  const exact = wrongPicks === 0 && rightPicks === correct.size;
  if (exact) return { ...base, correct: true, points: entry.points, pending: false };
  const points =
    options.partialCredit && correct.size > 0
      ? roundPoints(Math.max(0, (rightPicks - wrongPicks) / correct.size) * entry.points)
      : 0;
  return { ...base, correct: false, points, pending: false };
}

/**
 * A teacher's points for one (text) answer applied to a recorded result: the answer stops
 * being pending and the totals are recomputed. Pure, so the service can run it inside the
 * row lock and store exactly what it computed.
 */
export function applyManualGrade(
  breakdown: ResultBreakdownItem[],
  questionId: string,
  points: number,
): Grade {
  const next = breakdown.map((b) =>
    b.questionId === questionId
      ? {
          ...b,
          points: roundPoints(points),
          pending: false,
          correct: roundPoints(points) >= b.maxPoints,
        }
      : b,
  );
  return summarize(next);
}
