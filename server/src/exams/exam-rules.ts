import { randomInt } from 'node:crypto';
import type { ExamStatus, ExamTarget, UpdateExamBody } from '../../../contracts/exams.js';
import { hasPermission } from '../auth/index.js';
import type { StaffPrincipal } from '../auth/index.js';
import { conflict, invalid } from '../platform/errors.js';

/**
 * The exam rules as pure functions: entry tokens, schedule windows, target shapes and what
 * may still change once an exam is published.
 */

/** No 0/O or 1/I: a token is read off a projector and typed by a roomful of students. */
export const ENTRY_TOKEN_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const ENTRY_TOKEN_LENGTH = 6;

export function generateEntryToken(pick: (max: number) => number = randomInt): string {
  let token = '';
  for (let i = 0; i < ENTRY_TOKEN_LENGTH; i += 1)
    token += ENTRY_TOKEN_ALPHABET[pick(ENTRY_TOKEN_ALPHABET.length)];
  return token;
}

/** A token different from `previous` (a rotation that changes nothing would be a surprise). */
export function rotateEntryToken(previous: string, pick?: (max: number) => number): string {
  for (;;) {
    const next = generateEntryToken(pick);
    if (next !== previous) return next;
  }
}

export function checkWindow(start: Date, end: Date): void {
  if (!(end.getTime() > start.getTime()))
    throw invalid('scheduledEnd must be after scheduledStart');
}

/** Staff who see every exam, not just their own. */
export function seesAllExams(staff: StaffPrincipal): boolean {
  return hasPermission(staff, 'exams:read_all') || hasPermission(staff, 'exams:write_all');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAJOR_CODE = /^[A-Za-z0-9_.-]{1,32}$/;

/**
 * Checks one target's shape (existence is the service's job) and tidies it: ids
 * lower-cased, grades as plain integers. `field` names it in the error.
 */
export function normalizeTarget(t: ExamTarget, field: string): ExamTarget {
  const value = t.value.trim();
  switch (t.type) {
    case 'CLASS':
    case 'STUDENT':
      if (!UUID.test(value))
        throw invalid(`${field} must be a ${t.type === 'CLASS' ? 'class' : 'student'} id`);
      return { type: t.type, value: value.toLowerCase() };
    case 'GRADE': {
      const grade = /^\d{1,4}$/.test(value) ? Number(value) : NaN;
      if (!(grade >= 1 && grade <= 13)) throw invalid(`${field} must be a grade from 1 to 13`);
      return { type: t.type, value: String(grade) };
    }
    case 'MAJOR':
      if (!MAJOR_CODE.test(value)) throw invalid(`${field} must be a major code such as IPA`);
      return { type: t.type, value };
  }
}

/** Targets tidied, duplicates dropped (first one kept). */
export function normalizeTargets(targets: ExamTarget[]): ExamTarget[] {
  const tidy = targets.map((t, i) => normalizeTarget(t, `targets[${i}].value`));
  return tidy.filter(
    (t, i) => tidy.findIndex((o) => o.type === t.type && o.value === t.value) === i,
  );
}

/** The exam as the edit rules see it. */
export interface EditableExam {
  status: ExamStatus;
  title: string;
  description: string;
  scheduledStart: Date;
  scheduledEnd: Date;
  durationMinutes: number;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  partialCredit: boolean;
  negativeMarking: number;
  resultPolicy: string;
  leaderboard: { enabled: boolean; visibility: string };
  questions: { questionId: string; points: number | null }[];
  targets: ExamTarget[];
}

const MUTABLE_WHEN: Record<ExamStatus, ReadonlySet<string>> = {
  DRAFT: new Set([
    'title',
    'description',
    'scheduledStart',
    'scheduledEnd',
    'durationMinutes',
    'targets',
    'questions',
    'shuffleQuestions',
    'shuffleOptions',
    'partialCredit',
    'negativeMarking',
    'resultPolicy',
    'leaderboard',
  ]),
  // Students may already hold the payload: only what does not change their exam (a
  // leaderboard is about results, not the exam: it may change until the exam closes).
  PUBLISHED: new Set(['title', 'description', 'targets', 'scheduledEnd', 'leaderboard']),
  CLOSED: new Set(['title', 'description']),
};

/**
 * Refuses (409) a patch that changes a field the exam's status freezes. A field sent with
 * its current value is not a change, so clients may send the whole exam back.
 */
export function checkEditAllowed(exam: EditableExam, patch: UpdateExamBody): void {
  const changed = Object.keys(patch).filter(
    (field) => !sameValue(exam, patch, field as keyof UpdateExamBody),
  );
  const frozen = changed.filter((f) => !MUTABLE_WHEN[exam.status].has(f));
  if (frozen.length > 0) {
    throw conflict(`The exam is ${exam.status}: ${frozen.join(', ')} can no longer change`);
  }
  if (
    exam.status === 'PUBLISHED' &&
    patch.scheduledEnd !== undefined &&
    new Date(patch.scheduledEnd) < exam.scheduledEnd
  ) {
    // Sessions already started were promised their endsAt; a published exam may only be extended.
    throw conflict('The exam is PUBLISHED: scheduledEnd may only move later');
  }
}

function sameValue(
  exam: EditableExam,
  patch: UpdateExamBody,
  field: keyof UpdateExamBody,
): boolean {
  switch (field) {
    case 'scheduledStart':
    case 'scheduledEnd':
      return new Date(patch[field]!).getTime() === exam[field].getTime();
    case 'questions':
      return sameQuestions(exam.questions, patch.questions!);
    case 'targets':
      return sameTargets(exam.targets, normalizeTargets(patch.targets!));
    case 'leaderboard':
      return (
        patch.leaderboard!.enabled === exam.leaderboard.enabled &&
        (patch.leaderboard!.visibility ?? exam.leaderboard.visibility) ===
          exam.leaderboard.visibility
      );
    default:
      return patch[field] === exam[field];
  }
}

function sameQuestions(
  a: EditableExam['questions'],
  b: NonNullable<UpdateExamBody['questions']>,
): boolean {
  return (
    a.length === b.length &&
    a.every(
      (q, i) =>
        q.questionId === b[i]!.questionId.toLowerCase() && q.points === (b[i]!.points ?? null),
    )
  );
}

function sameTargets(a: ExamTarget[], b: ExamTarget[]): boolean {
  const key = (t: ExamTarget) => `${t.type}:${t.value}`;
  const left = new Set(a.map(key));
  return a.length === b.length && b.every((t) => left.has(key(t)));
}
