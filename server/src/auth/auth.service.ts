import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../platform/errors.js';
import type { AuthRepo, StaffAccount, StudentAccount } from './auth.repo.js';
import type { FailureCounter } from './login-limiter.js';
import type { LoginRegistry } from './login-registry.js';
import { hashPassword, standInHash, verifyPassword } from './passwords.js';
import type { Principal } from './principal.js';
import { StaffAccessCache, type StaffAccessChange } from './staff-access.js';
import type { AccessClaims, TokenService } from './tokens.js';

export type Credentials = { nisn: string; password: string } | { email: string; password: string };

export interface LoginContext {
  ip: string;
  userAgent: string | undefined;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; kind: 'student' | 'staff'; name: string } & Record<string, unknown>;
}

interface Deps {
  repo: AuthRepo;
  tokens: TokenService;
  logins: LoginRegistry;
  accountFailures: FailureCounter;
  ipFailures: FailureCounter;
  refreshTtlSeconds: number;
  bcryptCost: { staff: number; student: number };
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

function newRefreshSecret(ttlSeconds: number) {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: sha256(secret), expiresAt: new Date(Date.now() + ttlSeconds * 1000) };
}

/** The failure counter's key of an account, the same whether or not it exists. */
const accountKey = (who: { nisn: string } | { email: string }) =>
  'nisn' in who ? `student:${who.nisn}` : `staff:${who.email.toLowerCase()}`;

const invalidCredentials = () => new AppError('UNAUTHENTICATED', 'Wrong username or password');

export function createAuthService(deps: Deps) {
  const { repo, tokens, logins } = deps;
  const staffAccess = new StaffAccessCache({
    account: (id) => repo.staffAccount(id),
    rolePermissions: (id) => repo.rolePermissions(id),
  });

  function studentClaims(s: StudentAccount, loginId: string): AccessClaims {
    return { sub: s.id, kind: 'student', lid: loginId, name: s.name, classId: s.classId };
  }

  /** `perms` and `sa` tell the client what to show; requests are authorized by staffAccess. */
  function staffClaims(s: StaffAccount, loginId: string): AccessClaims {
    return {
      sub: s.id,
      kind: 'staff',
      lid: loginId,
      name: s.name,
      perms: s.permissions,
      sa: s.superAdmin,
    };
  }

  function pair(
    claims: AccessClaims,
    refreshId: string,
    secret: string,
    user: TokenPair['user'],
  ): TokenPair {
    return {
      accessToken: tokens.signAccess(claims),
      refreshToken: `${refreshId}.${secret}`,
      expiresIn: tokens.ttlSeconds,
      user,
    };
  }

  const rateLimited = (wait: number) =>
    new AppError('RATE_LIMITED', 'Too many failed sign-in attempts; try again later', wait);

  /** A locked account is refused before its password is even looked at (known or not alike). */
  async function refuseLockedAccount(account: string) {
    const wait = await deps.accountFailures.blockedFor(account);
    if (wait > 0) throw rateLimited(wait);
  }

  /**
   * A wrong password counts against the account and the address. The failure that reaches a
   * limit already answers 429, so the client learns when to retry. The address's limit is
   * never asked before the password is checked: a school behind one NAT address keeps
   * signing in while someone there mistypes (or guesses) past it — only failures get 429.
   */
  async function recordFailure(account: string, ip: string): Promise<never> {
    await Promise.all([deps.accountFailures.fail(account), deps.ipFailures.fail(ip)]);
    const wait = Math.max(
      await deps.accountFailures.blockedFor(account),
      await deps.ipFailures.blockedFor(ip),
    );
    if (wait > 0) throw rateLimited(wait);
    throw invalidCredentials();
  }

  /** Unknown accounts are compared against a stand-in of the same cost as real ones. */
  const passwordMatches = (kind: 'student' | 'staff', password: string, hash: string | undefined) =>
    verifyPassword(password, hash, deps.bcryptCost[kind]);

  return {
    async login(credentials: Credentials, ctx: LoginContext): Promise<TokenPair> {
      const account = accountKey(credentials);
      await refuseLockedAccount(account);
      const refresh = newRefreshSecret(deps.refreshTtlSeconds);

      if ('nisn' in credentials) {
        const student = await repo.studentByNisn(credentials.nisn);
        if (
          !(await passwordMatches('student', credentials.password, student?.passwordHash)) ||
          !student
        ) {
          return recordFailure(account, ctx.ip);
        }
        await deps.accountFailures.clear(account);
        const created = await repo.createLogin({
          userKind: 'student',
          userId: student.id,
          ip: ctx.ip,
          userAgent: ctx.userAgent,
          singleDevice: true,
          refresh,
        });
        logins.remember(created.loginId, 'LIVE');
        logins.revoked(created.replaced);
        return pair(studentClaims(student, created.loginId), created.refreshId, refresh.secret, {
          id: student.id,
          kind: 'student',
          name: student.name,
          nisn: student.nisn,
          classId: student.classId,
        });
      }

      const staff = await repo.staffBy({ email: credentials.email });
      if (
        !(await passwordMatches('staff', credentials.password, staff?.passwordHash)) ||
        !staff ||
        !staff.active
      ) {
        return recordFailure(account, ctx.ip);
      }
      await deps.accountFailures.clear(account);
      const created = await repo.createLogin({
        userKind: 'staff',
        userId: staff.id,
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        singleDevice: false,
        refresh,
      });
      logins.remember(created.loginId, 'LIVE');
      return pair(staffClaims(staff, created.loginId), created.refreshId, refresh.secret, {
        id: staff.id,
        kind: 'staff',
        name: staff.name,
        email: staff.email,
        role: staff.roleName,
        permissions: staff.permissions,
        superAdmin: staff.superAdmin,
      });
    },

    /** Rotation with reuse detection: presenting a used refresh token revokes its family. */
    async refresh(refreshToken: string): Promise<TokenPair> {
      const [id, secret] = refreshToken.split('.');
      const unauthenticated = () =>
        new AppError('UNAUTHENTICATED', 'Your sign-in has expired; sign in again');
      if (!id || !secret || !/^[0-9a-f-]{36}$/.test(id)) throw unauthenticated();
      const row = await repo.refreshById(id);
      if (!row || !timingSafeEqual(row.tokenHash, sha256(secret))) throw unauthenticated();
      if (row.revokedReason === 'REPLACED') {
        throw new AppError('SESSION_REPLACED', 'You signed in on another device');
      }
      if (row.revokedReason) throw unauthenticated();
      const next = newRefreshSecret(deps.refreshTtlSeconds);
      const nextId =
        row.usedAt || row.expiresAt <= new Date()
          ? undefined
          : await repo.rotateRefresh(row.id, row.loginId, next);
      if (!nextId) {
        if (row.expiresAt > new Date()) {
          // A used token came back: someone holds a copy. Sign the whole family out.
          logins.revoked(await repo.revokeLogin(row.loginId, 'REUSE'));
        }
        throw unauthenticated();
      }

      if (row.userKind === 'student') {
        const student = await repo.studentById(row.userId);
        if (!student) throw unauthenticated();
        return pair(studentClaims(student, row.loginId), nextId, next.secret, {
          id: student.id,
          kind: 'student',
          name: student.name,
          nisn: student.nisn,
          classId: student.classId,
        });
      }
      const staff = await repo.staffBy({ id: row.userId });
      if (!staff || !staff.active) throw unauthenticated();
      return pair(staffClaims(staff, row.loginId), nextId, next.secret, {
        id: staff.id,
        kind: 'staff',
        name: staff.name,
        email: staff.email,
        role: staff.roleName,
        permissions: staff.permissions,
        superAdmin: staff.superAdmin,
      });
    },

    async logout(loginId: string): Promise<void> {
      logins.revoked(await repo.revokeLogin(loginId, 'LOGOUT'));
    },

    /** Signs a user out everywhere (staff's reset-login, a deleted or disabled account). */
    async revokeAll(
      userKind: 'student' | 'staff',
      userId: string,
      reason: 'RESET' | 'DISABLED',
    ): Promise<number> {
      const revoked = await repo.revokeAllLogins(userKind, userId, reason);
      logins.revoked(revoked);
      return revoked.length;
    },

    /** Verifies an access token and that its login is still live; the principal, or an AppError. */
    async authenticate(token: string): Promise<Principal> {
      const claims = tokens.verifyAccess(token);
      const state = await logins.state(claims.lid);
      if (state === 'REPLACED')
        throw new AppError('SESSION_REPLACED', 'You signed in on another device');
      if (state !== 'LIVE')
        throw new AppError('UNAUTHENTICATED', 'You have been signed out; sign in again');
      if (claims.kind === 'student') {
        return {
          kind: 'student',
          id: claims.sub,
          loginId: claims.lid,
          classId: claims.classId ?? null,
          name: claims.name,
        };
      }
      const access = await staffAccess.of(claims.sub);
      if (!access) throw new AppError('UNAUTHENTICATED', 'You have been signed out; sign in again');
      return {
        kind: 'staff',
        id: claims.sub,
        loginId: claims.lid,
        name: claims.name,
        superAdmin: access.superAdmin,
        permissions: access.permissions,
      };
    },

    /** The current permissions of staff; the Redis lane connects it to the other processes. */
    staffAccess,

    /** A staff account's role or flags, or a role's permissions, changed: their requests follow at once. */
    staffAccessChanged(change: StaffAccessChange): void {
      staffAccess.changed(change);
    },

    /** The hash an unknown account's password is compared against (exposed for its test). */
    standInHash: (kind: 'student' | 'staff'): Promise<string> => standInHash(deps.bcryptCost[kind]),

    /** Lifts a lock after wrong passwords (a proctor's reset-login); the next try counts from zero. */
    async unlockAccount(who: { nisn: string } | { email: string }): Promise<void> {
      await deps.accountFailures.clear(accountKey(who));
    },

    async ensureSuperAdmin(email: string, password: string): Promise<void> {
      await repo.upsertSuperAdmin(email, await hashPassword(password, deps.bcryptCost.staff));
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
