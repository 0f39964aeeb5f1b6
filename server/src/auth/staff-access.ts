/** A staff account's role or a role's permission set changed (committed in PostgreSQL). */
export interface StaffAccessChange {
  kind: 'staff' | 'role';
  id: string;
}

/** What a staff member may do right now, whatever their access token says. */
export interface StaffAccess {
  superAdmin: boolean;
  permissions: ReadonlySet<string>;
}

export interface StaffAccessSource {
  /** The account's role and flags; undefined when it no longer exists. */
  account(
    staffId: string,
  ): Promise<{ roleId: string | null; superAdmin: boolean; active: boolean } | undefined>;
  rolePermissions(roleId: string): Promise<string[]>;
}

const NO_PERMISSIONS: ReadonlySet<string> = new Set();

/**
 * Staff permissions are checked against the current role, not the codes signed into the
 * access token (a role losing a permission kept it for up to 15 minutes). Asked on every
 * staff request, so both halves — account → role and role → permissions — are cached in
 * this process and dropped on a change: made here, at once; made in another process, when
 * its announcement arrives over Redis pub/sub (platform/redis/index.ts). The TTL only covers
 * an announcement lost in a reconnect.
 */
export class StaffAccessCache {
  private readonly accounts = new Map<
    string,
    { at: number; roleId: string | null; superAdmin: boolean; active: boolean }
  >();
  private readonly roles = new Map<string, { at: number; permissions: ReadonlySet<string> }>();
  /** Bumped on every change: a read that raced one must not be cached. */
  private generation = 0;
  /** Set by the Redis lane to announce changes to the other processes. */
  publish: ((change: StaffAccessChange) => void) | undefined;

  constructor(
    private readonly source: StaffAccessSource,
    private readonly ttlMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The staff member's access, or undefined when the account is gone or deactivated. */
  async of(staffId: string): Promise<StaffAccess | undefined> {
    const account = await this.account(staffId);
    if (!account?.active) return undefined;
    const permissions = account.roleId ? await this.permissions(account.roleId) : NO_PERMISSIONS;
    return { superAdmin: account.superAdmin, permissions };
  }

  /** A change made in this process, already committed. */
  changed(change: StaffAccessChange): void {
    this.applyRemote(change);
    this.publish?.(change);
  }

  /** A change announced by another process. */
  applyRemote(change: StaffAccessChange): void {
    this.generation += 1;
    if (change.kind === 'staff') this.accounts.delete(change.id);
    else this.roles.delete(change.id);
  }

  private fresh(at: number): boolean {
    return this.now() - at < this.ttlMs;
  }

  private async account(staffId: string) {
    const hit = this.accounts.get(staffId);
    if (hit && this.fresh(hit.at)) return hit;
    const generation = this.generation;
    const found = await this.source.account(staffId);
    if (!found) return undefined;
    const entry = { at: this.now(), ...found };
    if (generation === this.generation) this.accounts.set(staffId, entry);
    return entry;
  }

  private async permissions(roleId: string): Promise<ReadonlySet<string>> {
    const hit = this.roles.get(roleId);
    if (hit && this.fresh(hit.at)) return hit.permissions;
    const generation = this.generation;
    const permissions: ReadonlySet<string> = new Set(await this.source.rolePermissions(roleId));
    if (generation === this.generation) this.roles.set(roleId, { at: this.now(), permissions });
    return permissions;
  }
}
