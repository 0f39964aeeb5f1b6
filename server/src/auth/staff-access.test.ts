import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectStaffAccessAcrossProcesses } from './cross-process.js';
import { createTestDatabase } from '../../test/harness.js';
import type { RedisSessionLane as RedisLane } from '../sessions/store/index.js';
import { freshRedisUrl, startLane, wipeRedis } from '../../test/redis-lane.js';
import { StaffAccessCache, type StaffAccessSource } from './staff-access.js';

const quiet = { warn: () => undefined };

/** A source over plain maps, counting its reads. */
function fakeSource() {
  const accounts = new Map<
    string,
    { roleId: string | null; superAdmin: boolean; active: boolean }
  >();
  const roles = new Map<string, string[]>();
  const reads = { accounts: 0, roles: 0 };
  const source: StaffAccessSource = {
    account: async (id) => {
      reads.accounts += 1;
      return accounts.get(id);
    },
    rolePermissions: async (id) => {
      reads.roles += 1;
      return roles.get(id) ?? [];
    },
  };
  return { source, accounts, roles, reads };
}

const codes = async (cache: StaffAccessCache, id: string) => [
  ...((await cache.of(id))?.permissions ?? []),
];

describe('StaffAccessCache', () => {
  it('reads an account and its role once, and again only after a change to either', async () => {
    const f = fakeSource();
    f.accounts.set('s1', { roleId: 'r1', superAdmin: false, active: true });
    f.roles.set('r1', ['students:read']);
    const cache = new StaffAccessCache(f.source);
    expect(await codes(cache, 's1')).toEqual(['students:read']);
    expect(await codes(cache, 's1')).toEqual(['students:read']);
    expect(f.reads).toEqual({ accounts: 1, roles: 1 });

    f.roles.set('r1', []);
    cache.changed({ kind: 'role', id: 'r1' });
    expect(await codes(cache, 's1')).toEqual([]);
    f.accounts.set('s1', { roleId: 'r2', superAdmin: false, active: true });
    f.roles.set('r2', ['classes:read']);
    cache.changed({ kind: 'staff', id: 's1' });
    expect(await codes(cache, 's1')).toEqual(['classes:read']);
  });

  it('answers undefined for a deactivated or missing account', async () => {
    const f = fakeSource();
    f.accounts.set('off', { roleId: null, superAdmin: false, active: false });
    const cache = new StaffAccessCache(f.source);
    expect(await cache.of('off')).toBeUndefined();
    expect(await cache.of('gone')).toBeUndefined();
  });

  it('does not keep a read that raced a change', async () => {
    const f = fakeSource();
    f.accounts.set('s1', { roleId: 'r1', superAdmin: false, active: true });
    f.roles.set('r1', ['old']);
    const racing: StaffAccessSource = {
      account: f.source.account,
      rolePermissions: async (id) => {
        const before = await f.source.rolePermissions(id);
        // The change commits and is announced while this read is on its way back.
        f.roles.set('r1', ['new']);
        cache.changed({ kind: 'role', id: 'r1' });
        return before;
      },
    };
    const cache = new StaffAccessCache(racing);
    expect(await codes(cache, 's1')).toEqual(['old']);
    // Had ['old'] been kept, it would be answered until the TTL ran out.
    expect(await codes(cache, 's1')).toEqual(['new']);
  });

  it('rereads after its TTL (an announcement lost in a reconnect)', async () => {
    const f = fakeSource();
    f.accounts.set('s1', { roleId: 'r1', superAdmin: false, active: true });
    let clock = 0;
    const cache = new StaffAccessCache(f.source, 30_000, () => clock);
    await cache.of('s1');
    clock += 30_001;
    await cache.of('s1');
    expect(f.reads).toEqual({ accounts: 2, roles: 2 });
  });
});

describe('StaffAccessCache across processes (redis)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let url: string;
  const lanes: RedisLane[] = [];
  beforeEach(async () => {
    db = await createTestDatabase();
    url = freshRedisUrl(2);
  });
  afterEach(async () => {
    await Promise.all(lanes.splice(0).map((l) => l.close()));
    await wipeRedis(url);
    await db.drop();
  });

  it('a change made in one process drops the cached copy in the other', async () => {
    lanes.push(
      await startLane(url, db.sql, { writer: false }),
      await startLane(url, db.sql, { writer: false }),
    );
    const f = fakeSource();
    f.accounts.set('s1', { roleId: 'r1', superAdmin: false, active: true });
    f.roles.set('r1', ['students:read']);
    const here = new StaffAccessCache(f.source);
    const there = new StaffAccessCache(f.source);
    connectStaffAccessAcrossProcesses(lanes[0]!.bus, here, quiet);
    connectStaffAccessAcrossProcesses(lanes[1]!.bus, there, quiet);
    expect(await codes(there, 's1')).toEqual(['students:read']);

    f.roles.set('r1', []);
    here.changed({ kind: 'role', id: 'r1' });
    await expect.poll(() => codes(there, 's1'), { interval: 20, timeout: 5_000 }).toEqual([]);
  });
});
