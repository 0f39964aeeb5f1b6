import type { Guards } from '../auth/index.js';
import os from 'node:os';
import type {
  ClassCreate,
  ClassListQuery,
  ClassPatch,
  ImportResult,
  SchoolClass,
  Student,
  StudentCreate,
  StudentListQuery,
  StudentPage,
  StudentPatch,
} from '../../../contracts/school.js';
import type { AuthService } from '../auth/auth.service.js';
import { hashPassword } from '../auth/index.js';
import { conflict, invalid, notFound } from '../platform/errors.js';
import type { Sql } from '../platform/postgres.js';
import { readSpreadsheet } from '../platform/spreadsheet.js';
import { createClassesRepo } from './classes.repo.js';
import { classResolver, MAX_IMPORT_ROWS, planStudentImport } from './student-import.js';
import { createStudentsRepo, type StudentFields } from './students.repo.js';

/**
 * What other features keep of a class or a student (wired in context.ts from their repos),
 * asked before a delete that would lose it.
 */
export interface SchoolUsage {
  examsTargetingClass: (db: Sql, classId: string) => Promise<number>;
  examSessionsOfStudent: (db: Sql, studentId: string) => Promise<number>;
}

interface Deps {
  sql: Sql;
  auth: AuthService;
  bcryptCost: { staff: number; student: number };
  usage: SchoolUsage;
}

/**
 * bcrypt runs on libuv's thread pool (4 threads by default). Keeping an import's hashes to
 * about one per core leaves pool threads free, so the students signing in while an admin
 * imports a roster still get their password checked promptly.
 */
const HASH_CONCURRENCY = Math.max(2, Math.min(8, os.availableParallelism()));

const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII', 'XIII'];

/** Indonesian schools write kelas 10, IPA, group 1 as "X IPA 1". */
export function defaultClassName(c: {
  gradeLevel: number;
  majorCode: string;
  groupNumber: number;
}): string {
  return `${ROMAN[c.gradeLevel - 1] ?? c.gradeLevel} ${c.majorCode} ${c.groupNumber}`;
}

/** postgres.js reports the violated constraint by name; the global 409 is less specific. */
function onUnique<T>(constraint: string, message: string): (err: unknown) => T {
  return (err) => {
    const pg = err as { code?: string; constraint_name?: string };
    if (pg.code === '23505' && pg.constraint_name === constraint) throw conflict(message);
    throw err;
  };
}

async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const trimmed = <T extends string | undefined>(s: T): T =>
  s === undefined ? s : (s.trim().replace(/\s+/g, ' ') as T);

export function createSchoolService(deps: Deps) {
  const classes = createClassesRepo(deps.sql);
  const students = createStudentsRepo(deps.sql);
  const hashStudentPassword = (password: string) => hashPassword(password, deps.bcryptCost.student);

  async function mustGetClass(id: string): Promise<SchoolClass> {
    const found = await classes.byId(id);
    if (!found) throw notFound('Class');
    return found;
  }

  async function mustGetStudent(id: string): Promise<Student> {
    const found = await students.byId(id);
    if (!found) throw notFound('Student');
    return found;
  }

  async function checkClassExists(classId: string | null | undefined): Promise<void> {
    if (classId && !(await classes.exists(classId))) throw invalid('classId: no such class');
  }

  const duplicateClassName = (name: string | undefined) =>
    onUnique<never>('classes_name_key', `A class named "${name}" already exists`);
  const duplicateNisn = (nisn: string | undefined) =>
    onUnique<never>('students_nisn_key', `A student with NISN ${nisn} already exists`);

  return {
    // ── Classes ──
    listClasses: (query: ClassListQuery) => classes.list(query),

    getClass: mustGetClass,

    async createClass(body: ClassCreate): Promise<SchoolClass> {
      const fields = {
        ...body,
        majorCode: body.majorCode.trim(),
        name: trimmed(body.name) ?? defaultClassName(body),
      };
      const id = await classes.insert(fields).catch(duplicateClassName(fields.name));
      return mustGetClass(id);
    },

    async updateClass(id: string, patch: ClassPatch): Promise<SchoolClass> {
      const fields = { ...patch, majorCode: trimmed(patch.majorCode), name: trimmed(patch.name) };
      const updated = await classes.update(id, fields).catch(duplicateClassName(fields.name));
      if (!updated) throw notFound('Class');
      return mustGetClass(id);
    },

    async deleteClass(id: string): Promise<void> {
      const found = await mustGetClass(id);
      if (found.studentCount > 0) {
        throw conflict(
          `Class "${found.name}" still has ${found.studentCount} student(s); move or delete them before deleting the class`,
        );
      }
      const exams = await deps.usage.examsTargetingClass(deps.sql, id);
      if (exams > 0) {
        throw conflict(
          `Class "${found.name}" is a target of ${plural(exams, 'exam')}; remove it from their targets before deleting the class`,
        );
      }
      // A student added since the check makes the foreign key refuse; the global handler
      // answers that with 409 as well.
      await classes.remove(id);
    },

    // ── Students ──
    async listStudents(query: StudentListQuery): Promise<StudentPage> {
      const page = query.page ?? 1;
      const pageSize = query.pageSize ?? 50;
      const { items, total } = await students.list({
        classId: query.classId,
        q: query.q,
        page,
        pageSize,
      });
      return { items, total, page, pageSize };
    },

    getStudent: mustGetStudent,

    async createStudent(body: StudentCreate): Promise<Student> {
      await checkClassExists(body.classId);
      const id = await students
        .insert({
          nisn: body.nisn,
          name: trimmed(body.name),
          classId: body.classId ?? null,
          passwordHash: await hashStudentPassword(body.password),
        })
        .catch(duplicateNisn(body.nisn));
      return mustGetStudent(id);
    },

    async updateStudent(id: string, patch: StudentPatch): Promise<Student> {
      await checkClassExists(patch.classId);
      const fields: Partial<StudentFields> = {
        nisn: patch.nisn,
        name: trimmed(patch.name),
        classId: patch.classId,
      };
      if (patch.password !== undefined)
        fields.passwordHash = await hashStudentPassword(patch.password);
      const updated = await students.update(id, fields).catch(duplicateNisn(patch.nisn));
      if (!updated) throw notFound('Student');
      return mustGetStudent(id);
    },

    async deleteStudent(id: string): Promise<void> {
      const found = await mustGetStudent(id);
      const sessions = await deps.usage.examSessionsOfStudent(deps.sql, id);
      if (sessions > 0) {
        throw conflict(
          `Student "${found.name}" (NISN ${found.nisn}) has ${plural(sessions, 'exam session')}; their results are kept — move the student to another class instead`,
        );
      }
      // A session started since the check makes the foreign key refuse (migration 0005); the
      // global handler answers that with 409 as well.
      if (!(await students.remove(id))) throw notFound('Student');
      // A deleted student's token must stop working now, not when it expires.
      await deps.auth.revokeAll('student', id, 'DISABLED');
    },

    /** Signs the student out everywhere and lifts a lock after wrong passwords. */
    async resetStudentLogin(id: string): Promise<{ revoked: number }> {
      const { nisn } = await mustGetStudent(id);
      await deps.auth.unlockAccount({ nisn });
      return { revoked: await deps.auth.revokeAll('student', id, 'RESET') };
    },

    /**
     * A roster import: bad rows are reported by number while the good ones are written in
     * one upsert, so importing the same file again updates instead of duplicating.
     */
    async importStudents(file: Buffer): Promise<ImportResult> {
      const rows = await readSpreadsheet(file, { maxRows: MAX_IMPORT_ROWS });
      const { candidates, errors } = planStudentImport(rows, classResolver(await classes.refs()));
      const hashes = await mapBounded(candidates, HASH_CONCURRENCY, (c) =>
        hashStudentPassword(c.password),
      );
      const counts = await students.upsertMany(
        candidates.map((c, i) => ({
          nisn: c.nisn,
          name: c.name,
          classId: c.classId,
          passwordHash: hashes[i]!,
        })),
      );
      return { ...counts, errors };
    },
  };
}

export type SchoolService = ReturnType<typeof createSchoolService>;

/** What the school routes use: the school service, the guards, the upload limit for imports. */
export interface SchoolRouteDeps {
  school: SchoolService;
  guards: Guards;
  uploadLimitBytes: number;
}
