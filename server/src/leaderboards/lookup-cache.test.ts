import { describe, expect, it } from 'vitest';
import { LookupCache } from './lookup-cache.js';

/** A loader that records every batch it was asked for. */
function loader(fail = false) {
  const batches: string[][] = [];
  const load = async (ids: string[]) => {
    batches.push([...ids].sort());
    if (fail) throw new Error('database away');
    return new Map(ids.filter((id) => id !== 'missing').map((id) => [id, `value-${id}`]));
  };
  return { batches, load };
}

describe('LookupCache', () => {
  it('ids asked for in the same tick share one load; answers are kept until the TTL', async () => {
    const clock = { t: 0 };
    const { batches, load } = loader();
    const cache = new LookupCache(load, { ttlMs: 1000, max: 10, now: () => clock.t });
    const values = await Promise.all([cache.get('a'), cache.get('b'), cache.get('a')]);
    expect(values).toEqual(['value-a', 'value-b', 'value-a']);
    expect(batches).toEqual([['a', 'b']]);
    expect(await cache.get('missing')).toBeNull();
    await cache.get('a');
    expect(batches).toHaveLength(2);
    clock.t = 1000;
    await cache.get('a');
    expect(batches.at(-1)).toEqual(['a']);
  });

  it('primed answers are served without a load; the oldest go past max', async () => {
    const { batches, load } = loader();
    const cache = new LookupCache(load, { ttlMs: 1000, max: 2 });
    cache.prime([
      ['x', 'primed-x'],
      ['y', 'primed-y'],
      ['z', 'primed-z'],
    ]);
    expect(await cache.getMany(['y', 'z'])).toEqual(
      new Map([
        ['y', 'primed-y'],
        ['z', 'primed-z'],
      ]),
    );
    expect(batches).toEqual([]);
    expect(await cache.get('x')).toBe('value-x');
    expect(batches).toEqual([['x']]);
  });

  it('a failed load rejects every waiter of its batch and is not kept', async () => {
    const failing = loader(true);
    const cache = new LookupCache(failing.load, { ttlMs: 1000, max: 10 });
    const both = await Promise.allSettled([cache.get('a'), cache.get('b')]);
    expect(both.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(cache.get('a')).rejects.toThrow('database away');
    expect(failing.batches).toHaveLength(2);
  });
});
