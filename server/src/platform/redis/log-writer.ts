import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import { isRefusedForGood } from '../postgres.js';
import { WRITER_GROUP, type RedisKeys } from './keys.js';
import type { LogHandlers, LogEntryHandler } from './log-handlers.js';
import type { Bus } from '../bus/index.js';
import type { Scripts } from './scripts.js';
import { ShardLeases } from './shard-leases.js';

export interface LogWriterOptions {
  /** consumer name in the group; unique per process */
  consumer?: string;
  /** entries per batch at most */
  batchSize?: number;
  /** shard lease TTL: how long a dead writer's shards wait before moving on */
  leaseMs?: number;
  /** longest pause between polls of an idle log */
  maxIdleMs?: number;
  /** longest pause between retries while PostgreSQL fails */
  maxBackoffMs?: number;
  metrics?: Metrics;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

interface ReadEntry {
  shard: number;
  id: string;
  /** null: the entry was deleted under us (already persisted by a previous owner) */
  fields: string[] | null;
}

type XReadReply = [string, [string, string[] | null][]][] | null;

class LeaseLost extends Error {}

interface Decoded {
  entry: ReadEntry;
  handler: LogEntryHandler;
  value: unknown;
}

/**
 * Drains the durable log into PostgreSQL: read a batch from the shards this writer owns,
 * hand each entry to the handler its feature registered for its type (set-based,
 * idempotent statements, each committed), and only then XACK+XDEL.
 * Never acknowledged before commit, never dropped: when PostgreSQL fails, the entries stay
 * in this consumer's pending list and the same batch is retried with backoff (re-read with
 * id 0, in order). A crash between commit and XACK redelivers the batch, which the
 * idempotent SQL shrugs off.
 */
export class LogWriter {
  readonly consumer: string;
  private readonly leases: ShardLeases;
  /** shards whose own pending entries must be re-read (after a failure or a takeover) */
  private readonly rereadPending = new Set<number>();
  private readonly batchSize: number;
  private readonly maxIdleMs: number;
  private readonly maxBackoffMs: number;
  /** shards of the batch being persisted (the lease loop must not give them away) */
  private readonly inFlight = new Set<number>();
  private running = false;
  private loop: Promise<void> | undefined;
  private leaseLoop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private wakeLeases: (() => void) | undefined;
  private unsubscribeWake: (() => void) | undefined;
  private readonly instruments;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly scripts: Scripts,
    private readonly bus: Bus,
    private readonly handlers: LogHandlers,
    private readonly options: LogWriterOptions = {},
  ) {
    this.consumer =
      options.consumer ?? `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.batchSize = options.batchSize ?? 500;
    this.maxIdleMs = options.maxIdleMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.leases = new ShardLeases(
      redis,
      keys,
      scripts,
      this.consumer,
      options.leaseMs ?? 5_000,
      (shard) => this.rereadPending.add(shard),
      () => this.inFlight,
    );
    const m = options.metrics;
    this.instruments = m && {
      batchEntries: m.histogram(
        'examhall_log_batch_entries',
        'Log entries per batch written to PostgreSQL',
        [1, 5, 20, 50, 100, 250, 500, 1000],
      ),
      writeSeconds: m.histogram(
        'examhall_log_write_seconds',
        'Time to apply and commit one batch',
        [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      ),
      failures: m.counter(
        'examhall_log_write_failures_total',
        'Batches PostgreSQL did not take (retried)',
      ),
      deadLetters: m.counter(
        'examhall_log_dead_letters_total',
        'Entries PostgreSQL refused for good (moved to the dead-letter stream)',
      ),
      ownedShards: m.gauge('examhall_log_owned_shards', 'Log shards this writer drains'),
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribeWake = this.bus.subscribe('wake', (message) => {
      if (this.leases.owned.has(Number(message))) this.wake?.();
    });
    this.leaseLoop = this.keepLeases();
    this.loop = this.run();
  }

  /** Finishes the batch in hand (commit + ack), then gives the shards back. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    this.wakeLeases?.();
    await this.loop;
    await this.leaseLoop;
    this.unsubscribeWake?.();
    await this.leases.releaseAll();
  }

  /** The shards this writer drains now (tests, metrics). */
  ownedShards(): number[] {
    return [...this.leases.owned].sort((a, b) => a - b);
  }

  /** Leases and heartbeat on their own clock, whatever the batch loop is waiting for. */
  private async keepLeases(): Promise<void> {
    while (this.running) {
      try {
        await this.leases.maintain();
        this.instruments?.ownedShards.set(this.leases.owned.size);
      } catch (err) {
        this.options.logger?.warn({ err }, 'log writer: could not renew shard leases; retrying');
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.leases.leaseMs / 3);
        this.wakeLeases = () => (clearTimeout(timer), resolve());
      });
    }
  }

  private async run(): Promise<void> {
    let idleMs = 1;
    let failures = 0;
    while (this.running) {
      try {
        const entries = await this.read();
        if (entries.length === 0) {
          idleMs = Math.min(this.maxIdleMs, idleMs * 2);
          await this.pause(idleMs);
          continue;
        }
        idleMs = 1;
        for (const e of entries) this.inFlight.add(e.shard);
        try {
          await this.persist(entries);
        } finally {
          this.inFlight.clear();
        }
        failures = 0;
      } catch (err) {
        failures += 1;
        this.instruments?.failures.inc();
        // Everything read but not acknowledged is in our pending list: read it again first.
        for (const shard of this.leases.owned) this.rereadPending.add(shard);
        const backoff = Math.min(this.maxBackoffMs, 50 * 2 ** failures);
        this.options.logger?.warn(
          { err, attempt: failures, retryInMs: backoff },
          'log writer: batch not persisted; retrying',
        );
        await this.pause(backoff);
      }
    }
  }

  /** Up to batchSize entries over the owned shards, each shard's in log order. */
  private async read(): Promise<ReadEntry[]> {
    const shards = this.leases.readable();
    if (shards.length === 0) return [];
    const perShard = Math.max(10, Math.ceil(this.batchSize / shards.length));
    const batches = await Promise.all(
      shards.map(async (shard): Promise<ReadEntry[]> => {
        const fromPending = this.rereadPending.has(shard);
        let reply: XReadReply;
        try {
          reply = (await this.redis.xreadgroup(
            'GROUP',
            WRITER_GROUP,
            this.consumer,
            'COUNT',
            perShard,
            'STREAMS',
            this.keys.log(shard),
            fromPending ? '0' : '>',
          )) as XReadReply;
        } catch (err) {
          // Redis restarted without its data: the group is gone with the stream.
          if (!String((err as Error).message).startsWith('NOGROUP')) throw err;
          await this.leases.ensureGroup(shard);
          return [];
        }
        const items = reply?.[0]?.[1] ?? [];
        if (fromPending && items.length === 0) this.rereadPending.delete(shard);
        return items.map(([id, fields]) => ({ shard, id, fields }));
      }),
    );
    return batches.flat();
  }

  private async persist(read: ReadEntry[]): Promise<void> {
    const decoded: Decoded[] = [];
    const gone: ReadEntry[] = [];
    for (const entry of read) {
      if (!entry.fields) {
        gone.push(entry);
        continue;
      }
      try {
        decoded.push(this.decode(entry, entry.fields));
      } catch (err) {
        await this.deadLetter(entry, err);
      }
    }
    if (decoded.length === 0) {
      await this.acknowledge(gone);
      return;
    }
    const started = performance.now();
    try {
      await this.commit(decoded, new Set(read.map((e) => e.shard)));
    } catch (err) {
      if (err instanceof LeaseLost) {
        this.options.logger?.warn(
          { consumer: this.consumer },
          'log writer: lost a shard lease mid-batch; its new owner re-applies it',
        );
        return;
      }
      if (!isRefusedForGood(err)) throw err;
      this.options.logger?.error(
        { err },
        'log writer: PostgreSQL refused a batch; isolating the bad entries',
      );
      await this.persistOneByOne(decoded);
      return;
    }
    this.instruments?.writeSeconds.observe((performance.now() - started) / 1000);
    this.instruments?.batchEntries.observe(read.length);
    await this.acknowledge([...decoded.map((d) => d.entry), ...gone]);
  }

  /** Every entry is `t <type> …`: its type names the feature's handler, which decodes the rest. */
  private decode(entry: ReadEntry, fields: string[]): Decoded {
    const type = fields[0] === 't' ? fields[1] : undefined;
    if (type === undefined) throw new Error('log entry without type');
    const handler = this.handlers.handlerFor(type);
    if (!handler) throw new Error(`no handler registered for log entry type ${type}`);
    return { entry, handler, value: handler.decode(fields) };
  }

  /**
   * Applies a batch: each handler gets its own entries in log order, handlers in the order
   * their first entry appears. The lease check first fences off a writer that stalled past
   * its lease: its successor owns these entries now.
   */
  private async commit(decoded: Decoded[], shards: Set<number>): Promise<void> {
    if (!(await this.leases.stillOwn(shards))) throw new LeaseLost();
    const groups = new Map<LogEntryHandler, unknown[]>();
    for (const d of decoded) {
      const group = groups.get(d.handler);
      if (group) group.push(d.value);
      else groups.set(d.handler, [d.value]);
    }
    for (const [handler, values] of groups) await handler.apply(values);
  }

  /** A poisoned batch: every entry alone, in order; only the refused ones are set aside. */
  private async persistOneByOne(decoded: Decoded[]): Promise<void> {
    for (const d of decoded) {
      try {
        await this.commit([d], new Set([d.entry.shard]));
      } catch (err) {
        if (!isRefusedForGood(err)) throw err;
        await this.deadLetter(d.entry, err);
        continue;
      }
      await this.acknowledge([d.entry]);
    }
  }

  private async acknowledge(entries: ReadEntry[]): Promise<void> {
    const byShard = new Map<number, string[]>();
    for (const e of entries) byShard.set(e.shard, [...(byShard.get(e.shard) ?? []), e.id]);
    await Promise.all(
      [...byShard].map(async ([shard, ids]) => {
        await this.scripts.ackLog(shard, ids);
        await this.bus
          .publish('persisted', `${shard} ${ids[ids.length - 1]}`)
          .catch(() => undefined);
      }),
    );
  }

  private async deadLetter(entry: ReadEntry, err: unknown): Promise<void> {
    this.options.logger?.error(
      { err, shard: entry.shard, id: entry.id },
      'log writer: entry refused for good; moved to dead letters',
    );
    this.instruments?.deadLetters.inc();
    await this.scripts.deadLetter(entry.shard, entry.id, String((err as Error).message ?? err));
  }

  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
      if (!this.running) done();
    });
  }
}
