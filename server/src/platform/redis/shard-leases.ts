import type { Redis } from 'ioredis';
import { WRITER_GROUP, type RedisKeys } from './keys.js';
import type { Scripts } from './scripts.js';

/**
 * Which log shards this writer drains. Each shard has one owner at a time (a lease with a
 * TTL), which is what keeps a session's entries applied in log order even across writer
 * crashes: a new owner first claims everything the old one left unacknowledged
 * (XAUTOCLAIM) and applies it before reading anything newer.
 *
 * Writers share the shards fairly: each heartbeats into a sorted set, takes free shards up
 * to ceil(shards / live writers) and gives back any above that, so a writer that starts
 * later gets work and a dead writer's shards move on once its leases expire.
 */
export class ShardLeases {
  readonly owned = new Set<number>();
  /** when this writer last saw each owned lease held by itself */
  private readonly confirmedAt = new Map<number, number>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly scripts: Scripts,
    readonly consumer: string,
    readonly leaseMs: number,
    /** called with a shard whose pending entries this writer must (re)read first */
    private readonly onClaimed: (shard: number) => void,
    /** shards of the batch in hand: never given away in the middle of it */
    private readonly inFlight: () => ReadonlySet<number> = () => new Set(),
  ) {}

  /**
   * Renews, balances and takes shards, and claims entries left idle for a whole lease.
   * Runs on its own timer (every leaseMs / 3), so a writer waiting out a PostgreSQL outage
   * or a slow transaction keeps its shards and its heartbeat.
   */
  async maintain(now = Date.now()): Promise<void> {
    const live = await this.heartbeat(now);
    for (const shard of [...this.owned]) {
      if (await this.scripts.holdLease(shard, this.consumer, this.leaseMs))
        this.confirmedAt.set(shard, now);
      else this.drop(shard);
    }
    const fair = Math.ceil(this.keys.shards / live);
    const busy = this.inFlight();
    for (const shard of [...this.owned].sort((a, b) => b - a)) {
      if (this.owned.size <= fair) break;
      if (busy.has(shard)) continue;
      await this.scripts.releaseLease(shard, this.consumer);
      this.drop(shard);
    }
    // Start at a random shard so writers starting together do not all fight over shard 0.
    const offset = Math.floor(Math.random() * this.keys.shards);
    for (let i = 0; i < this.keys.shards && this.owned.size < fair; i += 1) {
      const shard = (offset + i) % this.keys.shards;
      if (
        this.owned.has(shard) ||
        !(await this.scripts.holdLease(shard, this.consumer, this.leaseMs))
      )
        continue;
      await this.adopt(shard, now);
    }
    // Entries idle for a whole lease were read by a writer that stalled, or that lost the
    // shard right after reading: whoever owns the shard now takes them over (its own too,
    // harmlessly), so no entry can stay stranded in another consumer's pending list.
    for (const shard of this.owned) {
      if ((await this.claim(shard, this.leaseMs)) > 0) this.onClaimed(shard);
    }
  }

  /**
   * The shards it is safe to read new entries from now: those whose lease was confirmed
   * within half a lease, so no other writer can hold it yet.
   */
  readable(now = Date.now()): number[] {
    return [...this.owned].filter(
      (shard) => now - (this.confirmedAt.get(shard) ?? 0) < this.leaseMs / 2,
    );
  }

  /**
   * Fencing before COMMIT: true only if this writer still holds every shard (and renews
   * them). A writer that stalled past its lease must not commit over its successor.
   */
  async stillOwn(shards: Iterable<number>): Promise<boolean> {
    for (const shard of shards) {
      if (
        !this.owned.has(shard) ||
        !(await this.scripts.holdLease(shard, this.consumer, this.leaseMs))
      ) {
        this.drop(shard);
        return false;
      }
      this.confirmedAt.set(shard, Date.now());
    }
    return true;
  }

  /** Gives every shard back at once (clean shutdown: the others need not wait for TTLs). */
  async releaseAll(): Promise<void> {
    for (const shard of this.owned)
      await this.scripts.releaseLease(shard, this.consumer).catch(() => undefined);
    this.owned.clear();
    this.confirmedAt.clear();
    await this.redis.zrem(this.keys.writers(), this.consumer).catch(() => undefined);
  }

  /** Makes sure the shard's consumer group exists (also after Redis lost it in a restart). */
  async ensureGroup(shard: number): Promise<void> {
    try {
      // From 0, not $: entries written before the group existed still need persisting.
      await this.redis.xgroup('CREATE', this.keys.log(shard), WRITER_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!String((err as Error).message).startsWith('BUSYGROUP')) throw err;
    }
  }

  private async adopt(shard: number, now: number): Promise<void> {
    await this.ensureGroup(shard);
    // Everything pending in this shard now belongs to us, whoever read it before: with the
    // lease we are the only writer here, so min-idle 0 cannot steal from a live owner
    // (a stalled one is fenced off by stillOwn()).
    await this.claim(shard, 0);
    await this.forgetIdleConsumers(shard);
    this.owned.add(shard);
    this.confirmedAt.set(shard, now);
    this.onClaimed(shard);
  }

  /** XAUTOCLAIMs the shard's pending entries idle at least `minIdleMs`; returns how many. */
  private async claim(shard: number, minIdleMs: number): Promise<number> {
    let cursor = '0-0';
    let claimed = 0;
    do {
      const reply = (await this.redis.xautoclaim(
        this.keys.log(shard),
        WRITER_GROUP,
        this.consumer,
        minIdleMs,
        cursor,
        'COUNT',
        500,
        'JUSTID',
      )) as [string, unknown[], ...unknown[]];
      cursor = String(reply[0]);
      claimed += reply[1].length;
    } while (cursor !== '0-0');
    return claimed;
  }

  /**
   * Every process start leaves a consumer name in each group it read; with nothing pending
   * (we just claimed it all) they are only clutter in XINFO. A live writer that reads this
   * shard again later is simply re-created by XREADGROUP.
   */
  private async forgetIdleConsumers(shard: number): Promise<void> {
    const consumers = (await this.redis.xinfo(
      'CONSUMERS',
      this.keys.log(shard),
      WRITER_GROUP,
    )) as unknown[][];
    for (const info of consumers) {
      const fields: Record<string, unknown> = {};
      for (let i = 0; i + 1 < info.length; i += 2) fields[String(info[i])] = info[i + 1];
      if (fields['name'] !== this.consumer && Number(fields['pending']) === 0) {
        await this.redis.xgroup(
          'DELCONSUMER',
          this.keys.log(shard),
          WRITER_GROUP,
          String(fields['name']),
        );
      }
    }
  }

  private async heartbeat(now: number): Promise<number> {
    const key = this.keys.writers();
    await this.redis.zadd(key, now, this.consumer);
    // A writer silent for 1.5 leases is dead (it heartbeats every third of one).
    await this.redis.zremrangebyscore(key, '-inf', now - this.leaseMs * 1.5);
    return Math.max(1, await this.redis.zcard(key));
  }

  private drop(shard: number): void {
    this.owned.delete(shard);
    this.confirmedAt.delete(shard);
  }
}
