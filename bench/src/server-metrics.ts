import type { ApiClient } from './http.js';

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
] as const;

export type HistogramTotals = Map<string, { sum: number; count: number }>;

export interface HistogramDelta {
  count: number;
  mean: number;
}

export async function scrapeHistograms(api: ApiClient): Promise<HistogramTotals> {
  const totals: HistogramTotals = new Map();
  try {
    const r = await api.call<undefined>('GET', '/metrics', { headers: { accept: 'text/plain' }, timeoutMs: 5000 });
    for (const line of r.rawText.split('\n')) {
      const match = /^(\w+)_(sum|count)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
      if (!match || !(WATCHED as readonly string[]).includes(match[1] as string)) continue;
      const entry = totals.get(match[1] as string) ?? { sum: 0, count: 0 };
      // Label sets (shards, routes) add up: the phase wants the total.
      entry[match[2] as 'sum' | 'count'] += Number(match[3]);
      totals.set(match[1] as string, entry);
    }
  } catch {
    // /metrics is best effort: a busy server may not answer within the timeout.
  }
  return totals;
}

export function histogramDeltas(before: HistogramTotals, after: HistogramTotals): Record<string, HistogramDelta> {
  const out: Record<string, HistogramDelta> = {};
  for (const [name, end] of after) {
    const start = before.get(name) ?? { sum: 0, count: 0 };
    const count = end.count - start.count;
    if (count <= 0) continue;
    out[name] = { count, mean: Math.round(((end.sum - start.sum) / count) * 10_000) / 10_000 };
  }
  return out;
}

/** "412 commits × 12.1 rows, 8.3 ms each" — for the report's server-view line. */
export function describeCommits(d: Record<string, HistogramDelta>): string | undefined {
  const parts: string[] = [];
  const seconds = d.examhall_group_commit_seconds;
  const rows = d.examhall_group_commit_rows;
  if (seconds) parts.push(`group commits: ${seconds.count} × ${rows ? rows.mean.toFixed(1) : '?'} rows, ${(seconds.mean * 1000).toFixed(1)} ms each`);
  const logSeconds = d.examhall_log_write_seconds;
  const logRows = d.examhall_log_batch_entries;
  if (logSeconds) parts.push(`write-behind batches: ${logSeconds.count} × ${logRows ? logRows.mean.toFixed(1) : '?'} entries, ${(logSeconds.mean * 1000).toFixed(1)} ms each`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}
