/**
 * The benchmark authored every question, so it knows the answer key and can re-grade each
 * session locally: the server's result must equal this pure function of (key, answers).
 * The rule mirrors the product's objective grading: a single-choice answer is right when
 * it is the correct option; a multi-choice answer when it is exactly the correct set (the
 * bench's exams never turn on partial credit).
 */
export type Answer = string | string[] | null;

export interface KeyedQuestion {
  id: string;
  kind: 'single' | 'multi';
  optionIds: string[];
  correct: string[];
  points: number;
}

export interface QuestionGrade {
  correct: boolean;
  points: number;
}

export interface Regrade {
  score: number;
  maxScore: number;
  gradedCount: number;
  perQuestion: Map<string, QuestionGrade>;
}

export function isCorrect(question: KeyedQuestion, answer: Answer | undefined): boolean {
  if (answer === null || answer === undefined) return false;
  if (question.kind === 'single')
    return typeof answer === 'string' && answer === question.correct[0];
  if (!Array.isArray(answer) || answer.length !== question.correct.length) return false;
  const chosen = new Set(answer);
  return chosen.size === answer.length && question.correct.every((id) => chosen.has(id));
}

export function regrade(
  questions: readonly KeyedQuestion[],
  answers: ReadonlyMap<string, Answer>,
): Regrade {
  const perQuestion = new Map<string, QuestionGrade>();
  let score = 0;
  let maxScore = 0;
  for (const q of questions) {
    const correct = isCorrect(q, answers.get(q.id));
    const points = correct ? q.points : 0;
    perQuestion.set(q.id, { correct, points });
    score += points;
    maxScore += q.points;
  }
  return { score, maxScore, gradedCount: questions.length, perQuestion };
}

/** Equality the way the server means it: a multi answer is a set, `null` and absent are both "no answer". */
export function sameAnswer(a: Answer | undefined, b: Answer | undefined): boolean {
  const aEmpty = a === null || a === undefined;
  const bEmpty = b === null || b === undefined;
  if (aEmpty || bEmpty) return aEmpty === bEmpty;
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((id) => set.has(id));
}

/** A cheap, well-mixed 32-bit hash (for deterministic answers: no per-save history to keep). */
export function mix32(x: number): number {
  let h = x | 0;
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  h = Math.imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The answer student `student` sends with its `seq`-th save. Deterministic, so the runner
 * can recompute any save's value at check time instead of remembering 300,000 of them;
 * about a quarter of single-choice and a third of
 * multi-choice answers come out right, so scores vary.
 */
export function answerFor(question: KeyedQuestion, student: number, seq: number): Answer {
  const h = mix32(student * 1_000_003 + seq * 7919 + 17);
  const options = question.optionIds;
  if (question.kind === 'single') return options[h % options.length] ?? null;
  // A third of the time the right set, otherwise a non-empty subset, in option order (what a
  // checkbox list sends): a random subset alone would almost never be right.
  if ((h >>> 8) % 3 === 0) return options.filter((id) => question.correct.includes(id));
  const mask = (h % ((1 << options.length) - 1)) + 1;
  return options.filter((_, i) => (mask & (1 << i)) !== 0);
}
