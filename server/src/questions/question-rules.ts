import type { QuestionKind, QuestionOption } from '../../../contracts/questions.js';
import { kindOf } from '../grading/index.js';
import { cleanRichText, isBlankRichText } from '../media/index.js';
import { invalid } from '../platform/errors.js';

/** A question's authored content, before or after normalization. */
export interface QuestionContent {
  kind: QuestionKind;
  text: string;
  options: QuestionOption[];
  correct: string[];
  points: number;
  explanation: string;
  tags: string[];
}

/**
 * The write rules for a question, as a pure function: sanitizes every HTML field (refusing
 * inline images), has the kind check its own fields (grading/kinds/), and tidies points and
 * tags. Throws VALIDATION_FAILED naming the first offending field.
 */
export function normalizeQuestion(input: QuestionContent): QuestionContent {
  const text = cleanRichText('text', input.text);
  if (isBlankRichText(text)) throw invalid('text is empty once unsafe HTML is removed');

  const seen = new Set<string>();
  const options = input.options.map((o, i) => {
    if (seen.has(o.id))
      throw invalid(`options[${i}].id "${o.id}" is used twice; option ids must be unique`);
    seen.add(o.id);
    const optionText = cleanRichText(`options[${i}].text`, o.text);
    if (isBlankRichText(optionText))
      throw invalid(`options[${i}].text is empty once unsafe HTML is removed`);
    return { id: o.id, text: optionText };
  });

  const kindFields = kindOf(input.kind).authoring({ options, correct: input.correct });
  // also enforced by the route schema; repeated here for imports, which bypass it
  if (!Number.isFinite(input.points) || input.points < 0 || input.points > 10_000) {
    throw invalid('points must be a number from 0 to 10000');
  }

  return {
    kind: input.kind,
    text,
    options: kindFields.options,
    correct: kindFields.correct,
    points: Math.round(input.points * 100) / 100,
    explanation: cleanRichText('explanation', input.explanation),
    tags: normalizeTags(input.tags),
  };
}

/** Trimmed, blank ones dropped, duplicates (ignoring case) dropped, first spelling kept. */
export function normalizeTags(tags: string[]): string[] {
  const byKey = new Map<string, string>();
  for (const raw of tags) {
    const tag = raw.trim().replace(/\s+/g, ' ');
    if (tag.length > 50) throw invalid(`tags: "${tag.slice(0, 20)}…" is longer than 50 characters`);
    if (tag && !byKey.has(tag.toLowerCase())) byKey.set(tag.toLowerCase(), tag);
  }
  if (byKey.size > 30) throw invalid('tags: at most 30 tags');
  return [...byKey.values()];
}
