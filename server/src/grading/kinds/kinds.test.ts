import { describe, expect, it } from 'vitest';
import type { PublishedQuestion } from '../../../../contracts/published-exam.js';
import { QuestionKind } from '../../../../contracts/questions.js';
import { AppError } from '../../platform/errors.js';
import { isQuestionKind, kindOf, QUESTION_KINDS, type KindFields } from './index.js';

const options = [
  { id: 'A', text: '<p>2</p>' },
  { id: 'B', text: '<p>9</p>' },
  { id: 'C', text: '<p>13</p>' },
  { id: 'D', text: '<p>21</p>' },
];
const published = (kind: QuestionKind, opts = options): PublishedQuestion => ({
  id: 'q1',
  kind,
  text: '<p>?</p>',
  options: opts,
  points: 4,
});
const noCredit = { partialCredit: false };
const withCredit = { partialCredit: true };

/** The VALIDATION_FAILED message a call throws, or null when it passes. */
function refusal(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('VALIDATION_FAILED');
    return (err as AppError).message;
  }
}

describe('kind registry', () => {
  it('has rules for every kind of the contract, in its order, and nothing else', () => {
    expect(QUESTION_KINDS).toEqual(QuestionKind.anyOf.map((l) => l.const));
    for (const kind of QUESTION_KINDS) expect(kindOf(kind).kind).toBe(kind);
    expect(isQuestionKind('multi')).toBe(true);
    expect(isQuestionKind('truefalse')).toBe(false);
    expect(isQuestionKind('toString')).toBe(false);
  });

  it('only text is graded by hand', () => {
    expect(QUESTION_KINDS.filter((k) => kindOf(k).gradedByHand)).toEqual(['text']);
  });

  it('the presenter never lets the key ride along, whatever the stored row carries', () => {
    const row = {
      options,
      correct: ['A', 'C'],
      explanation: 'because',
      accepted: ['x'],
      correctValue: 3,
    } as KindFields;
    for (const kind of QUESTION_KINDS) {
      const shown = kindOf(kind).present(row, (html) => html);
      expect(Object.keys(shown)).toEqual(['options']);
      for (const o of shown.options) expect(Object.keys(o)).toEqual(['id', 'text']);
      const json = JSON.stringify(shown);
      for (const secret of ['correct', 'explanation', 'accepted', 'correctValue', 'because'])
        expect(json).not.toContain(secret);
    }
  });

  it('the presenter sanitizes every option it shows', () => {
    const shown = kindOf('single').present({ options, correct: ['A'] }, (html) => `[${html}]`);
    expect(shown.options.map((o) => o.text)).toEqual(options.map((o) => `[${o.text}]`));
  });
});

describe('single', () => {
  const single = kindOf('single');

  it('authoring: 2+ options, exactly one correct option that exists', () => {
    expect(single.authoring({ options, correct: ['C'] })).toEqual({ options, correct: ['C'] });
    expect(refusal(() => single.authoring({ options: options.slice(0, 1), correct: ['A'] }))).toBe(
      'options: a single question needs at least 2 options',
    );
    expect(refusal(() => single.authoring({ options, correct: ['A', 'B'] }))).toBe(
      'correct: a single question needs exactly 1 correct option (got 2)',
    );
    expect(refusal(() => single.authoring({ options, correct: [] }))).toBe(
      'correct: a single question needs exactly 1 correct option (got 0)',
    );
    expect(refusal(() => single.authoring({ options, correct: ['E'] }))).toBe(
      'correct[0] "E" is not one of the option ids (A, B, C, D)',
    );
  });

  it("answer check: one of the question's option ids", () => {
    const q = published('single');
    expect(refusal(() => single.checkAnswer('B', q, 'answer'))).toBeNull();
    expect(refusal(() => single.checkAnswer(['B'], q, 'answers[0].answer'))).toBe(
      'answers[0].answer must be one option id for a single-choice question',
    );
    expect(refusal(() => single.checkAnswer('E', q, 'answer'))).toBe(
      'answer: "E" is not an option of this question',
    );
  });

  it('grading: right or wrong, never partial', () => {
    const key = { kind: 'single' as const, correct: ['B'], points: 2 };
    expect(single.grade('B', key, withCredit)).toEqual({
      correct: true,
      credit: 1,
      pending: false,
    });
    expect(single.grade('A', key, withCredit)).toEqual({
      correct: false,
      credit: 0,
      pending: false,
    });
    expect(single.grade(['B'], key, withCredit)).toMatchObject({ correct: false, credit: 0 });
  });

  it('key and spreadsheet columns', () => {
    expect(single.keyOf({ options, correct: ['B'] })).toEqual(['B']);
    const cells = single.sheet.write({ options, correct: ['B'] });
    expect(cells).toMatchObject({ option_a: '<p>2</p>', option_d: '<p>21</p>', correct: 'B' });
    expect(single.sheet.read((h) => cells[h] ?? '')).toEqual({ options, correct: ['B'] });
  });
});

describe('multi', () => {
  const multi = kindOf('multi');
  const key = { kind: 'multi' as const, correct: ['A', 'C'], points: 4 };

  it('authoring: 2+ options, at least one correct, none twice, stored in option order', () => {
    expect(multi.authoring({ options, correct: ['C', 'A'] }).correct).toEqual(['A', 'C']);
    expect(refusal(() => multi.authoring({ options, correct: [] }))).toBe(
      'correct: a multi question needs at least 1 correct option',
    );
    expect(refusal(() => multi.authoring({ options, correct: ['A', 'A'] }))).toBe(
      'correct[1] "A" is listed twice',
    );
    expect(refusal(() => multi.authoring({ options: [], correct: ['A'] }))).toBe(
      'options: a multi question needs at least 2 options',
    );
  });

  it('answer check: a list of distinct option ids', () => {
    const q = published('multi');
    expect(refusal(() => multi.checkAnswer(['A', 'C'], q, 'answer'))).toBeNull();
    expect(refusal(() => multi.checkAnswer([], q, 'answer'))).toBeNull();
    expect(refusal(() => multi.checkAnswer('A', q, 'answer'))).toBe(
      'answer must be a list of option ids for a multiple-choice question',
    );
    expect(refusal(() => multi.checkAnswer(['A', 'Z'], q, 'answer'))).toBe(
      'answer: "Z" is not an option of this question',
    );
    expect(refusal(() => multi.checkAnswer(['A', 'A'], q, 'answer'))).toBe(
      'answer lists an option twice',
    );
  });

  it('grading all-or-nothing: set equality', () => {
    expect(multi.grade(['C', 'A'], key, noCredit)).toEqual({
      correct: true,
      credit: 1,
      pending: false,
    });
    expect(multi.grade(['A'], key, noCredit)).toEqual({
      correct: false,
      credit: 0,
      pending: false,
    });
    expect(multi.grade(['A', 'B', 'C'], key, noCredit)).toMatchObject({ credit: 0 });
  });

  it('grading with partial credit: max(0, (right − wrong) / #correct)', () => {
    expect(multi.grade(['A'], key, withCredit)).toEqual({
      correct: false,
      credit: 0.5,
      pending: false,
    });
    expect(multi.grade(['A', 'B', 'C'], key, withCredit)).toMatchObject({ credit: 0.5 });
    expect(multi.grade(['A', 'B'], key, withCredit)).toMatchObject({ credit: 0 });
    expect(multi.grade(['B', 'D'], key, withCredit)).toMatchObject({ credit: 0 });
    expect(multi.grade(['A', 'C'], key, withCredit)).toMatchObject({ correct: true, credit: 1 });
    // an answer stored as one string counts as one pick
    expect(multi.grade('A', key, withCredit)).toMatchObject({ credit: 0.5 });
  });

  it('key and spreadsheet columns', () => {
    expect(multi.keyOf({ options, correct: ['A', 'C'] })).toEqual(['A', 'C']);
    const cells = multi.sheet.write({ options, correct: ['A', 'C'] });
    expect(cells['correct']).toBe('A,C');
    const read = multi.sheet.read((h) => (h === 'correct' ? 'a; c' : (cells[h] ?? '')));
    expect(read).toEqual({ options, correct: ['A', 'C'] });
  });
});

describe('text', () => {
  const text = kindOf('text');

  it('authoring: no options and no key', () => {
    expect(text.authoring({ options: [], correct: [] })).toEqual({ options: [], correct: [] });
    expect(refusal(() => text.authoring({ options, correct: [] }))).toBe(
      'options must be empty for a text question',
    );
    expect(refusal(() => text.authoring({ options: [], correct: ['A'] }))).toBe(
      'correct must be empty for a text question (a teacher grades it)',
    );
  });

  it('answer check: a string', () => {
    const q = published('text', []);
    expect(refusal(() => text.checkAnswer('Because the axis is tilted', q, 'answer'))).toBeNull();
    expect(refusal(() => text.checkAnswer(['A'], q, 'answer'))).toBe(
      'answer must be text for a written-answer question',
    );
  });

  it('grading: waits for a teacher, with or without partial credit', () => {
    const key = { kind: 'text' as const, correct: [], points: 5 };
    for (const opts of [noCredit, withCredit])
      expect(text.grade('my essay', key, opts)).toEqual({
        correct: null,
        credit: 0,
        pending: true,
      });
  });

  it('presents no options and keeps no key, even if a row carries some', () => {
    expect(text.present({ options, correct: ['A'] }, (h) => h)).toEqual({ options: [] });
    expect(text.keyOf({ options, correct: ['A'] })).toEqual([]);
  });

  it('reads option columns so that a text row with options is refused, not cut', () => {
    const read = text.sheet.read((h) => (h === 'option_a' ? 'x' : ''));
    expect(refusal(() => text.authoring(read))).toBe('options must be empty for a text question');
    expect(text.sheet.write({ options: [], correct: [] })).toEqual({ correct: '' });
  });
});

describe('kindOf', () => {
  it('refuses a kind it has no rules for instead of grading it as something else', () => {
    expect(() => kindOf('essay' as QuestionKind)).toThrow('no rules for question kind "essay"');
  });
});
