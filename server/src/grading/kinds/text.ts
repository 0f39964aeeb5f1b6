import { invalid } from '../../platform/errors.js';
import { optionColumns } from './choice.js';
import type { QuestionKindRules } from './types.js';

/** A written answer: no options, no key; a teacher grades it, so it waits as pending. */
export const text: QuestionKindRules<'text'> = {
  kind: 'text',
  gradedByHand: true,

  authoring(fields) {
    if (fields.options.length > 0) throw invalid('options must be empty for a text question');
    if (fields.correct.length > 0)
      throw invalid('correct must be empty for a text question (a teacher grades it)');
    return { options: [], correct: [] };
  },

  checkAnswer(answer, _question, field) {
    if (typeof answer !== 'string')
      throw invalid(`${field} must be text for a written-answer question`);
  },

  grade: () => ({ correct: null, credit: 0, pending: true }),

  present: () => ({ options: [] }),
  keyOf: () => [],
  // the option columns are read so that a text row with options is refused, not silently cut
  sheet: optionColumns,
};
