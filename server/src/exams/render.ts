import type {
  AnswerKey,
  PublishedExam,
  PublishedQuestion,
} from '../../../contracts/published-exam.js';
import type { ExamTarget, ResultPolicy } from '../../../contracts/exams.js';
import type { QuestionKind } from '../../../contracts/questions.js';
import { kindOf } from '../grading/index.js';
import { sanitizeRichText } from '../media/index.js';

/** What rendering needs of an exam: its settings and its ordered question references. */
export interface ExamForRender {
  id: string;
  title: string;
  description: string;
  scheduledStart: Date;
  scheduledEnd: Date;
  durationMinutes: number;
  shuffleQuestions: boolean;
  shuffleOptions: boolean;
  partialCredit: boolean;
  negativeMarking: number;
  resultPolicy: ResultPolicy;
  targets: ExamTarget[];
  /** in authored order; `points: null` means the bank question's own points */
  questions: { questionId: string; points: number | null }[];
}

/** What rendering needs of a bank question. */
export interface BankQuestion {
  id: string;
  kind: QuestionKind;
  text: string;
  options: { id: string; text: string }[];
  correct: string[];
  points: number;
}

/**
 * The publish snapshot (contracts/published-exam.ts), as a pure function: the student
 * payload, which is built field by field from an allow-list so a correct answer or an
 * explanation can never ride along, and the answer key, which stays on the server.
 * `questions` may come in any order; the exam's order wins.
 */
export function renderPublishedExam(
  exam: ExamForRender,
  questions: BankQuestion[],
): { payload: PublishedExam; answerKey: AnswerKey } {
  const bank = new Map(questions.map((q) => [q.id, q]));
  const rendered: PublishedQuestion[] = [];
  const answerKey: AnswerKey = {};
  for (const ref of exam.questions) {
    const q = bank.get(ref.questionId);
    if (!q)
      throw new Error(
        `renderPublishedExam: question ${ref.questionId} of exam ${exam.id} was not provided`,
      );
    const points = ref.points ?? q.points;
    const kind = kindOf(q.kind);
    rendered.push({
      id: q.id,
      kind: q.kind,
      // sanitized on write already; again here so the payload is safe whatever wrote the row
      text: sanitizeRichText(q.text),
      ...kind.present(q, sanitizeRichText),
      points,
    });
    answerKey[q.id] = { kind: q.kind, correct: kind.keyOf(q), points };
  }
  const payload: PublishedExam = {
    examId: exam.id,
    title: exam.title,
    description: sanitizeRichText(exam.description),
    scheduledStart: exam.scheduledStart.toISOString(),
    scheduledEnd: exam.scheduledEnd.toISOString(),
    durationMinutes: exam.durationMinutes,
    shuffleQuestions: exam.shuffleQuestions,
    shuffleOptions: exam.shuffleOptions,
    partialCredit: exam.partialCredit,
    negativeMarking: exam.negativeMarking,
    resultPolicy: exam.resultPolicy,
    targets: exam.targets.map((t) => ({ type: t.type, value: t.value })),
    questions: rendered,
  };
  return { payload, answerKey };
}

/**
 * After publish, the fields that may still change (title, description, targets, a later
 * scheduledEnd) are copied into the frozen payload; its questions stay exactly as published.
 */
export function withLiveFields(payload: PublishedExam, exam: ExamForRender): PublishedExam {
  return {
    ...payload,
    title: exam.title,
    description: sanitizeRichText(exam.description),
    scheduledEnd: exam.scheduledEnd.toISOString(),
    targets: exam.targets.map((t) => ({ type: t.type, value: t.value })),
  };
}

/** The most a student can score. */
export function maxScoreOf(payload: PublishedExam): number {
  return Math.round(payload.questions.reduce((sum, q) => sum + q.points, 0) * 100) / 100;
}
