import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { ApiClient } from './http.js';
import { fetchMetricsText } from './server-metrics.js';

/** Where server CPU and memory come from: /proc for a process we can see, else Prometheus. */
export type ProcessGroup = 'app' | 'db' | 'redis';

export interface GroupUsage {
  /** cumulative CPU seconds since the sampler started */
  cpuSec: number;
  rssBytes: number;
}

interface Sample {
  t: number;
  groups: Partial<Record<ProcessGroup, GroupUsage>>;
  generator: GroupUsage;
  /** busy CPU seconds of the whole machine (all processes), from /proc/stat */
  machineCpuSec: number | undefined;
}

export interface WindowUsage {
  /** percent of one core, averaged over the window (200 = both cores of a 2-core box) */
  cpuPct: number;
  rssPeakMb: number;
  rssEndMb: number;
}

export type ResourceWindow = Partial<Record<ProcessGroup | 'generator', WindowUsage>> & {
  /**
   * CPU (% of one core) used by everything else on the box: the machine's busy time minus
   * server, database, Redis and generator. On a shared box this is the noise in the figures.
   */
  otherCpuPct?: number;
};

export interface ProcessRoot {
  group: ProcessGroup;
  /** resolved on each sample: the embedded PostgreSQL's pid appears only after the server starts it */
  pid: () => number | undefined;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  pid: number;
  ppid: number;
  comm: string;
  cpuTicks: number;
}

/** /proc/<pid>/stat: the command is in parentheses and may contain spaces, so split after the last ')'. */
function readStat(pid: number): ProcStat | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    // fields[0] is state (stat field 3): ppid is field 4, utime 14, stime 15.
    return {
      pid,
      comm,
      ppid: Number(fields[1]),
      cpuTicks: Number(fields[11]) + Number(fields[12]),
    };
  } catch {
    return undefined;
  }
}

/** Busy seconds of all CPUs since boot: every /proc/stat column but idle and iowait. */
function machineBusySec(): number | undefined {
  try {
    const fields =
      fs
        .readFileSync('/proc/stat', 'latin1')
        .split('\n', 1)[0]
        ?.trim()
        .split(/\s+/)
        .slice(1)
        .map(Number) ?? [];
    // user nice system idle iowait irq softirq steal (guest time is already inside user)
    const busy =
      (fields[0] ?? 0) +
      (fields[1] ?? 0) +
      (fields[2] ?? 0) +
      (fields[5] ?? 0) +
      (fields[6] ?? 0) +
      (fields[7] ?? 0);
    return busy / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** VmRSS from /proc/<pid>/status, in bytes. */
function readRss(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const stat = readStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}

/** A root pid and all its descendants (cluster workers, PostgreSQL backends). */
function treeOf(root: number, stats: ProcStat[]): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) {
    const list = children.get(s.ppid);
    if (list) list.push(s);
    else children.set(s.ppid, [s]);
  }
  const out: ProcStat[] = [];
  const rootStat = stats.find((s) => s.pid === root);
  if (!rootStat) return out;
  const queue = [rootStat];
  while (queue.length > 0) {
    const next = queue.pop() as ProcStat;
    out.push(next);
    queue.push(...(children.get(next.pid) ?? []));
  }
  return out;
}

/**
 * Samples server CPU and RSS twice a second. CPU is accumulated per pid from tick deltas,
 * so a PostgreSQL backend that exits mid-phase does not make the total go backwards.
 */
export class ResourceSampler {
  private readonly samples: Sample[] = [];
  private readonly lastTicks = new Map<number, number>();
  private readonly cumulative: Record<ProcessGroup, number> = { app: 0, db: 0, redis: 0 };
  private timer: NodeJS.Timeout | undefined;
  private first = true;
  private readonly genStart = process.cpuUsage();

  constructor(
    private readonly roots: ProcessRoot[],
    private readonly metrics: { api: ApiClient } | undefined,
  ) {}

  get source(): string {
    if (this.roots.length > 0) return '/proc';
    return this.metrics ? 'prometheus /metrics (one process)' : 'none';
  }

  start(intervalMs = 500): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Takes a sample now (phase boundaries) and returns its time. */
  async mark(): Promise<number> {
    await this.sample();
    return performance.now();
  }

  private async sample(): Promise<void> {
    const t = performance.now();
    const groups: Partial<Record<ProcessGroup, GroupUsage>> = {};
    if (this.roots.length > 0) this.sampleProc(groups);
    else if (this.metrics) await this.sampleMetrics(groups, this.metrics.api);
    const cpu = process.cpuUsage(this.genStart);
    this.samples.push({
      t,
      groups,
      generator: { cpuSec: (cpu.user + cpu.system) / 1e6, rssBytes: process.memoryUsage.rss() },
      machineCpuSec: machineBusySec(),
    });
  }

  private sampleProc(groups: Partial<Record<ProcessGroup, GroupUsage>>): void {
    const stats = allStats();
    const seen = new Set<number>();
    for (const root of this.roots) {
      const pid = root.pid();
      if (pid === undefined) continue;
      const usage = groups[root.group] ?? { cpuSec: 0, rssBytes: 0 };
      for (const proc of treeOf(pid, stats)) {
        if (seen.has(proc.pid)) continue;
        seen.add(proc.pid);
        // A pid seen for the first time after the first sample was born since: count all its CPU.
        const previous = this.lastTicks.get(proc.pid) ?? (this.first ? proc.cpuTicks : 0);
        this.lastTicks.set(proc.pid, proc.cpuTicks);
        this.cumulative[root.group] += Math.max(0, proc.cpuTicks - previous) / CLOCK_TICKS;
        usage.rssBytes += readRss(proc.pid);
      }
      usage.cpuSec = this.cumulative[root.group];
      groups[root.group] = usage;
    }
    this.first = false;
  }

  private async sampleMetrics(
    groups: Partial<Record<ProcessGroup, GroupUsage>>,
    api: ApiClient,
  ): Promise<void> {
    try {
      const text = await fetchMetricsText(api, 2000);
      const value = (name: string) =>
        Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
      const cpu = value('process_cpu_seconds_total');
      const rss = value('process_resident_memory_bytes');
      if (Number.isFinite(cpu) && Number.isFinite(rss)) groups.app = { cpuSec: cpu, rssBytes: rss };
    } catch {
      // A busy server may not answer /metrics in time; that sample simply has no server figures.
    }
  }

  /** Average CPU and peak/end RSS per group between two marks. */
  window(from: number, to: number): ResourceWindow {
    const inside = this.samples.filter((s) => s.t >= from - 1 && s.t <= to + 1);
    const out: ResourceWindow = {};
    if (inside.length < 2) return out;
    const firstSample = inside[0] as Sample;
    const lastSample = inside[inside.length - 1] as Sample;
    const seconds = (lastSample.t - firstSample.t) / 1000;
    const groups: (ProcessGroup | 'generator')[] = ['app', 'db', 'redis', 'generator'];
    for (const group of groups) {
      const pick = (s: Sample) => (group === 'generator' ? s.generator : s.groups[group]);
      const usages = inside.map(pick).filter((u): u is GroupUsage => u !== undefined);
      const a = usages[0];
      const b = usages[usages.length - 1];
      if (!a || !b || seconds <= 0) continue;
      out[group] = {
        cpuPct: Math.round(((b.cpuSec - a.cpuSec) / seconds) * 1000) / 10,
        rssPeakMb: Math.round(Math.max(...usages.map((u) => u.rssBytes)) / 1048576),
        rssEndMb: Math.round(b.rssBytes / 1048576),
      };
    }
    const machineA = firstSample.machineCpuSec;
    const machineB = lastSample.machineCpuSec;
    if (machineA !== undefined && machineB !== undefined && this.roots.length > 0) {
      const machinePct = ((machineB - machineA) / seconds) * 100;
      const ours = (['app', 'db', 'redis', 'generator'] as const).reduce(
        (sum, g) => sum + (out[g]?.cpuPct ?? 0),
        0,
      );
      out.otherCpuPct = Math.max(0, Math.round(machinePct - ours));
    }
    return out;
  }

  /** The latest RSS of a group (the soak's baseline and held figures). */
  async currentRss(group: ProcessGroup): Promise<number | undefined> {
    await this.sample();
    return this.samples[this.samples.length - 1]?.groups[group]?.rssBytes;
  }
}
