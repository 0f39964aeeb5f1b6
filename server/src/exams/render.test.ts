import { describe, expect, it } from 'vitest';
import type { UpdateExamBody } from '../../../contracts/exams.js';
import {
  checkEditAllowed,
  ENTRY_TOKEN_ALPHABET,
  generateEntryToken,
  normalizeTargets,
  rotateEntryToken,
  type EditableExam,
} from './exam-rules.js';
import {
  maxScoreOf,
  renderPublishedExam,
  withLiveFields,
  type BankQuestion,
  type ExamForRender,
} from './render.js';

const Q1 = '11111111-1111-4111-8111-111111111111';
const Q2 = '22222222-2222-4222-8222-222222222222';
const Q3 = '33333333-3333-4333-8333-333333333333';

const exam: ExamForRender = {
  id: '99999999-9999-4999-8999-999999999999',
  title: 'Math',
  description: '<p>Good luck</p><script>steal()</script>',
  scheduledStart: new Date('2030-01-01T08:00:00Z'),
  scheduledEnd: new Date('2030-01-01T10:00:00Z'),
  durationMinutes: 90,
  shuffleQuestions: true,
  shuffleOptions: false,
  partialCredit: true,
  negativeMarking: 0.25,
  resultPolicy: 'after_close',
  targets: [{ type: 'GRADE', value: '10' }],
  questions: [
    { questionId: Q2, points: 3 },
    { questionId: Q1, points: null },
    { questionId: Q3, points: null },
  ],
};

const bank: BankQuestion[] = [
  {
    id: Q1,
    kind: 'single',
    text: '<p>2+2?</p>',
    options: [
      { id: 'A', text: '3' },
      { id: 'B', text: '4' },
    ],
    correct: ['B'],
    points: 1,
  },
  {
    id: Q2,
    kind: 'multi',
    text: '<p>Primes?</p><img src="x" onerror="alert(1)">',
    options: [
      { id: 'A', text: '2' },
      { id: 'B', text: '4' },
      { id: 'C', text: '5' },
    ],
    correct: ['A', 'C'],
    points: 2,
  },
  { id: Q3, kind: 'text', text: '<p>Why?</p>', options: [], correct: [], points: 5 },
];

describe('renderPublishedExam', () => {
  const { payload, answerKey } = renderPublishedExam(exam, bank);

  it('keeps the authored order and applies per-exam points', () => {
    expect(payload.questions.map((q) => q.id)).toEqual([Q2, Q1, Q3]);
    expect(payload.questions.map((q) => q.points)).toEqual([3, 1, 5]);
    expect(maxScoreOf(payload)).toBe(9);
  });

  it('carries no correct answer anywhere in the payload', () => {
    const json = JSON.stringify(payload);
    expect(json).not.toContain('correct');
    expect(json).not.toContain('explanation');
    for (const q of payload.questions)
      expect(Object.keys(q).sort()).toEqual(['id', 'kind', 'options', 'points', 'text']);
  });

  it('puts the answers in the key, with the same points', () => {
    expect(answerKey).toEqual({
      [Q2]: { kind: 'multi', correct: ['A', 'C'], points: 3 },
      [Q1]: { kind: 'single', correct: ['B'], points: 1 },
      [Q3]: { kind: 'text', correct: [], points: 5 },
    });
  });

  it('sanitizes HTML again and copies the settings', () => {
    expect(payload.description).toBe('<p>Good luck</p>');
    expect(payload.questions[0]!.text).toBe('<p>Primes?</p>');
    expect(payload).toMatchObject({
      examId: exam.id,
      title: 'Math',
      scheduledStart: '2030-01-01T08:00:00.000Z',
      scheduledEnd: '2030-01-01T10:00:00.000Z',
      durationMinutes: 90,
      shuffleQuestions: true,
      shuffleOptions: false,
      partialCredit: true,
      negativeMarking: 0.25,
      resultPolicy: 'after_close',
      targets: [{ type: 'GRADE', value: '10' }],
    });
  });

  it('is pure: the same inputs give the same snapshot', () => {
    expect(renderPublishedExam(exam, [...bank].reverse())).toEqual({ payload, answerKey });
  });

  it('refuses to render a question it was not given', () => {
    expect(() => renderPublishedExam(exam, bank.slice(0, 1))).toThrow(/not provided/);
  });

  it('withLiveFields changes the live fields and never the questions', () => {
    const later = {
      ...exam,
      title: 'Math (v2)',
      scheduledEnd: new Date('2030-01-01T11:00:00Z'),
      targets: [{ type: 'CLASS' as const, value: Q1 }],
    };
    const patched = withLiveFields(payload, later);
    expect(patched).toMatchObject({
      title: 'Math (v2)',
      scheduledEnd: '2030-01-01T11:00:00.000Z',
      targets: [{ type: 'CLASS', value: Q1 }],
    });
    expect(patched.questions).toEqual(payload.questions);
    expect(patched.scheduledStart).toBe(payload.scheduledStart);
  });
});

describe('entry tokens', () => {
  it('are 6 characters from the unambiguous alphabet', () => {
    for (let i = 0; i < 200; i += 1) {
      const token = generateEntryToken();
      expect(token).toMatch(/^[A-Z2-9]{6}$/);
      for (const c of token) expect(ENTRY_TOKEN_ALPHABET).toContain(c);
      expect(token).not.toMatch(/[01OI]/);
    }
  });

  it('rotation always yields a different token', () => {
    let n = 0;
    const pick = () => (n++ < 6 ? 0 : 1); // first attempt repeats AAAAAA, then changes
    expect(rotateEntryToken('AAAAAA', pick)).not.toBe('AAAAAA');
  });
});

describe('targets', () => {
  it('tidies and de-duplicates', () => {
    expect(
      normalizeTargets([
        { type: 'GRADE', value: '010' },
        { type: 'GRADE', value: '10' },
        { type: 'CLASS', value: Q1.toUpperCase() },
        { type: 'MAJOR', value: ' IPA ' },
      ]),
    ).toEqual([
      { type: 'GRADE', value: '10' },
      { type: 'CLASS', value: Q1 },
      { type: 'MAJOR', value: 'IPA' },
    ]);
  });

  it.each([
    [{ type: 'GRADE' as const, value: '14' }, /grade from 1 to 13/],
    [{ type: 'GRADE' as const, value: 'ten' }, /grade/],
    [{ type: 'CLASS' as const, value: 'X IPA 1' }, /class id/],
    [{ type: 'STUDENT' as const, value: '123' }, /student id/],
    [{ type: 'MAJOR' as const, value: 'I P A' }, /major code/],
  ])('refuses %o naming the field', (target, message) => {
    expect(() => normalizeTargets([{ type: 'GRADE', value: '10' }, target])).toThrow(message);
    expect(() => normalizeTargets([{ type: 'GRADE', value: '10' }, target])).toThrow(
      /targets\[1\]\.value/,
    );
  });
});

describe('what may change once published', () => {
  const leaderboard = { enabled: false, visibility: 'staff' };
  const published: EditableExam = { ...exam, leaderboard, status: 'PUBLISHED' };
  const allowed = (patch: UpdateExamBody) => () => checkEditAllowed(published, patch);

  it('title, description, targets, the leaderboard and a later end', () => {
    expect(
      allowed({
        title: 'New',
        description: 'x',
        targets: [],
        scheduledEnd: '2030-01-01T12:00:00Z',
        leaderboard: { enabled: true, visibility: 'anonymous' },
      }),
    ).not.toThrow();
  });

  it('anything else is a 409 naming the fields', () => {
    expect(allowed({ durationMinutes: 60 })).toThrow(/durationMinutes can no longer change/);
    expect(allowed({ questions: [{ questionId: Q1 }] })).toThrow(/questions/);
    expect(allowed({ shuffleOptions: true, resultPolicy: 'immediate' })).toThrow(
      /shuffleOptions, resultPolicy/,
    );
    expect(allowed({ scheduledEnd: '2030-01-01T09:00:00Z' })).toThrow(/only move later/);
  });

  it('sending the current values back is not a change', () => {
    expect(
      allowed({
        durationMinutes: 90,
        shuffleQuestions: true,
        scheduledStart: '2030-01-01T08:00:00.000Z',
        questions: [{ questionId: Q2, points: 3 }, { questionId: Q1 }, { questionId: Q3 }],
      }),
    ).not.toThrow();
  });

  it('a closed exam keeps only title and description editable', () => {
    const closed: EditableExam = { ...exam, leaderboard, status: 'CLOSED' };
    expect(() => checkEditAllowed(closed, { title: 'Archive' })).not.toThrow();
    expect(() => checkEditAllowed(closed, { targets: [] })).toThrow(/targets/);
    expect(() => checkEditAllowed(closed, { leaderboard: { enabled: true } })).toThrow(
      /leaderboard/,
    );
    // the current setting sent back is not a change, even with visibility left out
    expect(() => checkEditAllowed(closed, { leaderboard: { enabled: false } })).not.toThrow();
  });
});
