import { describe, expect, it } from 'vitest';
import type { AnswerKey } from '../../../contracts/published-exam.js';
import { applyManualGrade, gradeSession } from './grade.js';

const key: AnswerKey = {
  q1: { kind: 'single', correct: ['B'], points: 2 },
  q2: { kind: 'multi', correct: ['A', 'C'], points: 4 },
  q3: { kind: 'text', correct: [], points: 5 },
};

describe('gradeSession', () => {
  it('single: exact match only', () => {
    expect(gradeSession(key, { q1: 'B' }, { partialCredit: false }).breakdown[0]).toMatchObject({
      correct: true,
      points: 2,
    });
    expect(gradeSession(key, { q1: 'A' }, { partialCredit: false }).breakdown[0]).toMatchObject({
      correct: false,
      points: 0,
    });
    expect(gradeSession(key, { q1: ['B'] }, { partialCredit: false }).breakdown[0]).toMatchObject({
      correct: false,
      points: 0,
    });
  });

  it('multi all-or-nothing: set equality, order and duplicates do not matter', () => {
    const g = (a: string[]) => gradeSession(key, { q2: a }, { partialCredit: false }).breakdown[1];
    expect(g(['C', 'A'])).toMatchObject({ correct: true, points: 4 });
    expect(g(['A', 'C', 'A'])).toMatchObject({ correct: true, points: 4 });
    expect(g(['A'])).toMatchObject({ correct: false, points: 0 });
    expect(g(['A', 'B', 'C'])).toMatchObject({ correct: false, points: 0 });
  });

  it('multi partial credit: max(0, (right − wrong) / #correct) × points', () => {
    const g = (a: string[]) => gradeSession(key, { q2: a }, { partialCredit: true }).breakdown[1];
    expect(g(['A'])).toMatchObject({ correct: false, points: 2 });
    expect(g(['A', 'B'])).toMatchObject({ correct: false, points: 0 });
    expect(g(['A', 'B', 'C'])).toMatchObject({ correct: false, points: 2 });
    expect(g(['B', 'D'])).toMatchObject({ points: 0 });
    expect(g(['A', 'C'])).toMatchObject({ correct: true, points: 4 });
  });

  it('partial credit rounds to cents', () => {
    const k: AnswerKey = { q: { kind: 'multi', correct: ['A', 'B', 'C'], points: 1 } };
    expect(gradeSession(k, { q: ['A'] }, { partialCredit: true }).score).toBe(0.33);
  });

  it('text: a non-empty answer is pending; an empty one scores 0 and is not pending', () => {
    const pending = gradeSession(
      key,
      { q3: 'Photosynthesis needs light' },
      { partialCredit: false },
    );
    expect(pending.breakdown[2]).toMatchObject({ correct: null, points: 0, pending: true });
    expect(pending.pendingCount).toBe(1);
    const blank = gradeSession(key, { q3: '   ' }, { partialCredit: false });
    expect(blank.breakdown[2]).toMatchObject({ correct: false, pending: false });
    expect(blank.pendingCount).toBe(0);
  });

  it('empty, null and missing answers score 0', () => {
    const g = gradeSession(key, { q1: null, q2: [] }, { partialCredit: true });
    expect(g).toMatchObject({
      score: 0,
      maxScore: 11,
      percentage: 0,
      gradedCount: 3,
      pendingCount: 0,
    });
  });

  it('totals, percentage and the breakdown in key order with correct answers', () => {
    const g = gradeSession(key, { q1: 'B', q2: ['A', 'C'], q3: 'essay' }, { partialCredit: false });
    expect(g).toMatchObject({
      score: 6,
      maxScore: 11,
      percentage: 54.55,
      gradedCount: 2,
      pendingCount: 1,
    });
    expect(g.breakdown.map((b) => b.questionId)).toEqual(['q1', 'q2', 'q3']);
    expect(g.breakdown[1]!.correctAnswer).toEqual(['A', 'C']);
  });

  it('is deterministic: the same inputs give the identical result', () => {
    const answers = { q1: 'B', q2: ['A'], q3: 'x' };
    expect(gradeSession(key, answers, { partialCredit: true })).toEqual(
      gradeSession(key, answers, { partialCredit: true }),
    );
  });

  it('an exam with no points has percentage 0, not NaN', () => {
    expect(
      gradeSession(
        { q: { kind: 'single', correct: ['A'], points: 0 } },
        { q: 'A' },
        { partialCredit: false },
      ).percentage,
    ).toBe(0);
  });
});

describe('negative marking', () => {
  const marked = (answers: Record<string, string | string[]>, partialCredit = false) =>
    gradeSession(key, answers, { partialCredit, negativeMarking: 0.25 });

  it('a wrong objective answer loses that share of its points; right ones keep theirs', () => {
    const g = marked({ q1: 'A', q2: ['A', 'C'] });
    expect(g.breakdown[0]).toMatchObject({ correct: false, points: -0.5 });
    expect(g.breakdown[1]).toMatchObject({ correct: true, points: 4 });
    expect(g.score).toBe(3.5);
  });

  it('blanks and written answers are never penalized; a partly right answer is not either', () => {
    const g = marked({ q1: '', q3: 'An essay' }, true);
    expect(g.breakdown.map((b) => b.points)).toEqual([0, 0, 0]);
    expect(marked({ q2: ['A'] }, true).breakdown[1]).toMatchObject({ points: 2 });
    // Partial credit that comes to nothing earns 0 points, so it is marked down.
    expect(marked({ q2: ['A', 'B'] }, true).breakdown[1]).toMatchObject({ points: -1 });
  });

  it('the total never goes below 0, and off (0) changes nothing', () => {
    const g = marked({ q1: 'A', q2: ['B'] });
    expect(g.breakdown.map((b) => b.points)).toEqual([-0.5, -1, 0]);
    expect(g).toMatchObject({ score: 0, percentage: 0 });
    const off = gradeSession(
      key,
      { q1: 'A', q2: ['B'] },
      { partialCredit: false, negativeMarking: 0 },
    );
    expect(off.breakdown.map((b) => b.points)).toEqual([0, 0, 0]);
  });
});

describe('applyManualGrade', () => {
  it('settles a pending answer and recomputes the totals', () => {
    const first = gradeSession(
      key,
      { q1: 'B', q2: ['A', 'C'], q3: 'essay' },
      { partialCredit: false },
    );
    const graded = applyManualGrade(first.breakdown, 'q3', 3.5);
    expect(graded).toMatchObject({ score: 9.5, pendingCount: 0, gradedCount: 3 });
    expect(graded.breakdown[2]).toMatchObject({ pending: false, points: 3.5, correct: false });
    expect(applyManualGrade(first.breakdown, 'q3', 5).breakdown[2]).toMatchObject({
      correct: true,
    });
  });
});
