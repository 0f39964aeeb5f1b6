import { describe, expect, it } from 'vitest';
import { isEligible, type StudentPlacement } from './eligibility.js';

const ana: StudentPlacement = { studentId: 's1', classId: 'c1', gradeLevel: 10, majorCode: 'IPA' };
const noClass: StudentPlacement = {
  studentId: 's2',
  classId: null,
  gradeLevel: null,
  majorCode: null,
};

describe('isEligible', () => {
  it('CLASS by class id', () => {
    expect(isEligible([{ type: 'CLASS', value: 'c1' }], ana)).toBe(true);
    expect(isEligible([{ type: 'CLASS', value: 'c2' }], ana)).toBe(false);
  });
  it('GRADE by the class grade level', () => {
    expect(isEligible([{ type: 'GRADE', value: '10' }], ana)).toBe(true);
    expect(isEligible([{ type: 'GRADE', value: '11' }], ana)).toBe(false);
  });
  it('MAJOR by the class major code, case-insensitive', () => {
    expect(isEligible([{ type: 'MAJOR', value: 'ipa' }], ana)).toBe(true);
    expect(isEligible([{ type: 'MAJOR', value: 'IPS' }], ana)).toBe(false);
  });
  it('STUDENT by student id', () => {
    expect(isEligible([{ type: 'STUDENT', value: 's1' }], ana)).toBe(true);
    expect(isEligible([{ type: 'STUDENT', value: 's1' }], noClass)).toBe(false);
  });
  it('any rule matching is enough; no rules means nobody', () => {
    expect(
      isEligible(
        [
          { type: 'CLASS', value: 'zz' },
          { type: 'STUDENT', value: 's2' },
        ],
        noClass,
      ),
    ).toBe(true);
    expect(isEligible([], ana)).toBe(false);
  });
  it('a student without a class matches no class-based rule', () => {
    expect(
      isEligible(
        [
          { type: 'GRADE', value: '10' },
          { type: 'MAJOR', value: 'IPA' },
        ],
        noClass,
      ),
    ).toBe(false);
  });
});
