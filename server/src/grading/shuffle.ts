import type { PublishedExam } from '../../../contracts/published-exam.js';

/** A new seed for a session: a 31-bit integer (fits exam_sessions.shuffle_seed and JS numbers). */
export function newSeed(random: () => number = Math.random): number {
  return Math.floor(random() * 0x7fffffff);
}

/** mulberry32: tiny, fast, and the same sequence everywhere for the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface SessionOrder {
  questionOrder: string[];
  /** questionId → option ids in display order; only when the exam shuffles options */
  optionOrders: Record<string, string[]>;
}

/**
 * The order one session sees, derived only from the exam and the seed, so it can be
 * recomputed (and is also stored). Option ids never change — only their order — so answers
 * always name original ids and grading ignores the shuffle.
 */
export function sessionOrder(
  exam: Pick<PublishedExam, 'questions' | 'shuffleQuestions' | 'shuffleOptions'>,
  seed: number,
): SessionOrder {
  const random = seededRandom(seed);
  const ids = exam.questions.map((q) => q.id);
  const questionOrder = exam.shuffleQuestions ? shuffled(ids, random) : ids;
  const optionOrders: Record<string, string[]> = {};
  if (exam.shuffleOptions) {
    for (const q of exam.questions) {
      if (q.options.length > 1)
        optionOrders[q.id] = shuffled(
          q.options.map((o) => o.id),
          random,
        );
    }
  }
  return { questionOrder, optionOrders };
}
