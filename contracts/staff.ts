import Type, { type Static } from 'typebox';
import { Id, Strict } from './common.js';

// ── Staff accounts ──────────────────────────────────────────────────────────────────

const Email = Type.String({ format: 'email', maxLength: 254, description: 'stored in lower case' });
const StaffName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
// bcrypt reads at most 72 bytes; a longer password would be silently truncated.
const StaffPassword = Type.String({
  minLength: 8,
  maxLength: 72,
  description: 'stored as a bcrypt hash, never returned',
});

export const StaffMember = Type.Object({
  id: Id,
  email: Type.String(),
  name: Type.String(),
  roleId: Type.Union([Id, Type.Null()]),
  roleName: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean(),
  superAdmin: Type.Boolean({
    description: 'the ADMIN_EMAIL account: every permission, managed from the environment',
  }),
});
export type StaffMember = Static<typeof StaffMember>;

export const StaffList = Type.Object({ items: Type.Array(StaffMember) });

export const StaffCreate = Strict({
  email: Email,
  name: StaffName,
  password: StaffPassword,
  roleId: Id,
  active: Type.Optional(Type.Boolean({ default: true })),
});
export type StaffCreate = Static<typeof StaffCreate>;

/** PUT: the whole account; the password changes only when given. */
export const StaffReplace = Strict({
  email: Email,
  name: StaffName,
  password: Type.Optional(StaffPassword),
  roleId: Id,
  active: Type.Boolean(),
});
export type StaffReplace = Static<typeof StaffReplace>;

export const StaffPatch = Strict(
  {
    email: Type.Optional(Email),
    name: Type.Optional(StaffName),
    password: Type.Optional(StaffPassword),
    roleId: Type.Optional(Id),
    active: Type.Optional(Type.Boolean()),
  },
  { minProperties: 1 },
);
export type StaffPatch = Static<typeof StaffPatch>;

// ── Roles and permissions ───────────────────────────────────────────────────────────

const PermissionCode = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'e.g. students:write',
});
const RoleName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
const RoleDescription = Type.String({ maxLength: 500 });
const PermissionCodes = Type.Array(PermissionCode, { uniqueItems: true, maxItems: 200 });

export const Permission = Type.Object({ code: Type.String(), description: Type.String() });
export const PermissionList = Type.Object({ items: Type.Array(Permission) });

export const Role = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  builtin: Type.Boolean({
    description: 'seeded roles (Admin, Teacher, Proctor): cannot be renamed or deleted',
  }),
  permissions: Type.Array(Type.String()),
  staffCount: Type.Integer({ description: 'staff accounts holding the role' }),
});
export type Role = Static<typeof Role>;

export const RoleList = Type.Object({ items: Type.Array(Role) });

export const RoleCreate = Strict({
  name: RoleName,
  description: Type.Optional(RoleDescription),
  permissions: PermissionCodes,
});
export type RoleCreate = Static<typeof RoleCreate>;

export const RoleReplace = Strict({
  name: RoleName,
  description: RoleDescription,
  permissions: PermissionCodes,
});
export type RoleReplace = Static<typeof RoleReplace>;

export const RolePatch = Strict(
  {
    name: Type.Optional(RoleName),
    description: Type.Optional(RoleDescription),
    permissions: Type.Optional(PermissionCodes),
  },
  { minProperties: 1 },
);
export type RolePatch = Static<typeof RolePatch>;
