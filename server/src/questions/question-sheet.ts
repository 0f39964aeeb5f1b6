import { isQuestionKind, kindOf, QUESTION_KINDS, SHEET_LETTERS } from '../grading/index.js';
import type { CellValue, TableRow } from '../platform/spreadsheet.js';
import { invalid } from '../platform/errors.js';
import type { QuestionContent } from './question-rules.js';

/**
 * The documented spreadsheet layout of the question bank, shared by import, export and the
 * template (so an export can be edited in Excel and imported again):
 *
 *   kind | text | option_a … option_f | correct | points | explanation | tags
 *
 * kind: single, multi or text. text / option_x / explanation: HTML or plain text.
 * correct: option letters, e.g. "B" or "A,C" (empty for text). points: a number, default 1.
 * tags: comma-separated. Further option columns (option_g … option_z) are read if present.
 * Headers are matched case-insensitively ("Option A" = option_a); column order is free.
 */
const LETTERS = SHEET_LETTERS;
const BASE_OPTION_COUNT = 6;

export function sheetHeaders(optionCount = BASE_OPTION_COUNT): string[] {
  const letters = LETTERS.slice(0, Math.max(optionCount, BASE_OPTION_COUNT));
  return [
    'kind',
    'text',
    ...letters.map((l) => `option_${l.toLowerCase()}`),
    'correct',
    'points',
    'explanation',
    'tags',
  ];
}

export const REQUIRED_HEADERS = ['kind', 'text'];

/** "single, multi or text" */
const KIND_LIST = `${QUESTION_KINDS.slice(0, -1).join(', ')} or ${QUESTION_KINDS.at(-1)}`;

/** One spreadsheet row → question content (not yet sanitized: normalizeQuestion does that). */
export function rowToQuestion(row: TableRow): QuestionContent {
  const cell = (name: string) => (row.cells[name] ?? '').trim();
  const kind = cell('kind').toLowerCase();
  if (!isQuestionKind(kind)) throw invalid(`kind must be ${KIND_LIST} (got "${cell('kind')}")`);
  const { options, correct } = kindOf(kind).sheet.read(cell);
  return {
    kind,
    text: cell('text'),
    options,
    correct,
    points: parsePoints(cell('points')),
    explanation: cell('explanation'),
    tags: cell('tags')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  };
}

function parsePoints(text: string): number {
  if (text === '') return 1;
  // "1,5" is how a comma-decimal locale writes 1.5
  const value = Number(/^\d+,\d+$/.test(text) ? text.replace(',', '.') : text);
  if (!Number.isFinite(value)) throw invalid(`points must be a number (got "${text}")`);
  return value;
}

/** A stored question → one row in the layout of `sheetHeaders(optionCount)`. */
export function questionToRow(q: QuestionContent, optionCount = BASE_OPTION_COUNT): CellValue[] {
  const letters = LETTERS.slice(0, Math.max(optionCount, BASE_OPTION_COUNT));
  const cells = kindOf(q.kind).sheet.write(q);
  return [
    q.kind,
    q.text,
    ...letters.map((l) => cells[`option_${l.toLowerCase()}`] ?? ''),
    cells['correct'] ?? '',
    q.points,
    q.explanation,
    q.tags.join(', '),
  ];
}

/** How many option columns an export needs: up to the highest letter any question uses. */
export function optionColumnsFor(questions: QuestionContent[]): number {
  let highest = 0;
  for (const q of questions)
    for (const o of q.options) highest = Math.max(highest, LETTERS.indexOf(o.id) + 1);
  return highest;
}

/** The template's example rows: one of each kind. */
export const TEMPLATE_EXAMPLES: QuestionContent[] = [
  {
    kind: 'single',
    text: '<p>What is 7 × 8?</p>',
    options: [
      { id: 'A', text: '54' },
      { id: 'B', text: '56' },
      { id: 'C', text: '58' },
      { id: 'D', text: '64' },
    ],
    correct: ['B'],
    points: 1,
    explanation: '7 × 8 = 56',
    tags: ['math', 'grade 7'],
  },
  {
    kind: 'multi',
    text: '<p>Which of these are prime numbers?</p>',
    options: [
      { id: 'A', text: '2' },
      { id: 'B', text: '9' },
      { id: 'C', text: '13' },
      { id: 'D', text: '21' },
    ],
    correct: ['A', 'C'],
    points: 2,
    explanation: '',
    tags: ['math'],
  },
  {
    kind: 'text',
    text: '<p>Explain in one sentence why the sky is blue.</p>',
    options: [],
    correct: [],
    points: 5,
    explanation: 'Rayleigh scattering',
    tags: ['physics'],
  },
];
