/**
 * Counts failed logins (never successful ones: a whole school signs in from one NAT
 * address at 08:00). Per account: N failures in a row lock it for a while; a success
 * clears the count. Per IP: a generous cap on failures within a window.
 */
export interface FailureCounter {
  /** Seconds until the key may try again, or 0 when it may try now. */
  blockedFor(key: string): Promise<number>;
  /** Records a failure; returns the count within the window. */
  fail(key: string): Promise<number>;
  clear(key: string): Promise<void>;
}

export function createMemoryFailureCounter(limit: number, windowSeconds: number, now = () => Date.now()): FailureCounter {
  const entries = new Map<string, { count: number; resetAt: number }>();
  const live = (key: string) => {
    const e = entries.get(key);
    if (e && e.resetAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  // Expired entries are dropped lazily; a periodic sweep keeps the map small.
  const sweep = setInterval(() => {
    const t = now();
    for (const [k, e] of entries) if (e.resetAt <= t) entries.delete(k);
  }, 60_000);
  sweep.unref();
  return {
    async blockedFor(key) {
      const e = live(key);
      return e && e.count >= limit ? Math.ceil((e.resetAt - now()) / 1000) : 0;
    },
    async fail(key) {
      const e = live(key) ?? { count: 0, resetAt: now() + windowSeconds * 1000 };
      e.count += 1;
      // Reaching the limit starts a full lock-out window from now.
      if (e.count === limit) e.resetAt = now() + windowSeconds * 1000;
      entries.set(key, e);
      return e.count;
    },
    async clear(key) {
      entries.delete(key);
    },
  };
}

export interface LoginLimiter {
  check(account: string, ip: string): Promise<void>;
  failed(account: string, ip: string): Promise<void>;
  succeeded(account: string): Promise<void>;
}
