import { invalid } from '../../platform/errors.js';
import {
  checkCorrectOptions,
  inOptionOrder,
  isOptionOf,
  optionColumns,
  presentOptions,
} from './choice.js';
import type { QuestionKindRules } from './types.js';

/**
 * One or more correct options; the answer is a set of option ids. Right when the sets are
 * equal; with partial credit max(0, (right − wrong) / #correct) of the points otherwise.
 */
export const multi: QuestionKindRules<'multi'> = {
  kind: 'multi',
  gradedByHand: false,

  authoring(fields) {
    checkCorrectOptions('multi', fields);
    if (fields.correct.length < 1)
      throw invalid('correct: a multi question needs at least 1 correct option');
    return inOptionOrder(fields);
  },

  checkAnswer(answer, question, field) {
    if (!Array.isArray(answer))
      throw invalid(`${field} must be a list of option ids for a multiple-choice question`);
    const unknown = answer.find((id) => !isOptionOf(question.options, id));
    if (unknown !== undefined)
      throw invalid(`${field}: "${unknown}" is not an option of this question`);
    if (new Set(answer).size !== answer.length) throw invalid(`${field} lists an option twice`);
  },

  grade(answer, key, { partialCredit }) {
    // a stored string (written before its shape was checked) counts as one pick
    const picks = new Set(Array.isArray(answer) ? answer : [answer]);
    const correct = new Set(key.correct);
    const rightPicks = [...picks].filter((p) => correct.has(p)).length;
    const wrongPicks = picks.size - rightPicks;
    if (wrongPicks === 0 && rightPicks === correct.size)
      return { correct: true, credit: 1, pending: false };
    const credit =
      partialCredit && correct.size > 0 ? Math.max(0, (rightPicks - wrongPicks) / correct.size) : 0;
    return { correct: false, credit, pending: false };
  },

  present: presentOptions,
  keyOf: (fields) => [...fields.correct],
  sheet: optionColumns,
};
