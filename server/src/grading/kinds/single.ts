import { invalid } from '../../platform/errors.js';
import {
  checkCorrectOptions,
  inOptionOrder,
  isOptionOf,
  optionColumns,
  presentOptions,
} from './choice.js';
import type { QuestionKindRules } from './types.js';

/** One correct option; the answer is one option id, right or wrong (no partial credit). */
export const single: QuestionKindRules<'single'> = {
  kind: 'single',
  gradedByHand: false,

  authoring(fields) {
    checkCorrectOptions('single', fields);
    if (fields.correct.length !== 1) {
      throw invalid(
        `correct: a single question needs exactly 1 correct option (got ${fields.correct.length})`,
      );
    }
    return inOptionOrder(fields);
  },

  checkAnswer(answer, question, field) {
    if (typeof answer !== 'string')
      throw invalid(`${field} must be one option id for a single-choice question`);
    if (!isOptionOf(question.options, answer))
      throw invalid(`${field}: "${answer}" is not an option of this question`);
  },

  grade(answer, key) {
    const right = typeof answer === 'string' && key.correct.includes(answer);
    return { correct: right, credit: right ? 1 : 0, pending: false };
  },

  present: presentOptions,
  keyOf: (fields) => [...fields.correct],
  sheet: optionColumns,
};
