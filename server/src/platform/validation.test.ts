import { describe, expect, it } from 'vitest';
import { findUnstorableText, isUnstorableText } from './validation.js';

describe('text PostgreSQL could never store', () => {
  it('is NUL anywhere, or a surrogate without its pair', () => {
    for (const bad of [
      '\u0000',
      'a\u0000b',
      '\ud800',
      'x\udbffy',
      '\udc00',
      'a\udfff',
      '\ude00\ud83d',
    ])
      expect(isUnstorableText(bad), JSON.stringify(bad)).toBe(true);
    for (const good of [
      '',
      'plain',
      'tab\tnew\nline',
      '\u0001\u001f\u007f',
      'emoji \ud83d\ude00',
      'Jakarta — ñ 日本',
    ])
      expect(isUnstorableText(good), JSON.stringify(good)).toBe(false);
  });

  it('is found in values and keys at any depth, named by path', () => {
    expect(
      findUnstorableText({ answers: [{ answer: 'ok' }, { answer: ['A', 'b\u0000'] }] }, 'body'),
    ).toBe('body.answers.1.answer.1');
    expect(findUnstorableText({ ok: { ['k\ud800']: 1 } }, 'body')).toBe('body.ok (a field name)');
    expect(findUnstorableText({ a: 1, b: [true, null, 2.5], c: 'fine' }, 'body')).toBeNull();
    expect(findUnstorableText(undefined, 'body')).toBeNull();
  });

  it('walks nesting deeper than the call stack without overflowing', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(findUnstorableText(deep, 'body')).toMatch(/^body(\.0)+$/);
  });
});
