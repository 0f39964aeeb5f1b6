import type {
  Role,
  RoleCreate,
  RolePatch,
  StaffCreate,
  StaffMember,
  StaffPatch,
} from '../../../contracts/staff.js';
import type { AuthService } from '../auth/auth.service.js';
import { hashPassword } from '../auth/index.js';
import type { StaffPrincipal } from '../auth/index.js';
import { type AppError, conflict, invalid, notFound } from '../platform/errors.js';
import type { Sql } from '../platform/postgres.js';
import { createRolesRepo } from './roles.repo.js';
import { grantRefusal, roleChangeRefusal, staffChangeRefusal } from './staff.policy.js';
import { createStaffRepo, type StaffFields } from './staff.repo.js';

interface Deps {
  sql: Sql;
  auth: AuthService;
  bcryptCost: { staff: number; student: number };
}

/** postgres.js reports the violated constraint by name; the global 409 is less specific. */
function onUnique(constraint: string, message: string): (err: unknown) => never {
  return (err) => {
    const pg = err as { code?: string; constraint_name?: string };
    if (pg.code === '23505' && pg.constraint_name === constraint) throw conflict(message);
    throw err;
  };
}

const oneLine = <T extends string | undefined>(s: T): T =>
  s === undefined ? s : (s.trim().replace(/\s+/g, ' ') as T);

export function createStaffService(deps: Deps) {
  const staff = createStaffRepo(deps.sql);
  const roles = createRolesRepo(deps.sql);

  async function mustGetStaff(id: string): Promise<StaffMember> {
    const found = await staff.byId(id);
    if (!found) throw notFound('Staff member');
    return found;
  }

  async function mustGetRole(id: string): Promise<Role> {
    const found = await roles.byId(id);
    if (!found) throw notFound('Role');
    return found;
  }

  /** The permission codes of a role named in a request (400 when there is no such role). */
  async function codesOfRole(roleId: string | null): Promise<string[]> {
    if (roleId === null) return [];
    const role = await roles.byId(roleId);
    if (!role) throw invalid('roleId: no such role');
    return role.permissions;
  }

  function refuse(refusal: AppError | undefined): void {
    if (refusal) throw refusal;
  }

  async function checkPermissionCodes(codes: readonly string[] | undefined): Promise<void> {
    if (!codes) return;
    const known = new Set((await roles.permissions()).map((p) => p.code));
    const unknown = codes.filter((c) => !known.has(c));
    if (unknown.length > 0)
      throw invalid(`permissions: unknown permission code(s): ${unknown.join(', ')}`);
  }

  const duplicateEmail = (email: string | undefined) =>
    onUnique('staff_email_key', `A staff account with the email ${email} already exists`);
  const duplicateRole = (name: string | undefined) =>
    onUnique('roles_name_key', `A role named "${name}" already exists`);

  return {
    // ── Staff accounts ──
    listStaff: () => staff.list(),

    getStaff: mustGetStaff,

    async createStaff(me: StaffPrincipal, body: StaffCreate): Promise<StaffMember> {
      refuse(grantRefusal(me, await codesOfRole(body.roleId), 'Giving this role'));
      const email = body.email.toLowerCase();
      const id = await staff
        .insert({
          email,
          name: oneLine(body.name),
          roleId: body.roleId,
          active: body.active ?? true,
          passwordHash: await hashPassword(body.password, deps.bcryptCost.staff),
        })
        .catch(duplicateEmail(email));
      return mustGetStaff(id);
    },

    async updateStaff(me: StaffPrincipal, id: string, patch: StaffPatch): Promise<StaffMember> {
      const target = await mustGetStaff(id);
      refuse(staffChangeRefusal(me, target, patch.active === false ? 'deactivate' : 'edit'));
      refuse(grantRefusal(me, await codesOfRole(target.roleId), 'Changing this account'));
      if (patch.roleId !== undefined)
        refuse(grantRefusal(me, await codesOfRole(patch.roleId), 'Giving this role'));
      const email = patch.email?.toLowerCase();
      const fields: Partial<StaffFields> = {
        email,
        name: oneLine(patch.name),
        roleId: patch.roleId,
        active: patch.active,
      };
      if (patch.password !== undefined)
        fields.passwordHash = await hashPassword(patch.password, deps.bcryptCost.staff);
      if (!(await staff.update(id, fields).catch(duplicateEmail(email))))
        throw notFound('Staff member');
      // A new role (or a deactivation) applies to the tokens the account already holds.
      deps.auth.staffAccessChanged({ kind: 'staff', id });
      // A deactivated account's tokens must stop working now, not when they expire.
      if (patch.active === false && target.active)
        await deps.auth.revokeAll('staff', id, 'DISABLED');
      return mustGetStaff(id);
    },

    async deleteStaff(me: StaffPrincipal, id: string): Promise<void> {
      const target = await mustGetStaff(id);
      refuse(staffChangeRefusal(me, target, 'delete'));
      refuse(grantRefusal(me, await codesOfRole(target.roleId), 'Deleting this account'));
      if (!(await staff.remove(id))) throw notFound('Staff member');
      deps.auth.staffAccessChanged({ kind: 'staff', id });
      await deps.auth.revokeAll('staff', id, 'DISABLED');
    },

    // ── Roles ──
    listRoles: () => roles.list(),

    getRole: mustGetRole,

    listPermissions: () => roles.permissions(),

    async createRole(me: StaffPrincipal, body: RoleCreate): Promise<Role> {
      await checkPermissionCodes(body.permissions);
      refuse(grantRefusal(me, body.permissions, 'This role'));
      const name = oneLine(body.name);
      const id = await roles
        .insert({ name, description: body.description?.trim() ?? '' }, body.permissions)
        .catch(duplicateRole(name));
      return mustGetRole(id);
    },

    async updateRole(me: StaffPrincipal, id: string, patch: RolePatch): Promise<Role> {
      const name = oneLine(patch.name);
      const role = await mustGetRole(id);
      refuse(roleChangeRefusal(role, name === undefined ? {} : { rename: name }));
      refuse(grantRefusal(me, role.permissions, 'Changing this role'));
      await checkPermissionCodes(patch.permissions);
      refuse(grantRefusal(me, patch.permissions ?? [], 'This role'));
      const updated = await roles
        .update(id, { name, description: patch.description?.trim() }, patch.permissions)
        .catch(duplicateRole(name));
      if (!updated) throw notFound('Role');
      // Everyone holding the role gets its new permissions on their next request.
      deps.auth.staffAccessChanged({ kind: 'role', id });
      return mustGetRole(id);
    },

    async deleteRole(id: string): Promise<void> {
      refuse(roleChangeRefusal(await mustGetRole(id), { remove: true }));
      // Someone given the role since the check makes the foreign key refuse: 409 as well.
      await roles.remove(id);
      deps.auth.staffAccessChanged({ kind: 'role', id });
    },
  };
}

export type StaffService = ReturnType<typeof createStaffService>;
