import type { PublishedExam, PublishedQuestion } from '../../../contracts/published-exam.js';
import { kindOf } from '../grading/index.js';
import { invalid } from '../platform/errors.js';
import type { Answer, AnswerWrite } from './store/types.js';

export interface AnswerInput {
  questionId: string;
  answer: Answer;
  clientTs?: string | undefined;
}

const questionIndex = new WeakMap<PublishedExam, Map<string, PublishedQuestion>>();

function questionsOf(exam: PublishedExam): Map<string, PublishedQuestion> {
  let index = questionIndex.get(exam);
  if (!index) {
    index = new Map(exam.questions.map((q) => [q.id, q]));
    questionIndex.set(exam, index);
  }
  return index;
}

/**
 * Checks each answer against its question before it reaches the hot store: the question
 * must be in the exam, the shape must fit its kind and every option must exist. The error
 * names the field (`answers[2].answer`) as API.md asks.
 */
export function checkAnswers(
  exam: PublishedExam,
  inputs: AnswerInput[],
  fieldOf: (i: number) => string,
): AnswerWrite[] {
  const questions = questionsOf(exam);
  return inputs.map((input, i) => {
    const field = fieldOf(i);
    const q = questions.get(input.questionId.toLowerCase());
    if (!q) throw invalid(`${field}.questionId: no question ${input.questionId} in this exam`);
    checkShape(q, input.answer, `${field}.answer`);
    const clientTs = input.clientTs === undefined ? null : Date.parse(input.clientTs);
    return {
      questionId: q.id,
      answer: input.answer,
      clientTs: Number.isNaN(clientTs) ? null : clientTs,
    };
  });
}

function checkShape(q: PublishedQuestion, answer: Answer, field: string): void {
  if (answer === null) return;
  kindOf(q.kind).checkAnswer(answer, q, field);
}
