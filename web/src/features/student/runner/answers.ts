import type { Answer } from '../../../api/types';

/** Whether an answer counts as answered in the navigator and the submit check. */
export function isAnswered(answer: Answer | undefined): boolean {
  if (answer === null || answer === undefined) return false;
  if (Array.isArray(answer)) return answer.length > 0;
  return answer.trim().length > 0;
}
