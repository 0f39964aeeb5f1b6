import type { PublishedExam } from '../../../contracts/published-exam.js';

/** What target rules match on: the student and the class they sit in. */
export interface StudentPlacement {
  studentId: string;
  classId: string | null;
  gradeLevel: number | null;
  majorCode: string | null;
}

/**
 * An exam targets a student when any rule matches: CLASS by class id, GRADE by the class's
 * grade level, MAJOR by its major code (case-insensitive, codes are typed by hand), STUDENT
 * by student id. A student without a class only matches STUDENT rules.
 */
export function isEligible(targets: PublishedExam['targets'], who: StudentPlacement): boolean {
  return targets.some((t) => {
    switch (t.type) {
      case 'STUDENT':
        return t.value === who.studentId;
      case 'CLASS':
        return who.classId !== null && t.value === who.classId;
      case 'GRADE':
        return who.gradeLevel !== null && Number(t.value) === who.gradeLevel;
      case 'MAJOR':
        return (
          who.majorCode !== null &&
          t.value.trim().toUpperCase() === who.majorCode.trim().toUpperCase()
        );
      default:
        return false;
    }
  });
}
