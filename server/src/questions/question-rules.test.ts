import { describe, expect, it } from 'vitest';
import { normalizeQuestion, type QuestionContent } from './question-rules.js';
import { questionToRow, rowToQuestion, sheetHeaders } from './question-sheet.js';

const base: QuestionContent = {
  kind: 'single',
  text: '<p>Capital of Indonesia?</p>',
  options: [
    { id: 'A', text: 'Bandung' },
    { id: 'B', text: 'Jakarta' },
  ],
  correct: ['B'],
  points: 1,
  explanation: '',
  tags: [],
};
const check = (patch: Partial<QuestionContent>) => () => normalizeQuestion({ ...base, ...patch });

describe('question rules', () => {
  it('accepts a well-formed question', () => expect(normalizeQuestion(base)).toEqual(base));

  it('strips scripts and event handlers from every HTML field', () => {
    const q = normalizeQuestion({
      ...base,
      text: '<p onclick="x()">Hi<script>alert(1)</script></p>',
      options: [
        { id: 'A', text: '<b>one</b><iframe src="https://evil"></iframe>' },
        { id: 'B', text: 'two' },
      ],
      explanation: '<img src="javascript:alert(1)"><em>because</em>',
    });
    expect(q.text).toBe('<p>Hi</p>');
    expect(q.options[0]!.text).toBe('<b>one</b>');
    expect(q.explanation).toBe('<em>because</em>');
  });

  it('keeps lists, tables and images from /uploads/ or http(s)', () => {
    const img = `/uploads/${'a'.repeat(64)}.png`;
    const html = `<ul><li>x</li></ul><table><tbody><tr><td colspan="2">1</td></tr></tbody></table><img src="${img}" alt="fig" /><img src="https://cdn.example/x.png" />`;
    expect(normalizeQuestion({ ...base, text: html }).text).toBe(html);
    expect(
      normalizeQuestion({
        ...base,
        text: '<p>x</p><img src="/etc/passwd" /><img src="//evil/x.png" />',
      }).text,
    ).toBe('<p>x</p>');
  });

  it('refuses a base64 image, naming the field', () => {
    const data = '<img src="data:image/png;base64,iVBORw0KGgo=">';
    expect(check({ text: `<p>x</p>${data}` })).toThrow(/^text contains an inline \(data:\) image/);
    expect(
      check({
        options: [
          { id: 'A', text: data },
          { id: 'B', text: 'b' },
        ],
      }),
    ).toThrow(/^options\[0\]\.text contains an inline/);
    expect(check({ explanation: data })).toThrow(/^explanation contains an inline/);
  });

  it('checks the answer shape against the kind', () => {
    expect(check({ correct: [] })).toThrow(/exactly 1 correct/);
    expect(check({ correct: ['A', 'B'] })).toThrow(/exactly 1 correct/);
    expect(check({ correct: ['C'] })).toThrow(/correct\[0\] "C" is not one of the option ids/);
    expect(check({ kind: 'multi', correct: [] })).toThrow(/at least 1 correct/);
    expect(check({ kind: 'multi', correct: ['A', 'A'] })).toThrow(/listed twice/);
    expect(
      check({
        options: [
          { id: 'A', text: 'x' },
          { id: 'A', text: 'y' },
        ],
      }),
    ).toThrow(/options\[1\]\.id "A" is used twice/);
    expect(check({ options: [{ id: 'A', text: 'x' }], correct: ['A'] })).toThrow(
      /at least 2 options/,
    );
    expect(check({ kind: 'text' })).toThrow(/options must be empty/);
    expect(check({ kind: 'text', options: [] })).toThrow(/correct must be empty/);
    expect(check({ kind: 'text', options: [], correct: [] })).not.toThrow();
    expect(check({ text: '<script>only()</script>' })).toThrow(/text is empty/);
  });

  it('orders multi answers by option and tidies tags and points', () => {
    const q = normalizeQuestion({
      ...base,
      kind: 'multi',
      correct: ['B', 'A'],
      points: 1.239,
      tags: [' math ', 'Math', '', 'grade 7'],
    });
    expect(q.correct).toEqual(['A', 'B']);
    expect(q.points).toBe(1.24);
    expect(q.tags).toEqual(['math', 'grade 7']);
  });
});

describe('the spreadsheet layout', () => {
  it('round-trips a question through a row', () => {
    const headers = sheetHeaders();
    const values = questionToRow({ ...base, tags: ['a', 'b'] });
    const cells = Object.fromEntries(headers.map((h, i) => [h, String(values[i] ?? '')]));
    expect(rowToQuestion({ row: 2, cells })).toEqual({ ...base, tags: ['a', 'b'] });
  });

  it('reads "A, C", comma decimals and a missing points cell', () => {
    const q = rowToQuestion({
      row: 5,
      cells: {
        kind: 'MULTI',
        text: 't',
        option_a: 'a',
        option_c: 'c',
        correct: 'a, c',
        points: '1,5',
      },
    });
    expect(q).toMatchObject({
      kind: 'multi',
      options: [
        { id: 'A', text: 'a' },
        { id: 'C', text: 'c' },
      ],
      correct: ['A', 'C'],
      points: 1.5,
    });
    expect(rowToQuestion({ row: 6, cells: { kind: 'text', text: 't' } }).points).toBe(1);
    expect(() => rowToQuestion({ row: 7, cells: { kind: 'essay', text: 't' } })).toThrow(
      /kind must be single, multi or text/,
    );
  });
});
