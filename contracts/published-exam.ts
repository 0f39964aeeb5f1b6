import type { QuestionKind } from './questions.js';

/**
 * What publishing an exam freezes (written to exams.published_payload / exams.answer_key
 * by the exams feature, loaded into the hot store by the sessions feature). The payload
 * never carries a correct answer; the key never leaves the server.
 */
export interface PublishedQuestion {
  id: string;
  kind: QuestionKind;
  /** sanitized HTML */
  text: string;
  options: { id: string; text: string }[];
  /** the exam's points for this question (per-exam override, else the bank's) */
  points: number;
}

export interface PublishedExam {
  examId: string;
  title: string;
  description: string;
  /** ISO-8601 UTC */
  scheduledStart: string;
  scheduledEnd: string;
  durationMinutes: number;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  partialCredit: boolean;
  /** share of a question's points off a wrong objective answer; absent in payloads published before it existed */
  negativeMarking?: number;
  resultPolicy: 'immediate' | 'after_close' | 'manual';
  targets: { type: 'CLASS' | 'GRADE' | 'MAJOR' | 'STUDENT'; value: string }[];
  /** in the authored order; sessions shuffle from here with their own seed */
  questions: PublishedQuestion[];
}

/** questionId → what is correct and what it is worth. `text` questions have `correct: []`. */
export type AnswerKey = Record<string, { kind: QuestionKind; correct: string[]; points: number }>;

/**
 * The parts of a published exam that may still change (they live in the exams row, not in
 * the frozen payload): the entry token can be rotated, the exam closed.
 */
export interface ExamLiveState {
  examId: string;
  status: 'DRAFT' | 'PUBLISHED' | 'CLOSED';
  entryToken: string;
  resultsReleasedAt: string | null;
  closedAt: string | null;
}
