import type { Metrics } from '../platform/metrics.js';

/** The exam engine's Prometheus series: answer traffic, submits, the group commit. */
export function createSessionMetrics(metrics: Metrics) {
  return {
    saves: metrics.counter('examhall_answer_saves_total', 'Answers saved (acknowledged)', [
      'transport',
    ]),
    submits: metrics.counter('examhall_submits_total', 'Sessions submitted, by reason', ['reason']),
    commitRows: metrics.histogram(
      'examhall_group_commit_rows',
      'Answers written per group commit',
      [1, 5, 10, 25, 50, 100, 250, 500, 1000],
    ),
    commitSeconds: metrics.histogram(
      'examhall_group_commit_seconds',
      'Group commit latency (one transaction)',
      [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    ),
    sweeps: metrics.counter(
      'examhall_sessions_expired_total',
      'Sessions submitted by the expiry sweeper',
    ),
  };
}

export type SessionMetrics = ReturnType<typeof createSessionMetrics>;
