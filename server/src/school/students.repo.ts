import type postgres from 'postgres';
import type { Student } from '../../../contracts/school.js';
import type { Sql } from '../platform/postgres.js';

export interface StudentFields {
  nisn: string;
  name: string;
  classId: string | null;
  passwordHash: string;
}

export interface StudentQuery {
  classId?: string | undefined;
  q?: string | undefined;
  page: number;
  pageSize: number;
}

export interface ImportRow {
  nisn: string;
  name: string;
  classId: string;
  passwordHash: string;
}

const COLUMNS = {
  nisn: 'nisn',
  name: 'name',
  classId: 'class_id',
  passwordHash: 'password_hash',
} as const;

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createStudentsRepo(sql: Sql) {
  // Never selects password_hash: nothing read here can leak it.
  const select = (where: postgres.Fragment, tail: postgres.Fragment = sql``) => sql<Student[]>`
    SELECT s.id, s.nisn, s.name, s.class_id AS "classId", c.name AS "className"
    FROM students s LEFT JOIN classes c ON c.id = s.class_id
    WHERE ${where}
    ${tail}`;

  return {
    async list(query: StudentQuery): Promise<{ items: Student[]; total: number }> {
      const byClass = query.classId === undefined ? sql`true` : sql`s.class_id = ${query.classId}`;
      const q = query.q?.trim();
      // Name anywhere (people search "budi" for "Ahmad Budi"), NISN by its start; a school's
      // few thousand rows scan in milliseconds, and the NISN prefix uses its unique index.
      const search = !q
        ? sql`true`
        : sql`(s.name ILIKE ${'%' + likeEscape(q) + '%'} OR s.nisn LIKE ${likeEscape(q) + '%'})`;
      const where = sql`${byClass} AND ${search}`;
      const [items, [count]] = await Promise.all([
        select(
          where,
          sql`ORDER BY s.name, s.nisn LIMIT ${query.pageSize} OFFSET ${(query.page - 1) * query.pageSize}`,
        ),
        sql<{ total: number }[]>`SELECT count(*)::int AS total FROM students s WHERE ${where}`,
      ]);
      return { items, total: count?.total ?? 0 };
    },

    async byId(id: string): Promise<Student | undefined> {
      const [row] = await select(sql`s.id = ${id}`);
      return row;
    },

    async insert(fields: StudentFields): Promise<string> {
      const [row] = await sql<{ id: string }[]>`
        INSERT INTO students (nisn, name, class_id, password_hash)
        VALUES (${fields.nisn}, ${fields.name}, ${fields.classId}, ${fields.passwordHash})
        RETURNING id`;
      return row!.id;
    },

    async update(id: string, fields: Partial<StudentFields>): Promise<boolean> {
      const set: Record<string, string | null> = {};
      for (const key of Object.keys(COLUMNS) as (keyof StudentFields)[]) {
        const value = fields[key];
        if (value !== undefined) set[COLUMNS[key]] = value;
      }
      const rows =
        await sql`UPDATE students SET ${sql(set)}, updated_at = now() WHERE id = ${id} RETURNING id`;
      return rows.length > 0;
    },

    async remove(id: string): Promise<boolean> {
      const rows = await sql`DELETE FROM students WHERE id = ${id} RETURNING id`;
      return rows.length > 0;
    },

    async exists(id: string): Promise<boolean> {
      const rows = await sql`SELECT 1 FROM students WHERE id = ${id}`;
      return rows.length > 0;
    },

    /**
     * One statement for the whole file: new NISNs are inserted, known ones updated.
     * `xmax = 0` holds exactly for rows this statement inserted, which splits the counts
     * without a second query. Callers pass each NISN at most once (ON CONFLICT cannot
     * touch one row twice in a statement).
     */
    async upsertMany(rows: readonly ImportRow[]): Promise<{ created: number; updated: number }> {
      if (rows.length === 0) return { created: 0, updated: 0 };
      const [counts] = await sql<{ created: number; updated: number }[]>`
        WITH upserted AS (
          INSERT INTO students (nisn, name, class_id, password_hash)
          SELECT * FROM unnest(${rows.map((r) => r.nisn)}::text[], ${rows.map((r) => r.name)}::text[],
                               ${rows.map((r) => r.classId)}::uuid[], ${rows.map((r) => r.passwordHash)}::text[])
          ON CONFLICT (nisn) DO UPDATE SET name = EXCLUDED.name, class_id = EXCLUDED.class_id,
            password_hash = EXCLUDED.password_hash, updated_at = now()
          RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted)::int AS created, count(*) FILTER (WHERE NOT inserted)::int AS updated
        FROM upserted`;
      return counts ?? { created: 0, updated: 0 };
    },
  };
}

export type StudentsRepo = ReturnType<typeof createStudentsRepo>;
