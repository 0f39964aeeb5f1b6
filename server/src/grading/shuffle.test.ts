import { describe, expect, it } from 'vitest';
import type { AnswerKey, PublishedExam } from '../../../contracts/published-exam.js';
import { gradeSession } from './grade.js';
import { newSeed, sessionOrder } from './shuffle.js';

const questions: PublishedExam['questions'] = Array.from({ length: 12 }, (_, i) => ({
  id: `q${i}`,
  kind: 'single' as const,
  text: `Question ${i}`,
  options: ['A', 'B', 'C', 'D', 'E'].map((id) => ({ id, text: `${id} of ${i}` })),
  points: 1,
}));
const exam = { questions, shuffleQuestions: true, shuffleOptions: true };

describe('sessionOrder', () => {
  it('is a pure function of the seed', () => {
    expect(sessionOrder(exam, 42)).toEqual(sessionOrder(exam, 42));
    expect(sessionOrder(exam, 42).questionOrder).not.toEqual(sessionOrder(exam, 43).questionOrder);
  });

  it('permutes ids without losing or inventing any', () => {
    const order = sessionOrder(exam, newSeed());
    expect([...order.questionOrder].sort()).toEqual(questions.map((q) => q.id).sort());
    for (const q of questions)
      expect([...order.optionOrders[q.id]!].sort()).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('keeps the authored order when the exam does not shuffle', () => {
    const order = sessionOrder({ questions, shuffleQuestions: false, shuffleOptions: false }, 7);
    expect(order.questionOrder).toEqual(questions.map((q) => q.id));
    expect(order.optionOrders).toEqual({});
  });

  it('grading is right with shuffled options: answers name original ids', () => {
    const key: AnswerKey = Object.fromEntries(
      questions.map((q) => [q.id, { kind: 'single' as const, correct: ['C'], points: 1 }]),
    );
    const order = sessionOrder(exam, 12345);
    // The student sees options in session order and clicks the one reading "C of i".
    const answers = Object.fromEntries(
      order.questionOrder.map((qid) => {
        const q = questions.find((x) => x.id === qid)!;
        const displayed = order.optionOrders[qid]!.map((id) => q.options.find((o) => o.id === id)!);
        const clicked = displayed.find((o) => o.text.startsWith('C of'))!;
        return [qid, clicked.id];
      }),
    );
    const moved = questions.filter((q) => order.optionOrders[q.id]!.indexOf('C') !== 2);
    expect(moved.length).toBeGreaterThan(0);
    expect(gradeSession(key, answers, { partialCredit: false }).score).toBe(12);
  });
});
