import type { Sql } from '../platform/postgres.js';
import type { LoginRevoked, RevokedReason } from './login-registry.js';

export interface StudentAccount {
  id: string;
  nisn: string;
  name: string;
  classId: string | null;
  passwordHash: string;
}

export interface StaffAccount {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  superAdmin: boolean;
  active: boolean;
  roleName: string | null;
  permissions: string[];
}

export interface RefreshRow {
  id: string;
  loginId: string;
  tokenHash: Buffer;
  expiresAt: Date;
  usedAt: Date | null;
  userKind: 'student' | 'staff';
  userId: string;
  revokedReason: RevokedReason | null;
}

export function createAuthRepo(sql: Sql) {
  return {
    async studentByNisn(nisn: string): Promise<StudentAccount | undefined> {
      const [row] = await sql<StudentAccount[]>`
        SELECT id, nisn, name, class_id AS "classId", password_hash AS "passwordHash"
        FROM students WHERE nisn = ${nisn}`;
      return row;
    },

    async studentById(id: string): Promise<StudentAccount | undefined> {
      const [row] = await sql<StudentAccount[]>`
        SELECT id, nisn, name, class_id AS "classId", password_hash AS "passwordHash"
        FROM students WHERE id = ${id}`;
      return row;
    },

    async staffBy(where: { email: string } | { id: string }): Promise<StaffAccount | undefined> {
      const [row] = await sql<StaffAccount[]>`
        SELECT s.id, s.email, s.name, s.password_hash AS "passwordHash", s.is_super_admin AS "superAdmin",
               s.active, r.name AS "roleName",
               COALESCE(array_agg(p.code ORDER BY p.code) FILTER (WHERE p.code IS NOT NULL), '{}') AS permissions
        FROM staff s
        LEFT JOIN roles r ON r.id = s.role_id
        LEFT JOIN role_permissions rp ON rp.role_id = s.role_id
        LEFT JOIN permissions p ON p.id = rp.permission_id
        WHERE ${'email' in where ? sql`s.email = ${where.email.toLowerCase()}` : sql`s.id = ${where.id}`}
        GROUP BY s.id, r.name`;
      return row;
    },

    /** What StaffAccessCache keeps of an account: its role and flags. */
    async staffAccount(
      id: string,
    ): Promise<{ roleId: string | null; superAdmin: boolean; active: boolean } | undefined> {
      const [row] = await sql<{ roleId: string | null; superAdmin: boolean; active: boolean }[]>`
        SELECT role_id AS "roleId", is_super_admin AS "superAdmin", active FROM staff WHERE id = ${id}`;
      return row;
    },

    async rolePermissions(roleId: string): Promise<string[]> {
      const rows = await sql<{ code: string }[]>`
        SELECT p.code FROM role_permissions rp JOIN permissions p ON p.id = rp.permission_id
        WHERE rp.role_id = ${roleId}`;
      return rows.map((r) => r.code);
    },

    /**
     * A new login. For a student it revokes every other live login in the same transaction
     * (single device); the revoked ones are returned so their sockets can be kicked.
     */
    async createLogin(input: {
      userKind: 'student' | 'staff';
      userId: string;
      ip: string;
      userAgent: string | undefined;
      singleDevice: boolean;
      refresh: { hash: Buffer; expiresAt: Date };
    }): Promise<{ loginId: string; refreshId: string; replaced: LoginRevoked[] }> {
      return sql.begin(async (tx) => {
        let replaced: LoginRevoked[] = [];
        if (input.singleDevice) {
          // Lock the account's row so two simultaneous logins serialise: exactly one survives.
          await tx`SELECT 1 FROM students WHERE id = ${input.userId} FOR UPDATE`;
          replaced = await tx<LoginRevoked[]>`
            UPDATE logins SET revoked_at = now(), revoked_reason = 'REPLACED'
            WHERE user_kind = ${input.userKind} AND user_id = ${input.userId} AND revoked_at IS NULL
            RETURNING id AS "loginId", user_kind AS "userKind", user_id AS "userId", revoked_reason AS reason`;
        }
        const [login] = await tx<{ id: string }[]>`
          INSERT INTO logins (user_kind, user_id, ip, user_agent)
          VALUES (${input.userKind}, ${input.userId}, ${input.ip}, ${input.userAgent ?? null}) RETURNING id`;
        const [refresh] = await tx<{ id: string }[]>`
          INSERT INTO refresh_tokens (login_id, token_hash, expires_at)
          VALUES (${login!.id}, ${input.refresh.hash}, ${input.refresh.expiresAt}) RETURNING id`;
        return { loginId: login!.id, refreshId: refresh!.id, replaced };
      });
    },

    async refreshById(id: string): Promise<RefreshRow | undefined> {
      const [row] = await sql<RefreshRow[]>`
        SELECT t.id, t.login_id AS "loginId", t.token_hash AS "tokenHash", t.expires_at AS "expiresAt",
               t.used_at AS "usedAt", l.user_kind AS "userKind", l.user_id AS "userId",
               l.revoked_reason AS "revokedReason"
        FROM refresh_tokens t JOIN logins l ON l.id = t.login_id WHERE t.id = ${id}`;
      return row;
    },

    /** Marks a refresh token used and issues its successor; false when it was used already. */
    async rotateRefresh(
      oldId: string,
      loginId: string,
      next: { hash: Buffer; expiresAt: Date },
    ): Promise<string | undefined> {
      return sql.begin(async (tx) => {
        const used =
          await tx`UPDATE refresh_tokens SET used_at = now() WHERE id = ${oldId} AND used_at IS NULL RETURNING id`;
        if (used.length === 0) return undefined;
        const [row] = await tx<{ id: string }[]>`
          INSERT INTO refresh_tokens (login_id, token_hash, expires_at)
          VALUES (${loginId}, ${next.hash}, ${next.expiresAt}) RETURNING id`;
        return row!.id;
      });
    },

    async revokeLogin(loginId: string, reason: RevokedReason): Promise<LoginRevoked[]> {
      return sql<LoginRevoked[]>`
        UPDATE logins SET revoked_at = now(), revoked_reason = ${reason}
        WHERE id = ${loginId} AND revoked_at IS NULL
        RETURNING id AS "loginId", user_kind AS "userKind", user_id AS "userId", revoked_reason AS reason`;
    },

    async revokeAllLogins(
      userKind: 'student' | 'staff',
      userId: string,
      reason: RevokedReason,
    ): Promise<LoginRevoked[]> {
      return sql<LoginRevoked[]>`
        UPDATE logins SET revoked_at = now(), revoked_reason = ${reason}
        WHERE user_kind = ${userKind} AND user_id = ${userId} AND revoked_at IS NULL
        RETURNING id AS "loginId", user_kind AS "userKind", user_id AS "userId", revoked_reason AS reason`;
    },

    async upsertSuperAdmin(email: string, passwordHash: string): Promise<void> {
      await sql`
        INSERT INTO staff (email, name, password_hash, role_id, is_super_admin)
        VALUES (${email.toLowerCase()}, 'Administrator', ${passwordHash},
                (SELECT id FROM roles WHERE name = 'Admin'), true)
        ON CONFLICT (email) DO UPDATE SET password_hash = EXCLUDED.password_hash, is_super_admin = true,
          active = true, role_id = EXCLUDED.role_id, updated_at = now()`;
    },
  };
}

export type AuthRepo = ReturnType<typeof createAuthRepo>;
