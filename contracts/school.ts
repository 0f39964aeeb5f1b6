import Type, { type Static } from 'typebox';
import { Id, Page, PageQuery, Strict } from './common.js';

// ── Classes ─────────────────────────────────────────────────────────────────────────

const GradeLevel = Type.Integer({ minimum: 1, maximum: 13, description: 'e.g. 10 for kelas X' });
const MajorCode = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '\\S',
  description: 'e.g. IPA, IPS, TKJ',
});
const GroupNumber = Type.Integer({
  minimum: 1,
  maximum: 999,
  description: 'the parallel group: 1 in "X IPA 1"',
});
const ClassName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '\\S',
  description: 'unique, e.g. "X IPA 1"',
});

export const SchoolClass = Type.Object({
  id: Id,
  gradeLevel: Type.Integer(),
  majorCode: Type.String(),
  groupNumber: Type.Integer(),
  name: Type.String(),
  studentCount: Type.Integer({ description: 'students currently in the class' }),
});
export type SchoolClass = Static<typeof SchoolClass>;

export const ClassList = Type.Object({ items: Type.Array(SchoolClass) });

export const ClassListQuery = Type.Object({
  gradeLevel: Type.Optional(GradeLevel),
  majorCode: Type.Optional(MajorCode),
});
export type ClassListQuery = Static<typeof ClassListQuery>;

/** Create. Without a name the class is called "<grade in Roman numerals> <major> <group>", e.g. "X IPA 1". */
export const ClassCreate = Strict({
  gradeLevel: GradeLevel,
  majorCode: MajorCode,
  groupNumber: GroupNumber,
  name: Type.Optional(ClassName),
});
export type ClassCreate = Static<typeof ClassCreate>;

/** PUT: the whole class. */
export const ClassReplace = Strict({
  gradeLevel: GradeLevel,
  majorCode: MajorCode,
  groupNumber: GroupNumber,
  name: ClassName,
});
export type ClassReplace = Static<typeof ClassReplace>;

export const ClassPatch = Strict(
  {
    gradeLevel: Type.Optional(GradeLevel),
    majorCode: Type.Optional(MajorCode),
    groupNumber: Type.Optional(GroupNumber),
    name: Type.Optional(ClassName),
  },
  { minProperties: 1 },
);
export type ClassPatch = Static<typeof ClassPatch>;

// ── Students ────────────────────────────────────────────────────────────────────────

/** The national student number: digits only (kept as text: leading zeros matter). */
export const NISN_PATTERN = '^[0-9]{4,20}$';
const Nisn = Type.String({ pattern: NISN_PATTERN, description: '4–20 digits, leading zeros kept' });
const StudentName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
// bcrypt reads at most 72 bytes; a longer password would be silently truncated.
const StudentPassword = Type.String({
  minLength: 4,
  maxLength: 72,
  description: 'stored as a bcrypt hash, never returned',
});
const ClassRef = Type.Union([Id, Type.Null()], { description: 'the class id, or null for none' });

export const Student = Type.Object({
  id: Id,
  nisn: Type.String(),
  name: Type.String(),
  classId: Type.Union([Id, Type.Null()]),
  className: Type.Union([Type.String(), Type.Null()]),
});
export type Student = Static<typeof Student>;

export const StudentPage = Page(Student);
export type StudentPage = Static<typeof StudentPage>;

export const StudentListQuery = Type.Object({
  classId: Type.Optional(Id),
  q: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description: 'part of the name, or the start of the NISN',
    }),
  ),
  ...PageQuery,
});
export type StudentListQuery = Static<typeof StudentListQuery>;

export const StudentCreate = Strict({
  nisn: Nisn,
  name: StudentName,
  classId: Type.Optional(ClassRef),
  password: StudentPassword,
});
export type StudentCreate = Static<typeof StudentCreate>;

/** PUT: the whole student; the password stays as it is unless a new one is given. */
export const StudentReplace = Strict({
  nisn: Nisn,
  name: StudentName,
  classId: ClassRef,
  password: Type.Optional(StudentPassword),
});
export type StudentReplace = Static<typeof StudentReplace>;

export const StudentPatch = Strict(
  {
    nisn: Type.Optional(Nisn),
    name: Type.Optional(StudentName),
    classId: Type.Optional(ClassRef),
    password: Type.Optional(StudentPassword),
  },
  { minProperties: 1 },
);
export type StudentPatch = Static<typeof StudentPatch>;

export const ResetLoginResult = Type.Object({
  revoked: Type.Integer({ description: 'live logins signed out' }),
});

// ── Import ──────────────────────────────────────────────────────────────────────────

export const IMPORT_COLUMNS = ['nisn', 'name', 'password', 'class'] as const;

/**
 * The multipart body, for the OpenAPI document. It has no `type` on purpose: Fastify does
 * not parse multipart bodies itself, and the handler reads the stream.
 */
export const ImportUpload = Type.Unsafe<unknown>({
  properties: {
    file: {
      type: 'string',
      format: 'binary',
      description: 'CSV or XLSX, header row: nisn, name, password, class',
    },
  },
  required: ['file'],
});

export const ImportRowError = Type.Object({
  row: Type.Integer({ description: 'the spreadsheet row number; the header is row 1' }),
  message: Type.String(),
});

export const ImportResult = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  errors: Type.Array(ImportRowError),
});
export type ImportResult = Static<typeof ImportResult>;
