import type { ApiClient } from './http.js';

/**
 * GET /metrics as the server's Prometheus text. A server with METRICS_TOKEN set answers 401
 * to anyone without it: the bench takes the same variable from its own environment (and the
 * server it starts inherits it).
 */
export function fetchMetricsText(api: ApiClient, timeoutMs: number): Promise<string> {
  const token = process.env['METRICS_TOKEN'];
  return api
    .call<undefined>('GET', '/metrics', {
      headers: { accept: 'text/plain' },
      timeoutMs,
      ...(token ? { token } : {}),
    })
    .then((r) => r.rawText ?? '');
}

/**
 * The server's own view of a phase, from its Prometheus `/metrics` (part of the contract):
 * how many group commits / write-behind batches ran, how big and how slow they were. This
 * is what explains a latency figure the client sees. With several workers a scrape reaches
 * one of them, so these are one process's numbers.
 */
const WATCHED = [
  'examhall_group_commit_seconds',
  'examhall_group_commit_rows',
  'examhall_log_write_seconds',
  'examhall_log_batch_entries',
  'examhall_final_write_seconds',
  'examhall_final_write_sessions',
  'nodejs_gc_duration_seconds',
] as const;

/** prom-client resets these on every scrape, so the scrape at a phase's end covers exactly that phase. */
const RESET_ON_SCRAPE = [
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_eventloop_lag_max_seconds',
] as const;

interface HistogramTotal {
  sum: number;
  count: number;
  /** cumulative count per upper bound (`le`), summed over label sets */
  buckets: Map<number, number>;
}

export type HistogramTotals = Map<string, HistogramTotal>;

export interface HistogramDelta {
  count: number;
  mean: number;
  /** the bucket bound that holds the 99th percentile (Prometheus buckets: an upper bound, not a value) */
  p99AtMost: number | undefined;
  /** the bucket bound that holds the slowest one */
  maxAtMost?: number | undefined;
}

export async function scrapeHistograms(api: ApiClient): Promise<HistogramTotals> {
  const totals: HistogramTotals = new Map();
  try {
    for (const line of (await fetchMetricsText(api, 5000)).split('\n')) {
      const gauge = /^(\w+)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
      if (gauge && (RESET_ON_SCRAPE as readonly string[]).includes(gauge[1] as string)) {
        totals.set(gauge[1] as string, { sum: Number(gauge[2]), count: 1, buckets: new Map() });
        continue;
      }
      const match = /^(\w+)_(sum|count|bucket)(?:\{([^}]*)\})? ([0-9.e+-]+|\+Inf)$/.exec(line);
      if (!match || !(WATCHED as readonly string[]).includes(match[1] as string)) continue;
      const name = match[1] as string;
      const entry = totals.get(name) ?? { sum: 0, count: 0, buckets: new Map<number, number>() };
      const value = Number(match[4]);
      // Label sets (shards, routes) add up: the phase wants the total.
      if (match[2] === 'bucket') {
        const le = /le="([^"]+)"/.exec(match[3] ?? '')?.[1];
        const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
        entry.buckets.set(bound, (entry.buckets.get(bound) ?? 0) + value);
      } else entry[match[2] as 'sum' | 'count'] += value;
      totals.set(name, entry);
    }
  } catch {
    // /metrics is best effort: a busy server may not answer within the timeout.
  }
  return totals;
}

export function histogramDeltas(
  before: HistogramTotals,
  after: HistogramTotals,
): Record<string, HistogramDelta> {
  const out: Record<string, HistogramDelta> = {};
  for (const name of RESET_ON_SCRAPE) {
    const value = after.get(name);
    if (value) out[name] = { count: 1, mean: value.sum, p99AtMost: undefined };
  }
  for (const [name, end] of after) {
    if ((RESET_ON_SCRAPE as readonly string[]).includes(name)) continue;
    const start = before.get(name) ?? { sum: 0, count: 0, buckets: new Map<number, number>() };
    const count = end.count - start.count;
    if (count <= 0) continue;
    let p99AtMost: number | undefined;
    let maxAtMost: number | undefined;
    for (const bound of [...end.buckets.keys()].sort((a, b) => a - b)) {
      const within = (end.buckets.get(bound) ?? 0) - (start.buckets.get(bound) ?? 0);
      if (p99AtMost === undefined && within >= 0.99 * count) p99AtMost = bound;
      if (within >= count) {
        maxAtMost = bound;
        break;
      }
    }
    out[name] = {
      count,
      mean: Math.round(((end.sum - start.sum) / count) * 10_000) / 10_000,
      p99AtMost,
      maxAtMost,
    };
  }
  return out;
}

/** "412 commits × 12.1 rows, 8.3 ms each" — for the report's server-view line. */
export function describeCommits(d: Record<string, HistogramDelta>): string | undefined {
  const parts: string[] = [];
  const seconds = d.examhall_group_commit_seconds;
  const rows = d.examhall_group_commit_rows;
  const bound = (b: number) =>
    b === Number.POSITIVE_INFINITY ? '∞' : `${Math.round(b * 1000)} ms`;
  const p99 = (d: HistogramDelta) =>
    (d.p99AtMost === undefined ? '' : `, p99 ≤ ${bound(d.p99AtMost)}`) +
    (d.maxAtMost === undefined ? '' : `, max ≤ ${bound(d.maxAtMost)}`);
  if (seconds)
    parts.push(
      `group commits: ${seconds.count} × ${rows ? rows.mean.toFixed(1) : '?'} rows, ${(seconds.mean * 1000).toFixed(1)} ms mean${p99(seconds)}`,
    );
  const logSeconds = d.examhall_log_write_seconds;
  const logRows = d.examhall_log_batch_entries;
  if (logSeconds)
    parts.push(
      `write-behind batches: ${logSeconds.count} × ${logRows ? logRows.mean.toFixed(1) : '?'} entries, ${(logSeconds.mean * 1000).toFixed(1)} ms mean${p99(logSeconds)}`,
    );
  const finalSeconds = d.examhall_final_write_seconds;
  const finalSessions = d.examhall_final_write_sessions;
  if (finalSeconds)
    parts.push(
      `final writes: ${finalSeconds.count} × ${finalSessions ? finalSessions.mean.toFixed(1) : '?'} sessions, ${(finalSeconds.mean * 1000).toFixed(1)} ms mean${p99(finalSeconds)}`,
    );
  const lagP99 = d.nodejs_eventloop_lag_p99_seconds;
  const lagMax = d.nodejs_eventloop_lag_max_seconds;
  if (lagP99 && lagMax)
    parts.push(
      `event-loop delay p99 ${(lagP99.mean * 1000).toFixed(0)} ms, max ${(lagMax.mean * 1000).toFixed(0)} ms`,
    );
  const gc = d.nodejs_gc_duration_seconds;
  if (gc) parts.push(`GC ${gc.count} pauses, ${(gc.mean * gc.count * 1000).toFixed(0)} ms in all`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}
