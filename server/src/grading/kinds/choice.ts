import { invalid } from '../../platform/errors.js';
import type { QuestionKind } from '../../../../contracts/questions.js';
import type { KindFields, PresentedFields, QuestionKindRules, SheetCell } from './types.js';

/**
 * What the option-based kinds share: the option columns of the spreadsheet, and the checks
 * that correct ids name options. Each kind still decides its own counts and grading.
 */
export const SHEET_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');

export const optionColumns: QuestionKindRules['sheet'] = {
  read(cell: SheetCell): KindFields {
    const options = SHEET_LETTERS.map((id) => ({
      id,
      text: cell(`option_${id.toLowerCase()}`),
    })).filter((o) => o.text !== '');
    const correct = cell('correct')
      .toUpperCase()
      .split(/[\s,;]+/)
      .filter(Boolean);
    return { options, correct };
  },
  write(fields: KindFields): Record<string, string> {
    const cells: Record<string, string> = { correct: fields.correct.join(',') };
    for (const o of fields.options) cells[`option_${o.id.toLowerCase()}`] = o.text;
    return cells;
  },
};

/** At least 2 options, every correct id an option, none twice. */
export function checkCorrectOptions(kind: QuestionKind, { options, correct }: KindFields): void {
  if (options.length < 2) throw invalid(`options: a ${kind} question needs at least 2 options`);
  const ids = new Set(options.map((o) => o.id));
  correct.forEach((id, i) => {
    if (!ids.has(id))
      throw invalid(`correct[${i}] "${id}" is not one of the option ids (${[...ids].join(', ')})`);
    if (correct.indexOf(id) !== i) throw invalid(`correct[${i}] "${id}" is listed twice`);
  });
}

/** Stored in option order, so equal keys compare equal and exports read naturally. */
export const inOptionOrder = ({ options, correct }: KindFields): KindFields => ({
  options,
  correct: options.map((o) => o.id).filter((id) => correct.includes(id)),
});

export const presentOptions = (
  { options }: KindFields,
  sanitize: (html: string) => string,
): PresentedFields => ({
  // sanitized on write already; again here so the payload is safe whatever wrote the row
  options: options.map((o) => ({ id: o.id, text: sanitize(o.text) })),
});

export const isOptionOf = (options: { id: string }[], id: string): boolean =>
  options.some((o) => o.id === id);
