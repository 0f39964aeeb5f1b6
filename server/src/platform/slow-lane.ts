/** How far the slow lane (group commit, or the durable log's writers) is behind: readiness and metrics. */
export interface PersistLag {
  /** writes accepted but not yet committed to PostgreSQL */
  pending: number;
  /** age in ms of the oldest such write (0 when none) */
  oldestMs: number;
}
