import type { AnswerRow } from './durable.repo.js';

interface Waiter {
  rows: AnswerRow[];
  at: number;
  resolve: () => void;
}

export interface GroupCommitOptions {
  /** how long the first write of a batch waits for company (ms) */
  windowMs: number;
  /** a batch this big goes at once */
  maxBatch: number;
  /** observes each commit: rows written, seconds taken */
  onCommit?: (rows: number, seconds: number) => void;
  /** a failed commit (logged by the owner); the batch is retried, never dropped */
  onError?: (err: unknown, attempt: number) => void;
}

/**
 * Group commit (the memory hot store's slow lane): saves queue here and one transaction
 * writes many of them, so PostgreSQL does one fsync for a whole classroom's clicks. Each
 * caller's promise resolves only after the COMMIT that holds its rows. Batches go strictly
 * in arrival order, one at a time, so awaiting the latest write of a session means all of
 * that session's earlier writes are durable too. A failing database is retried with
 * backoff, never dropped: the acknowledgement waits (the caller bounds how long).
 */
export class GroupCommitter {
  private queue: Waiter[] = [];
  private queuedRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly write: (rows: AnswerRow[]) => Promise<void>,
    private readonly options: GroupCommitOptions,
  ) {}

  /** Resolves once `rows` are committed. */
  enqueue(rows: AnswerRow[], now = Date.now()): Promise<void> {
    return new Promise<void>((resolve) => {
      this.queue.push({ rows, at: now, resolve });
      this.queuedRows += rows.length;
      this.schedule();
    });
  }

  /** Rows accepted but not yet committed, and when the oldest arrived. */
  lag(): { pending: number; oldestAt: number | null } {
    return { pending: this.queuedRows, oldestAt: this.queue[0]?.at ?? null };
  }

  /** Resolves when everything queued so far is committed. */
  flush(): Promise<void> {
    if (this.queue.length === 0 && !this.running) return Promise.resolve();
    clearTimeout(this.timer);
    this.timer = undefined;
    const done = new Promise<void>((resolve) => this.idle.push(resolve));
    if (!this.running) void this.run();
    return done;
  }

  private schedule(): void {
    if (this.running || this.timer) return;
    if (this.queuedRows >= this.options.maxBatch) {
      void this.run();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.options.windowMs);
  }

  private async run(): Promise<void> {
    if (this.running || this.queue.length === 0) return;
    const batch = this.takeBatch();
    const rows = latestPerQuestion(batch.flatMap((w) => w.rows));
    const started = performance.now();
    this.running = this.write(rows).then(
      () => {
        this.failures = 0;
        this.options.onCommit?.(rows.length, (performance.now() - started) / 1000);
        for (const w of batch) w.resolve();
      },
      (err: unknown) => {
        // Put the batch back in front, in order, and try again after a backoff.
        this.failures += 1;
        this.options.onError?.(err, this.failures);
        this.queue.unshift(...batch);
        this.queuedRows += batch.reduce((n, w) => n + w.rows.length, 0);
        return new Promise<void>((resolve) => setTimeout(resolve, Math.min(2000, 25 * 2 ** this.failures)));
      },
    );
    await this.running;
    this.running = undefined;
    // Whatever queued during that commit has waited long enough: it is the next batch.
    if (this.queue.length > 0) {
      void this.run();
      return;
    }
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }

  private takeBatch(): Waiter[] {
    const batch: Waiter[] = [];
    let n = 0;
    while (this.queue.length > 0 && (batch.length === 0 || n + this.queue[0]!.rows.length <= this.options.maxBatch)) {
      const w = this.queue.shift()!;
      n += w.rows.length;
      batch.push(w);
    }
    this.queuedRows -= n;
    return batch;
  }
}

/** One row per (session, question): the highest seq wins, as it would in the table. */
export function latestPerQuestion(rows: AnswerRow[]): AnswerRow[] {
  const latest = new Map<string, AnswerRow>();
  for (const r of rows) {
    const k = `${r.sessionId}/${r.questionId}`;
    const seen = latest.get(k);
    if (!seen || seen.seq < r.seq) latest.set(k, r);
  }
  return [...latest.values()];
}
