interface Waiter<Row> {
  rows: Row[];
  at: number;
  resolve: () => void;
  reject: (err: RefusedForGood) => void;
  settled: boolean;
}

export interface GroupCommitOptions<Row> {
  /** how long the first write of a batch waits for company (ms) */
  windowMs: number;
  /** a batch this big goes at once */
  maxBatch: number;
  /** observes each commit: rows written, seconds taken */
  onCommit?: (rows: number, seconds: number) => void;
  /** a failed commit (logged by the owner); the batch is retried, never dropped */
  onError?: (err: unknown, attempt: number) => void;
  /** true when PostgreSQL refused the data itself, so retrying can never succeed */
  refusedForGood?: (err: unknown) => boolean;
  /** keeps a refused write (rows and reason) where an operator can see it; may fail like any write */
  setAside?: (rows: Row[], err: unknown) => Promise<void>;
  /** the rows one statement writes, e.g. only the latest write per key (default: all, in order) */
  compact?: (rows: Row[]) => Row[];
}

/** A write PostgreSQL will never take: set aside, and its caller told so instead of acknowledged. */
export class RefusedForGood extends Error {
  constructor(readonly reason: unknown) {
    super(`PostgreSQL refused the write: ${(reason as Error).message ?? String(reason)}`);
    this.name = 'RefusedForGood';
  }
}

/**
 * Group commit (the memory lane's slow lane): writes queue here and one statement writes
 * many of them, so PostgreSQL does one fsync for a whole classroom's clicks. Each
 * caller's promise resolves only after the commit that holds its rows. Batches go strictly
 * in arrival order, one at a time, so awaiting the latest write of a session means all of
 * that session's earlier writes are settled too. A failing database is retried with
 * backoff, never dropped: the acknowledgement waits (the caller bounds how long). A batch
 * PostgreSQL refuses for its content is split until the refused writes stand alone: those
 * are set aside and their callers rejected, and every other write of the batch commits.
 */
export class GroupCommitter<Row> {
  private queue: Waiter<Row>[] = [];
  private queuedRows = 0;
  /** the batch being written: still pending until its commit settles */
  private writing: Waiter<Row>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly write: (rows: Row[]) => Promise<void>,
    private readonly options: GroupCommitOptions<Row>,
  ) {}

  /** Resolves once `rows` are committed; rejects with RefusedForGood if PostgreSQL never will take them. */
  enqueue(rows: Row[], now = Date.now()): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ rows, at: now, resolve, reject, settled: false });
      this.queuedRows += rows.length;
      this.schedule();
    });
  }

  /** Rows accepted but not yet committed (queued or being written), and when the oldest arrived. */
  lag(): { pending: number; oldestAt: number | null } {
    const writing = this.writing.filter((w) => !w.settled);
    return {
      pending: this.queuedRows + writing.reduce((n, w) => n + w.rows.length, 0),
      oldestAt: writing[0]?.at ?? this.queue[0]?.at ?? null,
    };
  }

  /** Resolves when everything queued so far is settled. */
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
    this.writing = batch;
    const started = performance.now();
    this.running = this.commit(batch).then(
      (rows) => {
        this.failures = 0;
        this.options.onCommit?.(rows, (performance.now() - started) / 1000);
      },
      (err: unknown) => {
        // Put what is still unsettled back in front, in order, and try again after a backoff.
        this.failures += 1;
        this.options.onError?.(err, this.failures);
        const unsettled = batch.filter((w) => !w.settled);
        this.writing = [];
        this.queue.unshift(...unsettled);
        this.queuedRows += unsettled.reduce((n, w) => n + w.rows.length, 0);
        return new Promise<void>((resolve) =>
          setTimeout(resolve, Math.min(2000, 25 * 2 ** this.failures)),
        );
      },
    );
    await this.running;
    this.running = undefined;
    this.writing = [];
    // Whatever queued during that commit has waited long enough: it is the next batch.
    if (this.queue.length > 0) {
      void this.run();
      return;
    }
    const waiting = this.idle;
    this.idle = [];
    for (const resolve of waiting) resolve();
  }

  /** Writes the waiters' rows in one statement; returns the rows written. */
  private async commit(batch: Waiter<Row>[]): Promise<number> {
    const all = batch.flatMap((w) => w.rows);
    const rows = this.options.compact ? this.options.compact(all) : all;
    try {
      await this.write(rows);
    } catch (err) {
      if (!this.options.refusedForGood?.(err)) throw err;
      return this.isolate(batch, err);
    }
    for (const w of batch) settle(w, () => w.resolve());
    return rows.length;
  }

  /**
   * Halves a refused batch until the refused writes stand alone. A caller's write is never
   * split: its rows commit together or are set aside together (no half-saved request).
   */
  private async isolate(batch: Waiter<Row>[], err: unknown): Promise<number> {
    if (batch.length === 1) {
      const w = batch[0]!;
      await this.options.setAside?.(w.rows, err);
      settle(w, () => w.reject(new RefusedForGood(err)));
      return 0;
    }
    const half = Math.ceil(batch.length / 2);
    return (await this.commit(batch.slice(0, half))) + (await this.commit(batch.slice(half)));
  }

  private takeBatch(): Waiter<Row>[] {
    const batch: Waiter<Row>[] = [];
    let n = 0;
    while (
      this.queue.length > 0 &&
      (batch.length === 0 || n + this.queue[0]!.rows.length <= this.options.maxBatch)
    ) {
      const w = this.queue.shift()!;
      n += w.rows.length;
      batch.push(w);
    }
    this.queuedRows -= n;
    return batch;
  }
}

function settle<Row>(w: Waiter<Row>, how: () => void): void {
  if (w.settled) return;
  w.settled = true;
  how();
}
