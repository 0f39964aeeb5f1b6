/**
 * Per-id lookups (a student's placement, a name) for many callers at once: ids asked for
 * in the same tick share one query, and answers are kept for `ttlMs` (least recently used
 * dropped past `max`). A submit burst of 3,000 students then costs a few dozen queries,
 * not 3,000, and a board read names its rows from memory.
 */
export class LookupCache<V> {
  private readonly entries = new Map<string, { value: V | null; at: number }>();
  private queued = new Map<
    string,
    { resolve: (v: V | null) => void; reject: (e: unknown) => void }[]
  >();
  private scheduled = false;

  constructor(
    private readonly load: (ids: string[]) => Promise<Map<string, V>>,
    private readonly options: { ttlMs: number; max: number; now?: () => number },
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async get(id: string): Promise<V | null> {
    const hit = this.entries.get(id);
    if (hit && this.now() - hit.at < this.options.ttlMs) {
      this.entries.delete(id);
      this.entries.set(id, hit);
      return hit.value;
    }
    return new Promise((resolve, reject) => {
      const waiting = this.queued.get(id);
      if (waiting) waiting.push({ resolve, reject });
      else this.queued.set(id, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  async getMany(ids: readonly string[]): Promise<Map<string, V>> {
    const values = await Promise.all(ids.map((id) => this.get(id)));
    const found = new Map<string, V>();
    ids.forEach((id, i) => {
      const value = values[i];
      if (value !== null && value !== undefined) found.set(id, value);
    });
    return found;
  }

  /** Stores answers known already (a bulk read), as if they had been looked up now. */
  prime(values: Iterable<[string, V]>): void {
    const at = this.now();
    for (const [id, value] of values) {
      this.entries.delete(id);
      this.entries.set(id, { value, at });
    }
    while (this.entries.size > this.options.max)
      this.entries.delete(this.entries.keys().next().value!);
  }

  forget(id?: string): void {
    if (id === undefined) this.entries.clear();
    else this.entries.delete(id);
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queued;
    this.queued = new Map();
    const ids = [...batch.keys()];
    try {
      const loaded = await this.load(ids);
      const at = this.now();
      for (const id of ids) {
        const value = loaded.get(id) ?? null;
        this.entries.set(id, { value, at });
        for (const waiter of batch.get(id)!) waiter.resolve(value);
      }
      while (this.entries.size > this.options.max)
        this.entries.delete(this.entries.keys().next().value!);
    } catch (err) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(err);
    }
  }
}
