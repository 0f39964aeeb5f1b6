import { NISN_PATTERN } from '../../../contracts/school.js';
import { invalid } from '../platform/errors.js';
import { normalizeHeader, type SheetRow } from '../platform/spreadsheet.js';

/**
 * The rules of a student import, without I/O: which columns mean what, which rows are
 * good, and why the others are not. The service hashes and writes what this accepts.
 */

export interface ImportCandidate {
  row: number;
  nisn: string;
  name: string;
  password: string;
  classId: string;
}

export interface RowError {
  row: number;
  message: string;
}

type Column = 'nisn' | 'name' | 'password' | 'class';

// Schools fill these in in Indonesian as often as in English; keys are normalized headers.
const HEADER_ALIASES: Record<string, Column> = {
  nisn: 'nisn',
  name: 'name',
  nama: 'name',
  student_name: 'name',
  nama_siswa: 'name',
  password: 'password',
  kata_sandi: 'password',
  sandi: 'password',
  class: 'class',
  kelas: 'class',
  class_name: 'class',
  class_id: 'class',
  classid: 'class',
};

/** A whole school's roster fits; the reader refuses a longer file. */
export const MAX_IMPORT_ROWS = 20_000;
const NISN = new RegExp(NISN_PATTERN);
const MAX_NAME = 200;
const MIN_PASSWORD = 4;
const MAX_PASSWORD_BYTES = 72;

const normalizeClassName = (n: string) => n.trim().toLowerCase().replace(/\s+/g, ' ');

/** Finds a class by id, exact name, or name ignoring case and spacing. */
export function classResolver(classes: ReadonlyArray<{ id: string; name: string }>) {
  const byId = new Map(classes.map((c) => [c.id.toLowerCase(), c.id]));
  const byName = new Map(classes.map((c) => [c.name, c.id]));
  const byLooseName = new Map<string, string | null>();
  for (const c of classes) {
    const key = normalizeClassName(c.name);
    // Two classes differing only in case: a loose match would be a guess, so refuse it.
    byLooseName.set(key, byLooseName.has(key) ? null : c.id);
  }
  return (ref: string): string | undefined =>
    byId.get(ref.toLowerCase()) ??
    byName.get(ref) ??
    byLooseName.get(normalizeClassName(ref)) ??
    undefined;
}

function columnIndexes(header: SheetRow): Record<Column, number> {
  const found: Partial<Record<Column, number>> = {};
  header.cells.forEach((cell, index) => {
    const column = HEADER_ALIASES[normalizeHeader(cell)];
    if (column && found[column] === undefined) found[column] = index;
  });
  const missing = (['nisn', 'name', 'password', 'class'] as const).filter(
    (c) => found[c] === undefined,
  );
  if (missing.length > 0) {
    throw invalid(
      `file: the first row must be a header naming the columns nisn, name, password and class (missing: ${missing.join(', ')})`,
    );
  }
  return found as Record<Column, number>;
}

function joinWords(words: string[]): string {
  return words.length <= 1
    ? words.join('')
    : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/**
 * Splits the rows into candidates and row errors. The first row is the header; a NISN seen
 * twice keeps its first row and reports the later ones, so one file never writes a student
 * twice with different data.
 */
export function planStudentImport(
  rows: readonly SheetRow[],
  resolveClass: (ref: string) => string | undefined,
): { candidates: ImportCandidate[]; errors: RowError[] } {
  const [header, ...data] = rows;
  if (!header)
    throw invalid(
      'file: the file has no rows; the first row must be the header nisn, name, password, class',
    );
  const at = columnIndexes(header);
  if (data.length === 0) throw invalid('file: there are no student rows below the header');

  const candidates: ImportCandidate[] = [];
  const errors: RowError[] = [];
  const firstRowOf = new Map<string, number>();
  for (const { row, cells } of data) {
    const value = (c: Column) => cells[at[c]] ?? '';
    const nisn = value('nisn');
    const name = value('name');
    const password = value('password');
    const classRef = value('class');
    const fail = (message: string) => errors.push({ row, message });

    const missing = (['nisn', 'name', 'password', 'class'] as const).filter((c) => value(c) === '');
    if (missing.length > 0) {
      fail(`${joinWords(missing)} ${missing.length === 1 ? 'is' : 'are'} missing`);
      continue;
    }
    if (!NISN.test(nisn)) {
      fail(`NISN "${nisn}" is not valid: it must be 4 to 20 digits`);
      continue;
    }
    const seenAt = firstRowOf.get(nisn);
    if (seenAt !== undefined) {
      fail(`NISN ${nisn} already appears in row ${seenAt}`);
      continue;
    }
    firstRowOf.set(nisn, row);
    if (name.length > MAX_NAME) {
      fail(`the name is longer than ${MAX_NAME} characters`);
      continue;
    }
    if (password.length < MIN_PASSWORD || Buffer.byteLength(password) > MAX_PASSWORD_BYTES) {
      fail(`the password must be ${MIN_PASSWORD} to ${MAX_PASSWORD_BYTES} characters`);
      continue;
    }
    const classId = resolveClass(classRef);
    if (!classId) {
      fail(`unknown class "${classRef}" (use an existing class's name or id)`);
      continue;
    }
    candidates.push({ row, nisn, name: name.replace(/\s+/g, ' '), password, classId });
  }
  return { candidates, errors };
}

/** A CSV someone can fill in: the header and one example row. */
export const IMPORT_TEMPLATE_CSV =
  'nisn,name,password,class\r\n0012345678,Ayu Lestari,rahasia123,X IPA 1\r\n';
