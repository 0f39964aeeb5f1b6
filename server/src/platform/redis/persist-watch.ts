import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import type { PersistLag } from '../slow-lane.js';
import { streamIdMs } from './fields.js';
import type { RedisKeys } from './keys.js';
import type { Bus } from '../bus/index.js';

/**
 * Knows when log entries are in PostgreSQL. Writers XACK+XDEL an entry only after its
 * COMMIT (ackLog-1.lua), so "no longer in the stream" is the truth; the writers' "persisted"
 * messages only say when it is worth looking again. Used by the write-throughs the port
 * asks for (submit, result, extension) and by flush() on shutdown.
 */
export class PersistWatch {
  private readonly waiters = new Map<number, Set<() => void>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly bus: Bus,
  ) {
    this.unsubscribe = bus.subscribe('persisted', (message) => {
      const shard = Number(message.split(' ')[0]);
      const set = this.waiters.get(shard);
      if (!set) return;
      this.waiters.delete(shard);
      for (const wake of set) wake();
    });
  }

  /**
   * Resolves once entry `id` of `shard` and every entry before it in that shard are in
   * PostgreSQL — so a session's submit waits for all of that session's saves, even one a
   * stalled writer held back; UNAVAILABLE after `timeoutMs` (the entries stay in the log
   * and will still land: the outcome is "not yet", not "lost").
   */
  async until(shard: number, id: string, timeoutMs: number): Promise<void> {
    if (id === '') return;
    const deadline = Date.now() + timeoutMs;
    void this.bus.publish('wake', String(shard)).catch(() => undefined);
    for (;;) {
      const signal = this.nextPersisted(shard, 100);
      const present = await this.redis.xrange(this.keys.log(shard), '-', id, 'COUNT', 1);
      if (present.length === 0) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new AppError('UNAVAILABLE', 'The database is not keeping up; retry');
      await Promise.race([signal, sleep(Math.min(left, 100))]);
    }
  }

  /** Resolves when every entry in the log right now is in PostgreSQL (graceful shutdown). */
  async drain(pollMs = 50): Promise<void> {
    const tails = await Promise.all(
      this.keys.allShards().map(async (shard) => {
        const [last] = await this.redis.xrevrange(this.keys.log(shard), '+', '-', 'COUNT', 1);
        return { shard, tail: last?.[0] };
      }),
    );
    let waiting = tails.filter((t): t is { shard: number; tail: string } => t.tail !== undefined);
    while (waiting.length > 0) {
      for (const { shard } of waiting)
        void this.bus.publish('wake', String(shard)).catch(() => undefined);
      const still = await Promise.all(
        waiting.map(async (t) =>
          (await this.redis.xrange(this.keys.log(t.shard), '-', t.tail, 'COUNT', 1)).length > 0
            ? t
            : null,
        ),
      );
      waiting = still.filter((t): t is { shard: number; tail: string } => t !== null);
      if (waiting.length > 0) await sleep(pollMs);
    }
  }

  /** Entries not yet in PostgreSQL and the age of the oldest, by Redis's clock. */
  async lag(): Promise<PersistLag> {
    const shards = this.keys.allShards();
    const [time, lengths, heads] = await Promise.all([
      this.redis.time(),
      Promise.all(shards.map((s) => this.redis.xlen(this.keys.log(s)))),
      Promise.all(shards.map((s) => this.redis.xrange(this.keys.log(s), '-', '+', 'COUNT', 1))),
    ]);
    const now = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    const oldest = Math.min(...heads.flatMap((h) => (h[0] ? [streamIdMs(h[0][0])] : [])));
    return {
      pending: lengths.reduce((a, b) => a + b, 0),
      oldestMs: Number.isFinite(oldest) ? Math.max(0, now - oldest) : 0,
    };
  }

  close(): void {
    this.unsubscribe();
    for (const set of this.waiters.values()) for (const wake of set) wake();
    this.waiters.clear();
  }

  private nextPersisted(shard: number, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let set = this.waiters.get(shard);
      if (!set) {
        set = new Set();
        this.waiters.set(shard, set);
      }
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.get(shard)?.delete(wake);
        resolve();
      }, ms);
      set.add(wake);
    });
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
