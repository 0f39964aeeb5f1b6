import { AppError } from '../../platform/errors.js';
import { GroupCommitter, RefusedForGood } from '../../platform/group-commit.js';
import { isRefusedForGood, type Sql } from '../../platform/postgres.js';
import { writeFinal, type FinalWrite } from './durable.repo.js';
import type { SessionState } from './types.js';

/**
 * The Redis lane's write-through of a finished session (README, "Durability and Redis"):
 * instead of waiting until the writers have drained its log shard up to the result — which
 * after a minute of autosave means the backlog of every session in that shard — a recorded
 * result takes the frozen session straight from Redis to PostgreSQL, grouped with the other
 * submits of the moment into one commit. The log entries of the session still reach
 * PostgreSQL later and change nothing (writeFinal says why); they are also what lands the
 * session if this process dies before its final write commits.
 */
export class FinalWrites {
  private readonly committer: GroupCommitter<FinalWrite>;

  constructor(
    sql: Sql,
    private readonly options: {
      timeoutMs: number;
      onError?: (err: unknown) => void;
      onCommit?: (sessions: number, seconds: number) => void;
    },
  ) {
    this.committer = new GroupCommitter<FinalWrite>((rows) => writeFinal(sql, rows), {
      // A burst of submits fills a batch while the previous one commits; alone, a submit
      // waits at most this long for company.
      windowMs: 2,
      maxBatch: 200,
      refusedForGood: isRefusedForGood,
      // One row per session: two callers recording the same session write the same state.
      compact: (rows) => [...new Map(rows.map((r) => [r.sessionId, r])).values()],
      ...(options.onError ? { onError: (err: unknown) => options.onError?.(err) } : {}),
      ...(options.onCommit ? { onCommit: options.onCommit } : {}),
    });
  }

  /**
   * Resolves once PostgreSQL holds this finished session's answers, status and result.
   * UNAVAILABLE after the timeout (the write stays queued and retried, and the log carries
   * the same state anyway: "not yet", never "lost"). 'refused' when PostgreSQL refuses the
   * content for good: the caller then waits for the log, whose writer sets the bad entry
   * aside and lands the rest.
   */
  async write(state: SessionState): Promise<'written' | 'refused'> {
    const { meta } = state;
    if (!meta.result) throw new Error(`session ${meta.id} has no result to write`);
    const final: FinalWrite = {
      sessionId: meta.id,
      answers: Object.entries(state.answers).map(([questionId, saved]) => ({
        sessionId: meta.id,
        questionId,
        ...saved,
      })),
      result: meta.result,
      submittedAt: meta.submittedAt ?? meta.result.submittedAt,
      reason: meta.submitReason,
      endsAt: meta.endsAt,
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new AppError('UNAVAILABLE', 'The database is not keeping up; retry')),
        this.options.timeoutMs,
      );
    });
    try {
      await Promise.race([this.committer.enqueue([final]), timedOut]);
      return 'written';
    } catch (err) {
      if (err instanceof RefusedForGood) return 'refused';
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves when every final write queued so far is committed. */
  flush(): Promise<void> {
    return this.committer.flush();
  }
}
