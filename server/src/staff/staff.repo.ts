import type postgres from 'postgres';
import type { StaffMember } from '../../../contracts/staff.js';
import type { Sql } from '../platform/postgres.js';

export interface StaffFields {
  email: string;
  name: string;
  passwordHash: string;
  roleId: string;
  active: boolean;
}

const COLUMNS = {
  email: 'email',
  name: 'name',
  passwordHash: 'password_hash',
  roleId: 'role_id',
  active: 'active',
} as const;

export function createStaffRepo(sql: Sql) {
  // Never selects password_hash: nothing read here can leak it.
  const select = (where: postgres.Fragment) => sql<StaffMember[]>`
    SELECT s.id, s.email, s.name, s.role_id AS "roleId", r.name AS "roleName", s.active, s.is_super_admin AS "superAdmin"
    FROM staff s LEFT JOIN roles r ON r.id = s.role_id
    WHERE ${where}
    ORDER BY s.name, s.email`;

  return {
    list: (): Promise<StaffMember[]> => select(sql`true`),

    async byId(id: string): Promise<StaffMember | undefined> {
      const [row] = await select(sql`s.id = ${id}`);
      return row;
    },

    async insert(fields: StaffFields): Promise<string> {
      const [row] = await sql<{ id: string }[]>`
        INSERT INTO staff (email, name, password_hash, role_id, active)
        VALUES (${fields.email}, ${fields.name}, ${fields.passwordHash}, ${fields.roleId}, ${fields.active})
        RETURNING id`;
      return row!.id;
    },

    async update(id: string, fields: Partial<StaffFields>): Promise<boolean> {
      const set: Record<string, string | boolean> = {};
      for (const key of Object.keys(COLUMNS) as (keyof StaffFields)[]) {
        const value = fields[key];
        if (value !== undefined) set[COLUMNS[key]] = value;
      }
      const rows =
        await sql`UPDATE staff SET ${sql(set)}, updated_at = now() WHERE id = ${id} RETURNING id`;
      return rows.length > 0;
    },

    async remove(id: string): Promise<boolean> {
      const rows = await sql`DELETE FROM staff WHERE id = ${id} RETURNING id`;
      return rows.length > 0;
    },
  };
}

export type StaffRepo = ReturnType<typeof createStaffRepo>;
