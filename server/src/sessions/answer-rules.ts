import type { PublishedExam, PublishedQuestion } from '../../../contracts/published-exam.js';
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
  const isOption = (id: string) => q.options.some((o) => o.id === id);
  switch (q.kind) {
    case 'single':
      if (typeof answer !== 'string')
        throw invalid(`${field} must be one option id for a single-choice question`);
      if (!isOption(answer))
        throw invalid(`${field}: "${answer}" is not an option of this question`);
      return;
    case 'multi': {
      if (!Array.isArray(answer))
        throw invalid(`${field} must be a list of option ids for a multiple-choice question`);
      const unknown = answer.find((id) => !isOption(id));
      if (unknown !== undefined)
        throw invalid(`${field}: "${unknown}" is not an option of this question`);
      if (new Set(answer).size !== answer.length) throw invalid(`${field} lists an option twice`);
      return;
    }
    case 'text':
      if (typeof answer !== 'string')
        throw invalid(`${field} must be text for a written-answer question`);
      return;
  }
}
