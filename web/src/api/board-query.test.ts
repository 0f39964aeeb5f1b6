import { describe, expect, it } from 'vitest';
import { staffBoardSearch, studentBoardSearch } from './board-query';

describe('studentBoardSearch', () => {
  it('names top, around and a cohort other than the whole exam', () => {
    expect(studentBoardSearch({ top: 100, around: 5, cohort: 'class' })).toBe(
      '?top=100&around=5&cohort=class',
    );
    expect(studentBoardSearch({ top: 10, cohort: 'major' })).toBe('?top=10&cohort=major');
  });

  it('leaves the whole exam to the server default, and sends nothing when nothing is asked', () => {
    expect(studentBoardSearch({ top: 100, around: 5, cohort: 'exam' })).toBe('?top=100&around=5');
    expect(studentBoardSearch({})).toBe('');
    expect(studentBoardSearch({ top: 0, around: 0 })).toBe('?top=0&around=0');
  });
});

describe('staffBoardSearch', () => {
  it('names at most one of classId, grade and major', () => {
    expect(staffBoardSearch({ kind: 'exam' }, 100)).toBe('?top=100');
    expect(staffBoardSearch({ kind: 'class', classId: 'c-1' }, 100)).toBe('?top=100&classId=c-1');
    expect(staffBoardSearch({ kind: 'grade', grade: 10 })).toBe('?grade=10');
    expect(staffBoardSearch({ kind: 'major', major: 'IPA & IPS' })).toBe('?major=IPA+%26+IPS');
    expect(staffBoardSearch({ kind: 'exam' })).toBe('');
  });
});
