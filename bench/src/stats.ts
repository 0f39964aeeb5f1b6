import * as hdr from 'hdr-histogram-js';
import { performance } from 'node:perf_hooks';

/** Latencies are recorded in microseconds: whole numbers keep the histogram exact and small. */
const MAX_TRACKABLE_US = 10 * 60 * 1_000_000;

function newHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: MAX_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    // The pure-JS histogram: no WebAssembly start-up, and fast enough for 10k records/s.
    useWebAssembly: false,
  });
}

function toMicros(ms: number): number {
  return Math.min(MAX_TRACKABLE_US, Math.max(1, Math.round(ms * 1000)));
}

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

function summarize(h: hdr.Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    count: h.totalCount,
    p50Ms: ms(h.getValueAtPercentile(50)),
    p95Ms: ms(h.getValueAtPercentile(95)),
    p99Ms: ms(h.getValueAtPercentile(99)),
    maxMs: ms(h.maxValue),
    meanMs: Math.round(h.mean) / 1000,
  };
}

export interface PhaseCounts {
  name: string;
  attempts: number;
  successes: number;
  failures: Record<string, number>;
  /** from the first scheduled send to the last completion */
  elapsedSec: number;
  /** what the schedule asked for: attempts ÷ schedule window */
  offeredPerSec: number;
  /** what the server achieved: successes ÷ elapsed */
  throughputPerSec: number;
  latency: LatencySummary;
  /** how late the generator itself sent (actual − scheduled); large values mean the generator, not the server, is saturated */
  sendLag: LatencySummary;
  /** per second of the phase (by scheduled time): successes and the worst latency, to see whether the tail is steady or in spikes */
  timeline: { second: number; ok: number; maxMs: number }[];
}

/**
 * Counts one phase. Open loop: every latency is measured from the *scheduled* send time,
 * so a stalled server shows up as latency instead of silently slowing the senders down
 * (no coordinated omission). Only successes feed the latency histogram; failures are
 * counted by code.
 */
export class PhaseRecorder {
  attempts = 0;
  successes = 0;
  private readonly failures = new Map<string, number>();
  private readonly latency = newHistogram();
  private readonly sendLag = newHistogram();
  private firstScheduledAt = Number.POSITIVE_INFINITY;
  private lastCompletedAt = 0;
  private windowSec = 0;
  private readonly okPerSecond: number[] = [];
  private readonly maxPerSecond: number[] = [];

  constructor(readonly name: string) {}

  /** The schedule's length, for the offered rate. */
  setWindow(seconds: number): void {
    this.windowSec = seconds;
  }

  /** Call when a request leaves; `scheduledAt` is the open-loop time it was due. */
  sent(scheduledAt: number, now = performance.now()): void {
    this.attempts += 1;
    if (scheduledAt < this.firstScheduledAt) this.firstScheduledAt = scheduledAt;
    this.sendLag.recordValue(toMicros(now - scheduledAt));
  }

  succeeded(scheduledAt: number, now = performance.now()): void {
    this.successes += 1;
    this.latency.recordValue(toMicros(now - scheduledAt));
    const second = Math.max(0, Math.floor((scheduledAt - this.firstScheduledAt) / 1000));
    this.okPerSecond[second] = (this.okPerSecond[second] ?? 0) + 1;
    if ((this.maxPerSecond[second] ?? 0) < now - scheduledAt)
      this.maxPerSecond[second] = now - scheduledAt;
    if (now > this.lastCompletedAt) this.lastCompletedAt = now;
  }

  failed(code: string, now = performance.now()): void {
    this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
    if (now > this.lastCompletedAt) this.lastCompletedAt = now;
  }

  get failureCount(): number {
    let total = 0;
    for (const n of this.failures.values()) total += n;
    return total;
  }

  summary(): PhaseCounts {
    const elapsedSec =
      this.attempts === 0 ? 0 : Math.max(0, (this.lastCompletedAt - this.firstScheduledAt) / 1000);
    return {
      name: this.name,
      attempts: this.attempts,
      successes: this.successes,
      failures: Object.fromEntries([...this.failures.entries()].sort((a, b) => b[1] - a[1])),
      elapsedSec: round(elapsedSec, 2),
      offeredPerSec: this.windowSec > 0 ? round(this.attempts / this.windowSec, 1) : this.attempts,
      throughputPerSec: elapsedSec > 0 ? round(this.successes / elapsedSec, 1) : this.successes,
      latency: summarize(this.latency),
      sendLag: summarize(this.sendLag),
      timeline: Array.from({ length: this.okPerSecond.length }, (_, second) => ({
        second,
        ok: this.okPerSecond[second] ?? 0,
        maxMs: round(this.maxPerSecond[second] ?? 0, 1),
      })),
    };
  }
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * A failure's stable label: `status CODE` for API errors (API.md's error shape), the
 * socket-level code for transport errors, so the table groups what really happened.
 */
export function failureLabel(status: number | undefined, code: string | undefined): string {
  if (status === undefined) return code ?? 'ERROR';
  return `${status} ${code ?? 'NO_CODE'}`;
}
