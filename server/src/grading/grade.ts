import type { AnswerKey } from '../../../contracts/published-exam.js';
import { kindOf, type Answer, type GivenAnswer, type KindGradeOptions } from './kinds/index.js';

export type { Answer } from './kinds/index.js';

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

export type GradeOptions = KindGradeOptions;

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

const isBlank = (answer: GivenAnswer): boolean =>
  Array.isArray(answer) ? answer.length === 0 : answer.trim() === '';

/**
 * Grades a session: a pure function of (answer key, answers), so a repeated or recovered
 * submit gives the identical result. Answers reference original option ids, so the
 * session's shuffled display order never matters here. Each kind grades its own answers
 * (grading/kinds/: single exact match, multi set equality or partial credit, text waits for
 * a teacher); empty or missing answers score 0 (and are not pending), whatever the kind.
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
  // Negative marking takes points off per question, but the total never goes below 0.
  const score = Math.max(0, roundPoints(breakdown.reduce((sum, b) => sum + b.points, 0)));
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
  if (answer === undefined || answer === null || isBlank(answer))
    return { ...base, correct: false, points: 0, pending: false };

  const { correct, credit, pending } = kindOf(entry.kind).grade(answer, entry, options);
  // Negative marking: only a wrong objective answer (0 earned, not waiting for a teacher);
  // a partly right one is not penalized, a blank never is (returned above).
  const penalty = options.negativeMarking ?? 0;
  if (!pending && credit === 0 && penalty > 0)
    return { ...base, correct, points: -roundPoints(penalty * entry.points), pending };
  return { ...base, correct, points: pointsFor(credit, entry.points), pending };
}

/** A full or nothing share keeps the key's points as they are; a part is rounded once. */
const pointsFor = (credit: number, points: number): number =>
  credit === 1 ? points : credit === 0 ? 0 : roundPoints(credit * points);

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
