import type { StaffMember } from '../../../contracts/staff.js';
import type { StaffPrincipal } from '../auth/index.js';
import { AppError, conflict, forbidden } from '../platform/errors.js';

export type StaffChange = 'edit' | 'deactivate' | 'delete';

/**
 * Whether `me` may make this change to `target`; the error to answer with when not.
 * Nobody locks themself out (the last admin deleting their own account leaves a school
 * with nobody to fix it), and a super-admin — the operator's account from ADMIN_EMAIL —
 * answers only to another super-admin.
 */
export function staffChangeRefusal(
  me: StaffPrincipal,
  target: StaffMember,
  change: StaffChange,
): AppError | undefined {
  if (change !== 'edit' && me.id === target.id) {
    return conflict(
      change === 'delete'
        ? 'You cannot delete your own account'
        : 'You cannot deactivate your own account',
    );
  }
  if (target.superAdmin && !me.superAdmin)
    return forbidden('Only a super-admin can change a super-admin account');
  return undefined;
}

/**
 * Nobody hands out more than they hold: assigning a role, editing a role's permissions, or
 * changing an account whose role holds more than `me` is refused unless `me` holds every
 * one of `codes` (otherwise staff:write alone could make anyone — itself included — Admin,
 * or take over an Admin account by setting its password). A super-admin holds everything.
 */
export function grantRefusal(
  me: StaffPrincipal,
  codes: readonly string[],
  what: string,
): AppError | undefined {
  if (me.superAdmin) return undefined;
  const missing = codes.filter((c) => !me.permissions.has(c));
  if (missing.length === 0) return undefined;
  return forbidden(`${what} needs permissions you do not hold: ${missing.join(', ')}`);
}

/** Seeded roles are referenced by name (the super-admin is given "Admin"), so they keep it. */
export function roleChangeRefusal(
  role: { builtin: boolean; name: string; staffCount: number },
  change: { rename?: string; remove?: true },
): AppError | undefined {
  if (change.remove && role.builtin)
    return conflict(`"${role.name}" is a built-in role and cannot be deleted`);
  if (change.remove && role.staffCount > 0) {
    return conflict(
      `Role "${role.name}" is held by ${role.staffCount} staff account(s); give them another role first`,
    );
  }
  if (change.rename !== undefined && change.rename !== role.name && role.builtin) {
    return conflict(`"${role.name}" is a built-in role and cannot be renamed`);
  }
  return undefined;
}
