import type { Logger } from 'pino';
import type { SessionStore } from './store/types.js';
import type { SessionMetrics } from './session-metrics.js';
import type { SessionsRepo } from './sessions.repo.js';
import type { SessionsService } from './sessions.service.js';

export interface SweeperOptions {
  /** how often the hot store is asked for due sessions (ms) */
  intervalMs?: number;
  /** how often PostgreSQL is scanned for sessions the hot store does not hold (ms) */
  databaseScanMs?: number;
  batch?: number;
}

/**
 * The expiry sweeper: a student whose laptop died at 09:40 is still graded at 10:00 on
 * what was saved. Every tick it submits (reason TIME_UP) the sessions the hot store
 * reports due, so a session is graded within about a tick after endsAt + grace. Every
 * `databaseScanMs`, and once at start, it also scans PostgreSQL: after a crash the hot
 * store is empty, yet sessions left IN_PROGRESS (or frozen but never graded) must finish.
 */
export function createSweeper(deps: {
  hotStore: SessionStore;
  sessions: SessionsService;
  repo: SessionsRepo;
  metrics: SessionMetrics;
  logger: Logger;
  graceMs: number;
  options?: SweeperOptions;
}) {
  const { hotStore, sessions, repo, logger, graceMs } = deps;
  const intervalMs = deps.options?.intervalMs ?? 500;
  const databaseScanMs = deps.options?.databaseScanMs ?? 15_000;
  const batch = deps.options?.batch ?? 200;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let lastDatabaseScan = 0;
  let stopped = true;
  /** set by stop(): a sweep in progress ends after the session at hand */
  let halting = false;

  async function expire(ids: string[]): Promise<void> {
    // A few at a time: a whole hall expiring at 10:00 must not starve live requests.
    const queue = [...new Set(ids)];
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined && !halting; id = queue.shift()) {
        try {
          if (await sessions.expire(id)) deps.metrics.sweeps.inc();
        } catch (err) {
          logger.error({ err, sessionId: id }, 'sweeper could not finish a session; will retry');
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
  }

  async function tick(options: { scanDatabase?: boolean } = {}): Promise<void> {
    const now = Date.now();
    const ids = await hotStore.dueForExpiry(now, graceMs, batch);
    if (options.scanDatabase || now - lastDatabaseScan >= databaseScanMs) {
      lastDatabaseScan = now;
      ids.push(
        ...(await repo.overdueSessionIds(graceMs, batch)),
        ...(await repo.ungradedSubmittedIds(batch)),
      );
    }
    if (ids.length > 0) await expire(ids);
  }

  function loop(): void {
    if (stopped) return;
    running = tick()
      .catch((err: unknown) => logger.error({ err }, 'sweeper tick failed'))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(loop, intervalMs).unref();
      });
  }

  return {
    start(): void {
      if (!stopped) return;
      stopped = false;
      halting = false;
      lastDatabaseScan = 0;
      loop();
    },
    async stop(): Promise<void> {
      stopped = true;
      halting = true;
      clearTimeout(timer);
      await running;
    },
    /** One pass now (tests, and a nudge after a bulk change); `scanDatabase` forces the PostgreSQL scan. */
    tick,
  };
}

export type Sweeper = ReturnType<typeof createSweeper>;
