import type { SchoolClass } from '../../../contracts/school.js';
import type postgres from 'postgres';
import type { Sql } from '../platform/postgres.js';

export interface ClassFields {
  gradeLevel: number;
  majorCode: string;
  groupNumber: number;
  name: string;
}

const COLUMNS = {
  gradeLevel: 'grade_level',
  majorCode: 'major_code',
  groupNumber: 'group_number',
  name: 'name',
} as const;

export function createClassesRepo(sql: Sql) {
  const select = (where: postgres.Fragment) => sql<SchoolClass[]>`
    SELECT c.id, c.grade_level AS "gradeLevel", c.major_code AS "majorCode", c.group_number AS "groupNumber", c.name,
           (SELECT count(*) FROM students s WHERE s.class_id = c.id)::int AS "studentCount"
    FROM classes c
    WHERE ${where}
    ORDER BY c.grade_level, c.major_code, c.group_number, c.name`;

  return {
    async list(filter: {
      gradeLevel?: number | undefined;
      majorCode?: string | undefined;
    }): Promise<SchoolClass[]> {
      const grade =
        filter.gradeLevel === undefined ? sql`true` : sql`c.grade_level = ${filter.gradeLevel}`;
      const major =
        filter.majorCode === undefined
          ? sql`true`
          : sql`lower(c.major_code) = lower(${filter.majorCode})`;
      return select(sql`${grade} AND ${major}`);
    },

    async byId(id: string): Promise<SchoolClass | undefined> {
      const [row] = await select(sql`c.id = ${id}`);
      return row;
    },

    async exists(id: string): Promise<boolean> {
      const rows = await sql`SELECT 1 FROM classes WHERE id = ${id}`;
      return rows.length > 0;
    },

    /** Just enough to resolve a spreadsheet's class column. */
    async refs(): Promise<{ id: string; name: string }[]> {
      return sql<{ id: string; name: string }[]>`SELECT id, name FROM classes`;
    },

    async insert(fields: ClassFields): Promise<string> {
      const [row] = await sql<{ id: string }[]>`
        INSERT INTO classes (grade_level, major_code, group_number, name)
        VALUES (${fields.gradeLevel}, ${fields.majorCode}, ${fields.groupNumber}, ${fields.name})
        RETURNING id`;
      return row!.id;
    },

    async update(id: string, fields: Partial<ClassFields>): Promise<boolean> {
      const set: Record<string, string | number> = {};
      for (const key of Object.keys(COLUMNS) as (keyof ClassFields)[]) {
        const value = fields[key];
        if (value !== undefined) set[COLUMNS[key]] = value;
      }
      const rows =
        await sql`UPDATE classes SET ${sql(set)}, updated_at = now() WHERE id = ${id} RETURNING id`;
      return rows.length > 0;
    },

    async remove(id: string): Promise<boolean> {
      const rows = await sql`DELETE FROM classes WHERE id = ${id} RETURNING id`;
      return rows.length > 0;
    },
  };
}

export type ClassesRepo = ReturnType<typeof createClassesRepo>;
