import Type, { type Static } from 'typebox';
import { Id, PageQuery, Strict, Timestamp } from './common.js';

/** The question bank (API.md, "Staff": questions). Staff-only: `correct` never reaches a student. */

/**
 * The kinds, once: every schema naming a kind builds on this list, and the server's kind
 * registry (server/src/grading/kinds/) is keyed by it, so a kind added here must get its rules.
 */
export const QuestionKindLiterals = [
  Type.Literal('single'),
  Type.Literal('multi'),
  Type.Literal('text'),
] as const;

export const QuestionKind = Type.Union([...QuestionKindLiterals], {
  description:
    'single: one correct option; multi: one or more; text: free answer, graded by a teacher',
});
export type QuestionKind = Static<typeof QuestionKind>;

/** One capital letter, so the spreadsheet layout (option_a … option_z) can carry every question. */
export const OptionId = Type.String({ pattern: '^[A-Z]$', description: 'A, B, C, …' });

export const QuestionOption = Strict({
  id: OptionId,
  text: Type.String({ minLength: 1, maxLength: 20_000, description: 'HTML, sanitized on write' }),
});
export type QuestionOption = Static<typeof QuestionOption>;

const fields = {
  kind: QuestionKind,
  text: Type.String({
    minLength: 1,
    maxLength: 100_000,
    description: 'HTML, sanitized on write; no base64 images',
  }),
  options: Type.Array(QuestionOption, { maxItems: 26, description: 'empty for text questions' }),
  correct: Type.Array(OptionId, {
    maxItems: 26,
    description: 'option ids; empty for text questions',
  }),
  points: Type.Number({ minimum: 0, maximum: 10_000 }),
  explanation: Type.String({ maxLength: 100_000, description: 'HTML shown with results' }),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 50 }), { maxItems: 30 }),
};

export const CreateQuestionBody = Strict({
  kind: fields.kind,
  text: fields.text,
  options: Type.Optional(fields.options),
  correct: Type.Optional(fields.correct),
  points: Type.Optional(Type.Number({ minimum: 0, maximum: 10_000, description: 'default 1' })),
  explanation: Type.Optional(fields.explanation),
  tags: Type.Optional(fields.tags),
});
export type CreateQuestionBody = Static<typeof CreateQuestionBody>;

/** Partial update: absent fields keep their value; the merged question is validated as a whole. */
export const UpdateQuestionBody = Strict(
  {
    kind: Type.Optional(fields.kind),
    text: Type.Optional(fields.text),
    options: Type.Optional(fields.options),
    correct: Type.Optional(fields.correct),
    points: Type.Optional(fields.points),
    explanation: Type.Optional(fields.explanation),
    tags: Type.Optional(fields.tags),
  },
  { minProperties: 1 },
);
export type UpdateQuestionBody = Static<typeof UpdateQuestionBody>;

export const Question = Type.Object({
  id: Id,
  ...fields,
  authorId: Type.Union([Id, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Question = Static<typeof Question>;

export const QuestionListQuery = Strict({
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  kind: Type.Optional(QuestionKind),
  search: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description: 'matches the text, case-insensitively',
    }),
  ),
  authorId: Type.Optional(Id),
  ...PageQuery,
});
export type QuestionListQuery = Static<typeof QuestionListQuery>;

/** The export takes the list's filters, without paging: it is the whole matching bank. */
export const QuestionExportQuery = Strict({
  tag: QuestionListQuery.properties.tag,
  kind: QuestionListQuery.properties.kind,
  search: QuestionListQuery.properties.search,
  authorId: QuestionListQuery.properties.authorId,
});
export type QuestionExportQuery = Static<typeof QuestionExportQuery>;

export const ImportResult = Type.Object({
  created: Type.Integer(),
  errors: Type.Array(
    Type.Object({
      row: Type.Integer({ description: 'spreadsheet row number; the header is row 1' }),
      message: Type.String(),
    }),
  ),
});
export type ImportResult = Static<typeof ImportResult>;

/**
 * Documents a multipart body (part `file`) in /openapi.json. Deliberately without
 * `type: object`: the multipart parser leaves the body empty and streams the file to the
 * handler, so this schema must accept an empty body while still refusing a JSON one.
 */
export const FilePartBody = Type.Unsafe<unknown>({
  properties: {
    file: { type: 'string', format: 'binary', description: 'the file, in a part named "file"' },
  },
  required: ['file'],
});

export const UploadedImage = Type.Object({
  url: Type.String({
    description: 'site-relative, e.g. /uploads/<sha256>.png; embed it in question HTML',
  }),
});
