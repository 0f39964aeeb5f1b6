import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { IntegrityReport } from './integrity.js';
import type { LeaderboardReport } from './leaderboard.js';
import type { ResourceWindow } from './resources.js';
import type { SoakReport } from './soak.js';
import { describeCommits, type HistogramDelta } from './server-metrics.js';
import type { PhaseCounts } from './stats.js';

export interface PhaseResult extends PhaseCounts {
  resources: ResourceWindow;
  /** the server's own histograms over the phase (group commits, write-behind batches) */
  serverView: Record<string, HistogramDelta>;
  target?: string;
  verdict?: 'met' | 'missed' | 'not comparable';
}

export interface RunResult {
  startedAt: string;
  machine: {
    cpus: number;
    model: string;
    memoryGb: number;
    kernel: string;
    node: string;
    generator: string;
  };
  target: {
    url: string;
    mode: string;
    workers: number | string;
    entry: string;
    startedByRunner: boolean;
    revision: string | undefined;
  };
  resourceSource: string;
  options: Record<string, unknown>;
  provisioningSec: number | undefined;
  phases: PhaseResult[];
  integrity: IntegrityReport | undefined;
  leaderboard?: LeaderboardReport | undefined;
  soak: SoakReport | undefined;
  serverLog: string | undefined;
  notes: string[];
  /** 1/5/15-minute load averages when the run began: a busy box skews everything */
  loadBefore: number[];
}

export function machineInfo(): RunResult['machine'] {
  return {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 1073741824),
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    generator: 'same box',
  };
}

/**
 * The issue's targets, scaled to the run: a run with fewer students or a lower save rate is
 * judged on its latency bound only, and says so.
 */
export function judge(
  phase: PhaseCounts,
  full: { students: number; saveRate: number; loginWindow: number; submitWindow: number },
): Pick<PhaseResult, 'target' | 'verdict'> {
  const allOk = phase.attempts > 0 && phase.successes === phase.attempts;
  const p99 = phase.latency.p99Ms;
  const verdict = (fits: boolean, comparable: boolean): PhaseResult['verdict'] =>
    !comparable ? 'not comparable' : fits && allOk ? 'met' : 'missed';
  switch (phase.name) {
    case 'login rush':
      return {
        target: '3,000 in 10 s, p99 < 2 s',
        verdict: verdict(p99 < 2000, full.students >= 3000 && full.loginWindow <= 10),
      };
    case 'start burst':
      return { target: 'p99 < 500 ms', verdict: verdict(p99 < 500, full.students >= 3000) };
    case 'steady autosave':
      return {
        target: '5,000 saves/s, p99 < 100 ms',
        verdict: verdict(p99 < 100 && phase.throughputPerSec >= 0.97 * 5000, full.saveRate >= 5000),
      };
    case 'leaderboard around=me (during the submit burst)':
      return {
        target: 'p99 < 100 ms, everyone ranked within 1 s',
        verdict: verdict(p99 < 100, full.students >= 3000 && full.submitWindow <= 5),
      };
    case 'submit burst':
    case 'submit burst (ws)':
      return {
        target: '3,000 in 5 s, p99 < 300 ms',
        verdict: verdict(p99 < 300, full.students >= 3000 && full.submitWindow <= 5),
      };
    default:
      return {};
  }
}

const fmtMs = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
type Measured = 'app' | 'db' | 'redis' | 'generator';
const fmtCpu = (w: ResourceWindow, g: Measured) => (w[g] ? `${w[g].cpuPct}%` : '–');
const fmtRss = (w: ResourceWindow, g: Measured) => (w[g] ? `${w[g].rssPeakMb} MB` : '–');

function failures(f: Record<string, number>): string {
  const entries = Object.entries(f);
  if (entries.length === 0) return '0';
  return entries.map(([code, n]) => `${n} ${code}`).join(', ');
}

export function markdownTable(result: RunResult): string {
  const t = result.target;
  const m = result.machine;
  const lines = [
    `### ${t.mode} mode, ${t.workers} worker(s) — ${m.cpus} cores (${m.model}), generator on the same box${t.revision ? ` — server ${t.revision}` : ''}`,
    '',
    '| phase | attempts | ok | failed | offered/s | achieved/s | p50 | p95 | p99 | max | gen lag p99 | server CPU | server RSS | db CPU | redis CPU | gen CPU | other CPU | target | verdict |',
    '|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const p of result.phases) {
    const r = p.resources;
    lines.push(
      `| ${p.name} | ${p.attempts} | ${p.successes} | ${failures(p.failures)} | ${p.offeredPerSec} | ${p.throughputPerSec} | ` +
        `${fmtMs(p.latency.p50Ms)} | ${fmtMs(p.latency.p95Ms)} | ${fmtMs(p.latency.p99Ms)} | ${fmtMs(p.latency.maxMs)} | ` +
        `${fmtMs(p.sendLag.p99Ms)} | ${fmtCpu(r, 'app')} | ${fmtRss(r, 'app')} | ${fmtCpu(r, 'db')} | ${fmtCpu(r, 'redis')} | ` +
        `${fmtCpu(r, 'generator')} | ${r.otherCpuPct !== undefined ? `${r.otherCpuPct}%` : '–'} | ${p.target ?? ''} | ${p.verdict ?? ''} |`,
    );
  }
  const views = result.phases.flatMap((p) => {
    const text = describeCommits(p.serverView);
    const worst = [...p.timeline].sort((a, b) => b.maxMs - a.maxMs).slice(0, 3);
    const spikes =
      p.timeline.length >= 10
        ? `; slowest seconds: ${worst.map((w) => `${w.second} s (${fmtMs(w.maxMs)})`).join(', ')}`
        : '';
    return text || spikes ? [`* ${p.name} — ${text ?? ''}${spikes}`] : [];
  });
  if (views.length > 0)
    lines.push(
      '',
      "Server's view (its /metrics, one process) and the client's slowest seconds:",
      ...views,
    );
  const i = result.integrity;
  if (i) {
    lines.push(
      '',
      `Integrity: ${i.sessions} sessions, ${i.acknowledgedAnswers} acknowledged answers, ${i.resultsChecked} results re-graded, ` +
        `monitor ${i.monitor}, PostgreSQL ${i.database}${i.unverifiableViaApi ? `, ${i.unverifiableViaApi} sessions not readable via the API` : ''}` +
        `${i.unsubmitted ? `, ${i.unsubmitted} never submitted` : ''} → **lost: ${i.lost}, mismatched: ${i.mismatched}**`,
    );
  }
  const b = result.leaderboard;
  if (b) {
    lines.push(
      '',
      `Leaderboard: ${b.rankedAtSubmit}/${b.submitted} submits answered with their rank; final board ${b.board}: ` +
        `${b.total} ranked vs ${b.expected} scored results in ${b.source === 'database' ? 'PostgreSQL' : 'the results'} → **mismatched: ${b.mismatched}**`,
    );
  }
  const s = result.soak;
  if (s) {
    lines.push(
      '',
      `Soak: ${s.connected}/${s.target} sockets held (${s.closedDuringHold} closed during the hold); server RSS ` +
        `${s.rssBaselineMb ?? '?'} MB before → ${s.rssHeldMb ?? '?'} MB held (${s.rssPerConnectionKb ?? '?'} KB per connection), ` +
        `${s.rssAfterCloseMb ?? '?'} MB after closing. Target: 10,000 idle sockets under 300 MB → ` +
        `${s.target >= 10_000 && s.rssHeldMb !== undefined ? (s.rssHeldMb < 300 && s.connected >= 10_000 && s.closedDuringHold === 0 ? 'met' : 'missed') : 'not comparable'}`,
    );
  }
  lines.push(
    '',
    `CPU is % of one core (${m.cpus * 100}% = the whole box); "other" is every process on the box that is not ` +
      `the server, its database, Redis or the generator. Resources from ${result.resourceSource}; load average ` +
      `before the run ${result.loadBefore.join(' / ')}.`,
  );
  return lines.join('\n');
}

export async function writeJson(dir: string, result: RunResult): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${result.startedAt.replace(/[:.]/g, '-')}.json`);
  await fs.writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
  return file;
}
