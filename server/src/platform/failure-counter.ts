/**
 * Counts failed attempts at a secret — logins, entry tokens — and never successful ones
 * (a whole school signs in from one NAT address at 08:00). `limit` failures within
 * `windowSeconds` of the first lock the key: for `lockSeconds` the first time, twice as
 * long each further time (up to `maxLockSeconds`), so a student who mistypes ten times
 * waits a minute while a guesser soon waits the full lock. Locks are remembered for
 * `memorySeconds` after they end; a success or a proctor's reset clears everything.
 */
export interface FailurePolicy {
  limit: number;
  windowSeconds: number;
  lockSeconds: number;
  maxLockSeconds: number;
  memorySeconds: number;
}

export interface FailureCounter {
  /** Seconds until the key may try again, or 0 when it may try now. */
  blockedFor(key: string): Promise<number>;
  /** Records a failure; returns the count within the window, this one included. */
  fail(key: string): Promise<number>;
  clear(key: string): Promise<void>;
}

/** The lock after `strikes` locks so far (the first lock is strike 1). */
export function lockSecondsFor(policy: FailurePolicy, strikes: number): number {
  return Math.min(policy.lockSeconds * 2 ** Math.max(0, strikes - 1), policy.maxLockSeconds);
}

interface Entry {
  count: number;
  windowEndsAt: number;
  lockedUntil: number;
  strikes: number;
  forgetAt: number;
}

export function createMemoryFailureCounter(
  policy: FailurePolicy,
  now = () => Date.now(),
): FailureCounter {
  const entries = new Map<string, Entry>();
  const live = (key: string) => {
    const e = entries.get(key);
    if (e && e.forgetAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  // Expired entries are dropped lazily; a periodic sweep keeps the map small.
  const sweep = setInterval(() => {
    const t = now();
    for (const [k, e] of entries) if (e.forgetAt <= t) entries.delete(k);
  }, 60_000);
  sweep.unref();
  return {
    async blockedFor(key) {
      const e = live(key);
      return e && e.lockedUntil > now() ? Math.ceil((e.lockedUntil - now()) / 1000) : 0;
    },
    async fail(key) {
      const t = now();
      const e = live(key) ?? { count: 0, windowEndsAt: 0, lockedUntil: 0, strikes: 0, forgetAt: 0 };
      // Failures while locked are answered 429 and do not count towards the next lock.
      if (e.lockedUntil > t) return policy.limit;
      if (e.windowEndsAt <= t) {
        e.count = 0;
        e.windowEndsAt = t + policy.windowSeconds * 1000;
      }
      e.count += 1;
      const count = e.count;
      if (count >= policy.limit) {
        e.strikes += 1;
        e.lockedUntil = t + lockSecondsFor(policy, e.strikes) * 1000;
        e.count = 0;
        e.windowEndsAt = 0;
      }
      e.forgetAt = Math.max(e.windowEndsAt, e.lockedUntil + policy.memorySeconds * 1000);
      entries.set(key, e);
      return count;
    },
    async clear(key) {
      entries.delete(key);
    },
  };
}
