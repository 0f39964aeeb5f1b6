import type { AnswerKey, PublishedQuestion } from '../../../../contracts/published-exam.js';
import type { QuestionKind, QuestionOption } from '../../../../contracts/questions.js';

/**
 * A student's answer as stored and graded: an option id (single), option ids (multi), free
 * text (text), or null (cleared). Kinds still to come widen it (a number for numeric, a
 * prompt → option map for matching); each kind narrows it in its own `checkAnswer`.
 */
export type Answer = string | string[] | null;

/** An answer that is there (a cleared one never reaches a kind). */
export type GivenAnswer = Exclude<Answer, null>;

/**
 * The kind-specific part of an authored question: what its kind validates and stores.
 * Today every kind is described by options and the correct option ids; kinds with their own
 * authoring fields (`accepted`, `correctValue`, `prompts`, …) add them here as optional fields.
 */
export interface KindFields {
  options: QuestionOption[];
  correct: string[];
}

/** One answer-key entry (contracts/published-exam.ts), as grading reads it. */
export type AnswerKeyEntry = AnswerKey[string];

export interface KindGradeOptions {
  /** the exam's switch: questions that can be partly right earn a share of their points */
  partialCredit: boolean;
  /** share of a question's points taken off a wrong objective answer (0 or absent: off) */
  negativeMarking?: number;
}

/**
 * One question's outcome before points: `credit` is the share of its points earned (0–1),
 * so rounding — and negative marking later — is decided once, by the caller, for every kind.
 */
export interface KindGrade {
  /** null while a teacher has to grade it */
  correct: boolean | null;
  credit: number;
  pending: boolean;
}

/** What a student may see of a question beyond its id, kind, text and points. */
export type PresentedFields = Pick<PublishedQuestion, 'options'>;

/** Spreadsheet cells by lower-case header (`option_a`, `correct`, …), already trimmed. */
export type SheetCell = (header: string) => string;

/**
 * Everything the server knows about one question kind. Adding a kind means one module that
 * implements this and one entry in the registry (index.ts): no caller switches on the kind.
 */
export interface QuestionKindRules<K extends QuestionKind = QuestionKind> {
  kind: K;
  /** a teacher grades it by hand (PENDING_REVIEW until then); otherwise it is graded instantly */
  gradedByHand: boolean;
  /**
   * Authoring: checks the kind's fields (option texts are already sanitized) and returns them
   * as stored. Throws VALIDATION_FAILED naming the first offending field.
   */
  authoring(fields: KindFields): KindFields;
  /** A student's answer against the question as published; throws VALIDATION_FAILED on `field`. */
  checkAnswer(answer: GivenAnswer, question: PublishedQuestion, field: string): void;
  /** Grades a non-blank answer of this kind against its key entry. */
  grade(answer: GivenAnswer, key: AnswerKeyEntry, options: KindGradeOptions): KindGrade;
  /**
   * The presenter: what a student may see, built field by field from an allow-list so the key
   * can never ride along. `sanitize` cleans HTML (passed in: grading stays free of media/).
   */
  present(fields: KindFields, sanitize: (html: string) => string): PresentedFields;
  /** The key kept on the server for this question (what `grade` later reads). */
  keyOf(fields: KindFields): AnswerKeyEntry['correct'];
  /** The spreadsheet columns this kind reads and writes (layout: questions/question-sheet.ts). */
  sheet: {
    read(cell: SheetCell): KindFields;
    /** cells by lower-case header; headers left out are written empty */
    write(fields: KindFields): Record<string, string>;
  };
}
