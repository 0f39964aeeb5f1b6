/**
 * The question-kind registry: every kind's rules (authoring, the student's answer check,
 * grading with partial credit, the presenter, the spreadsheet columns) keyed by kind, so
 * callers ask `kindOf(q.kind)` instead of switching on it.
 *
 * Why it lives in grading/ and not in questions/kinds/: grading must use it, and grading is
 * imported by sessions/ (and, through sessions/store, by auth/). questions/ imports auth/, so
 * a registry inside questions/ would make the folder cycle grading → questions → auth →
 * sessions → grading. Here it is pure rules like the rest of grading/: it imports only
 * contracts/ and platform/errors (HTML sanitizing is passed in, as media/ imports auth/ too),
 * and questions/, sessions/ and exams/ reach it through grading/index.ts.
 */
import type { QuestionKind } from '../../../../contracts/questions.js';
import { multi } from './multi.js';
import { single } from './single.js';
import { text } from './text.js';
import type { QuestionKindRules } from './types.js';

/** Keyed by every kind of the contract: a kind added there without rules here does not compile. */
const registry: { [K in QuestionKind]: QuestionKindRules<K> } = { single, multi, text };

/** In the order they are documented (and listed in messages). */
export const QUESTION_KINDS = Object.keys(registry) as QuestionKind[];

export const isQuestionKind = (value: string): value is QuestionKind =>
  Object.hasOwn(registry, value);

export function kindOf(kind: QuestionKind): QuestionKindRules {
  // only a row written outside the contract could miss; fail loudly rather than misgrade it
  if (!isQuestionKind(kind)) throw new Error(`no rules for question kind "${String(kind)}"`);
  return registry[kind];
}

export { SHEET_LETTERS } from './choice.js';
export type * from './types.js';
