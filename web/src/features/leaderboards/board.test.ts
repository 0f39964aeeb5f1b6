import { describe, expect, it } from 'vitest';
import type { BoardRow, Leaderboard, SchoolClass } from '../../api/types';
import {
  boardOf,
  boardSections,
  filterChoices,
  filterValue,
  frameMatches,
  newerBoard,
  oneDecimal,
  parseCohort,
  parseFilter,
  rankLine,
  seriesProblems,
  studentCohortParam,
  type BoardFrame,
} from './board';

const row = (rank: number, name: string | null, me = false): BoardRow => ({
  rank,
  name,
  score: 10 - rank,
  percentage: (10 - rank) * 10,
  ...(me ? { me: true } : {}),
});

function board(patch: Partial<Leaderboard> = {}): Leaderboard {
  return {
    examId: 'e-1',
    title: 'Matematika',
    cohort: 'exam',
    total: 3,
    updatedAt: '2025-05-01T08:00:00.000Z',
    visibility: 'students',
    top: [row(1, 'Rina'), row(2, 'Bagus'), row(3, 'Sekar')],
    ...patch,
  };
}

describe('frames', () => {
  it('a frame is the board plus its type and id', () => {
    const frame: BoardFrame = { type: 'leaderboard.update', id: 'w1', ...board() };
    expect(boardOf(frame)).toEqual(board());
  });

  it('belongs to the watch of the same exam and cohort (no cohort: the whole exam)', () => {
    const frame: BoardFrame = { type: 'leaderboard.update', ...board({ cohort: 'class' }) };
    expect(frameMatches(frame, { examId: 'e-1', cohort: 'class' })).toBe(true);
    expect(frameMatches(frame, { examId: 'e-1' })).toBe(false);
    expect(frameMatches(frame, { examId: 'e-2', cohort: 'class' })).toBe(false);
    const whole: BoardFrame = { type: 'leaderboard.update', ...board() };
    expect(frameMatches(whole, { examId: 'e-1' })).toBe(true);
    expect(frameMatches(whole, { examId: 'e-1', cohort: 'exam' })).toBe(true);
  });
});

describe('newerBoard', () => {
  const older = board({ updatedAt: '2025-05-01T08:00:00.000Z', total: 2 });
  const newer = board({ updatedAt: '2025-05-01T08:00:05.000Z', total: 3 });

  it('keeps the newer copy whichever arrives last', () => {
    expect(newerBoard(older, newer)).toBe(newer);
    expect(newerBoard(newer, older)).toBe(newer);
    expect(newerBoard(null, older)).toBe(older);
  });

  it('takes the new copy on a tie (the same change, read again) and over an empty board', () => {
    const again = board({ updatedAt: newer.updatedAt, total: 3 });
    expect(newerBoard(newer, again)).toBe(again);
    const empty = board({ updatedAt: null, total: 0, top: [] });
    expect(newerBoard(empty, older)).toBe(older);
  });

  it('always takes a copy of another board (the cohort changed)', () => {
    const mine = board({ cohort: 'class', updatedAt: '2025-05-01T07:00:00.000Z' });
    expect(newerBoard(newer, mine)).toBe(mine);
  });
});

describe('boardSections', () => {
  it('shows the window around the student only when their row is not in the top list', () => {
    const around = [row(40, null), row(41, 'Me', true), row(42, null)];
    expect(boardSections(board({ around })).around).toEqual(around);
    const inTop = board({ top: [row(1, 'Me', true), row(2, null)], around: [row(1, 'Me', true)] });
    expect(boardSections(inTop).around).toBeNull();
    expect(boardSections(board()).around).toBeNull();
    expect(boardSections(board({ around: [] })).around).toBeNull();
  });
});

describe('rank lines', () => {
  it('gives the percentile with exactly one decimal, in the reader language', () => {
    expect(oneDecimal(94, 'en')).toBe('94.0');
    expect(oneDecimal(33.333, 'en')).toBe('33.3');
    expect(oneDecimal(94, 'id')).toBe('94,0');
  });

  it('says rank, total and percentile, and leaves "better than 0%" unsaid', () => {
    expect(rankLine({ rank: 3, total: 50, percentile: 94 }, 'en')).toEqual({
      key: 'rank.summary',
      vars: { rank: 3, total: 50, pct: '94.0' },
    });
    expect(rankLine({ rank: 50, total: 50, percentile: 0 }, 'en')).toEqual({
      key: 'rank.summaryPlain',
      vars: { rank: 50, total: 50 },
    });
    expect(rankLine({ rank: 1, total: 1, percentile: 0 }, 'id').key).toBe('rank.summaryPlain');
  });
});

describe('cohorts and filters', () => {
  it('reads a cohort from the URL, the whole exam otherwise', () => {
    expect(parseCohort('grade')).toBe('grade');
    expect(parseCohort('school')).toBe('exam');
    expect(parseCohort(null)).toBe('exam');
    expect(studentCohortParam('exam')).toBe('');
    expect(parseCohort(studentCohortParam('major'))).toBe('major');
  });

  it('writes a staff filter as one select value and reads it back', () => {
    for (const filter of [
      { kind: 'exam' },
      { kind: 'class', classId: '7d0c-uuid' },
      { kind: 'grade', grade: 12 },
      { kind: 'major', major: 'IPA' },
    ] as const)
      expect(parseFilter(filterValue(filter))).toEqual(filter);
    expect(parseFilter('grade:x')).toEqual({ kind: 'exam' });
    expect(parseFilter('class:')).toEqual({ kind: 'exam' });
    expect(parseFilter('nonsense')).toEqual({ kind: 'exam' });
    expect(parseFilter('major:A:B')).toEqual({ kind: 'major', major: 'A:B' });
  });

  it('offers each class, and each grade and major the classes have once, in order', () => {
    const cls = (id: string, gradeLevel: number, majorCode: string, name: string): SchoolClass => ({
      id,
      gradeLevel,
      majorCode,
      groupNumber: 1,
      name,
      studentCount: 0,
    });
    const choices = filterChoices([
      cls('c3', 11, 'IPS', 'XI IPS 1'),
      cls('c1', 10, 'IPA', 'X IPA 2'),
      cls('c2', 10, 'IPA', 'X IPA 1'),
    ]);
    expect(choices.classes.map((c) => c.label)).toEqual(['X IPA 1', 'X IPA 2', 'XI IPS 1']);
    expect(choices.classes[0]!.value).toBe('class:c2');
    expect(choices.grades).toEqual([
      { value: 'grade:10', grade: 10 },
      { value: 'grade:11', grade: 11 },
    ]);
    expect(choices.majors.map((m) => m.major)).toEqual(['IPA', 'IPS']);
  });
});

describe('seriesProblems', () => {
  it('asks for a title and between 1 and 50 exams', () => {
    expect(seriesProblems({ title: 'Try-out 1', examIds: ['e1'] })).toEqual([]);
    expect(seriesProblems({ title: '  ', examIds: [] })).toEqual(['needTitle', 'needExam']);
    expect(seriesProblems({ title: 'x'.repeat(201), examIds: ['e1'] })).toEqual(['titleTooLong']);
    const many = Array.from({ length: 51 }, (_, i) => `e${i}`);
    expect(seriesProblems({ title: 'ok', examIds: many })).toEqual(['tooManyExams']);
  });
});
