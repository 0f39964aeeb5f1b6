import type postgres from 'postgres';
import type { Role } from '../../../contracts/staff.js';
import type { Sql, TransactionSql } from '../platform/postgres.js';

export interface RoleFields {
  name: string;
  description: string;
}

async function replacePermissions(
  tx: TransactionSql,
  roleId: string,
  codes: readonly string[],
): Promise<void> {
  await tx`DELETE FROM role_permissions WHERE role_id = ${roleId}`;
  await tx`
    INSERT INTO role_permissions (role_id, permission_id)
    SELECT ${roleId}, id FROM permissions WHERE code = ANY(${codes as string[]}::text[])`;
}

export function createRolesRepo(sql: Sql) {
  const select = (where: postgres.Fragment) => sql<Role[]>`
    SELECT r.id, r.name, r.description, r.builtin,
           COALESCE((SELECT array_agg(p.code ORDER BY p.code) FROM role_permissions rp
                     JOIN permissions p ON p.id = rp.permission_id WHERE rp.role_id = r.id), '{}') AS permissions,
           (SELECT count(*) FROM staff s WHERE s.role_id = r.id)::int AS "staffCount"
    FROM roles r
    WHERE ${where}
    ORDER BY r.builtin DESC, r.name`;

  return {
    list: (): Promise<Role[]> => select(sql`true`),

    async byId(id: string): Promise<Role | undefined> {
      const [row] = await select(sql`r.id = ${id}`);
      return row;
    },

    permissions: () =>
      sql<
        { code: string; description: string }[]
      >`SELECT code, description FROM permissions ORDER BY code`,

    /** The role and its permission set together, or neither. */
    async insert(fields: RoleFields, codes: readonly string[]): Promise<string> {
      return sql.begin(async (tx) => {
        const [row] = await tx<{ id: string }[]>`
          INSERT INTO roles (name, description) VALUES (${fields.name}, ${fields.description}) RETURNING id`;
        await replacePermissions(tx, row!.id, codes);
        return row!.id;
      });
    },

    async update(
      id: string,
      fields: Partial<RoleFields>,
      codes: readonly string[] | undefined,
    ): Promise<boolean> {
      return sql.begin(async (tx) => {
        const set: Record<string, string> = {};
        if (fields.name !== undefined) set['name'] = fields.name;
        if (fields.description !== undefined) set['description'] = fields.description;
        const rows =
          Object.keys(set).length > 0
            ? await tx`UPDATE roles SET ${tx(set)} WHERE id = ${id} RETURNING id`
            : await tx`SELECT id FROM roles WHERE id = ${id} FOR UPDATE`;
        if (rows.length === 0) return false;
        if (codes) await replacePermissions(tx, id, codes);
        return true;
      });
    },

    async remove(id: string): Promise<boolean> {
      const rows = await sql`DELETE FROM roles WHERE id = ${id} RETURNING id`;
      return rows.length > 0;
    },
  };
}

export type RolesRepo = ReturnType<typeof createRolesRepo>;
