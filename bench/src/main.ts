import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { HELP, parseOptions, type BenchOptions } from './cli.js';
import { checkIntegrity, type IntegrityReport } from './integrity.js';
import {
  checkLeaderboard,
  probeLeaderboardDuringBurst,
  type LeaderboardReport,
} from './leaderboard.js';
import { ApiClient } from './http.js';
import {
  closeSockets,
  connectSockets,
  loginRush,
  startBurst,
  steadyAutosave,
  submitBurst,
  type DayContext,
} from './phases.js';
import {
  StaffSession,
  provisionSchool,
  publishExam,
  studentLogin,
  type Provisioned,
} from './provision.js';
import { ResourceSampler, type ProcessRoot } from './resources.js';
import {
  judge,
  machineInfo,
  markdownTable,
  writeJson,
  type PhaseResult,
  type RunResult,
} from './report.js';
import { forEachLimited } from './schedule.js';
import { histogramDeltas, scrapeHistograms } from './server-metrics.js';
import { startServer, type StartedServer } from './server-process.js';
import { runSoak, type SoakReport } from './soak.js';
import type { PhaseRecorder } from './stats.js';
import { newStudent, type Student } from './student.js';
import type { TokenPair } from './contract.js';

const t0 = performance.now();
function log(line: string): void {
  process.stderr.write(
    `[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s] ${line}\n`,
  );
}

/** Brackets each phase with resource samples so CPU and RSS are per phase. */
class PhaseLog {
  readonly results: PhaseResult[] = [];
  constructor(
    private readonly sampler: ResourceSampler,
    private readonly opts: BenchOptions,
    private readonly metricsApi: ApiClient,
  ) {}

  async run<T>(name: string, work: () => Promise<T>): Promise<T> {
    log(`phase: ${name}`);
    const metricsBefore = await scrapeHistograms(this.metricsApi);
    const from = await this.sampler.mark();
    const out = await work();
    const to = await this.sampler.mark();
    const serverView = histogramDeltas(metricsBefore, await scrapeHistograms(this.metricsApi));
    const recorders = (Array.isArray(out) ? out : [out]).filter(
      (r): r is PhaseRecorder => typeof (r as PhaseRecorder)?.summary === 'function',
    );
    for (const recorder of recorders) {
      const counts = recorder.summary();
      const full = {
        students: this.opts.students,
        saveRate: this.opts.students / this.opts.saveIntervalSec,
        loginWindow: this.opts.loginWindowSec,
        submitWindow: this.opts.submitWindowSec,
      };
      this.results.push({
        ...counts,
        resources: this.sampler.window(from, to),
        serverView,
        ...judge(counts, full),
      });
      log(
        `  ${counts.name}: ${counts.successes}/${counts.attempts} ok, p99 ${counts.latency.p99Ms} ms, ${counts.throughputPerSec}/s`,
      );
    }
    return out;
  }
}

async function examDay(
  api: ApiClient,
  staff: StaffSession,
  school: Provisioned,
  opts: BenchOptions,
  phases: PhaseLog,
  wsBase: string,
) {
  const exam = await publishExam(staff, school, log);
  const students: Student[] = Array.from({ length: opts.students }, (_, i) =>
    newStudent(studentLogin(school, i)),
  );
  const ctx: DayContext = {
    api,
    exam,
    students,
    wsBase,
    requestTimeoutMs: opts.requestTimeoutSec * 1000,
    log,
  };
  await phases.run('login rush', () => loginRush(ctx, opts.loginWindowSec));
  await phases.run('start burst', () => startBurst(ctx, opts.startWindowSec));
  await phases.run('ws connect', () =>
    connectSockets(ctx, opts.connectWindowSec, opts.sourceAddresses),
  );
  await phases.run('steady autosave', () =>
    steadyAutosave(ctx, opts.saveIntervalSec, opts.steadySec, opts.drainSec),
  );
  // The board is read while the burst lands: students with their result ask for their rank.
  await phases.run('submit burst', () =>
    Promise.all([
      submitBurst(ctx, opts.submitWindowSec, opts.submitVia, opts.drainSec),
      ...(opts.leaderboardRate > 0
        ? [
            probeLeaderboardDuringBurst({
              api,
              examId: exam.examId,
              students,
              windowSec: opts.submitWindowSec + 1,
              ratePerSec: opts.leaderboardRate,
            }),
          ]
        : []),
    ]),
  );
  closeSockets(students);
  return { exam, students };
}

/** Soak logins are set-up, not a measured rush: a few at a time, so bcrypt does not starve anything. */
async function soakTokens(
  api: ApiClient,
  school: Provisioned,
  count: number,
  known: Student[],
): Promise<string[]> {
  const tokens: string[] = known
    .flatMap((s) => (s.accessToken ? [s.accessToken] : []))
    .slice(0, count);
  const missing = Array.from({ length: Math.max(0, count - tokens.length) }, (_, i) =>
    studentLogin(school, tokens.length + i),
  );
  if (missing.length > 0) log(`soak: signing in ${missing.length} more students`);
  await forEachLimited(missing, 8, async (s) => {
    const r = await api.call<TokenPair>('POST', '/api/v1/auth/login', {
      json: { nisn: s.nisn, password: s.password },
    });
    if (r.body?.accessToken) tokens.push(r.body.accessToken);
  });
  return tokens;
}

/** The commit the runner started the server from (`-dirty` when the working tree differs). */
function gitRevision(): string | undefined {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

/** Error and fatal lines of the server's JSON log (pino levels 50 and 60): a bench that finds a 500 should say so. */
async function serverLogErrors(logFile: string): Promise<string[]> {
  const text = await fs.readFile(logFile, 'utf8').catch(() => '');
  const errors = text.split('\n').filter((line) => /"level":(50|60)/.test(line));
  if (errors.length === 0) return [];
  const sample = errors.slice(0, 3).map((line) => line.slice(0, 400));
  return [
    `server log: ${errors.length} error/fatal lines in ${logFile}; first: ${sample.join(' | ')}`,
  ];
}

function resourceRoots(server: StartedServer | undefined, opts: BenchOptions): ProcessRoot[] {
  if (server) {
    const roots: ProcessRoot[] = [
      { group: 'app', pid: () => server.pid },
      { group: 'db', pid: server.postgresPid },
    ];
    if (server.redisPid !== undefined) roots.push({ group: 'redis', pid: () => server.redisPid });
    return roots;
  }
  return opts.serverPid ? [{ group: 'app', pid: () => opts.serverPid }] : [];
}

async function run(opts: BenchOptions): Promise<number> {
  const startedAt = new Date().toISOString();
  const loadBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const resultsDir = path.resolve(opts.resultsDir);
  const notes: string[] = [];
  let server: StartedServer | undefined;
  const stopServer = async () => {
    const s = server;
    server = undefined;
    if (s) await s.stop();
  };
  process.once('SIGINT', () => {
    log('interrupted: stopping what the runner started');
    void stopServer().finally(() => process.exit(130));
  });

  if (!opts.url) {
    server = await startServer({
      mode: opts.mode,
      workers: opts.workers,
      entry: opts.serverEntry,
      adminEmail: opts.adminEmail,
      adminPassword: opts.adminPassword,
      databaseUrl: opts.databaseUrl,
      cpuProfDir: opts.cpuProf
        ? path.join(resultsDir, `prof-${startedAt.replace(/[:.]/g, '-')}`)
        : undefined,
      keepData: opts.keepData,
      logDir: path.join(resultsDir, 'logs'),
      log,
    });
  }
  const baseUrl = opts.url ?? (server as StartedServer).url;
  const api = new ApiClient(baseUrl, opts.httpConnections, opts.requestTimeoutSec * 1000);
  // Its own small pool: a metrics scrape must not queue behind a burst.
  const sideApi = new ApiClient(baseUrl, 4, 10_000);
  const roots = resourceRoots(server, opts);
  const sampler = new ResourceSampler(roots, roots.length === 0 ? { api: sideApi } : undefined);
  sampler.start();
  const phases = new PhaseLog(sampler, opts, sideApi);
  let integrity: IntegrityReport | undefined;
  let leaderboard: LeaderboardReport | undefined;
  let soak: SoakReport | undefined;
  let provisioningSec: number | undefined;
  try {
    const staff = new StaffSession(api, opts.adminEmail, opts.adminPassword);
    await staff.login();
    const provisionStart = performance.now();
    const needed = Math.max(
      opts.scenario !== 'soak' ? opts.students : 0,
      opts.scenario !== 'day' ? opts.soakStudents : 0,
    );
    const school = await provisionSchool(
      staff,
      {
        label: opts.label,
        students: needed,
        questions: opts.questions,
        reuse: opts.reuse,
        resultsDir,
      },
      log,
    );
    provisioningSec = Math.round((performance.now() - provisionStart) / 100) / 10;

    const wsBase = baseUrl.replace(/^http/, 'ws');
    let students: Student[] = [];
    if (opts.scenario !== 'soak') {
      const day = await examDay(api, staff, school, opts, phases, wsBase);
      students = day.students;
      log('integrity: checking every acknowledged answer and every result');
      const databaseUrl = opts.databaseUrl ?? server?.embeddedDatabaseUrl();
      integrity = await checkIntegrity({
        api,
        staffGet: (route) => staff.must('GET', route),
        examId: day.exam.examId,
        students,
        databaseUrl,
        drainSec: opts.drainSec,
        log,
      });
      log(`lost: ${integrity.lost}`);
      log(`mismatched: ${integrity.mismatched}`);
      for (const line of integrity.examples) log(`  ${line}`);
      log('leaderboard: comparing the final board with the scores');
      leaderboard = await checkLeaderboard({
        api,
        staffGet: (route) => staff.must('GET', route),
        examId: day.exam.examId,
        students,
        databaseUrl,
      }).catch((err: Error): LeaderboardReport => ({
        board: `failed: ${err.message}`,
        expected: 0,
        total: 0,
        rankedAtSubmit: 0,
        submitted: 0,
        mismatched: 1,
        source: 'results',
        examples: [],
      }));
      log(`leaderboard mismatched: ${leaderboard.mismatched}`);
      for (const line of leaderboard.examples) log(`  ${line}`);
    }
    if (opts.scenario !== 'day') {
      const tokens = await soakTokens(api, school, opts.soakStudents, students);
      if (tokens.length < opts.soakConnections)
        notes.push(
          `soak: ${tokens.length} students behind ${opts.soakConnections} sockets (tokens reused round-robin)`,
        );
      const out = await runSoak({
        wsBase,
        tokens,
        connections: opts.soakConnections,
        holdSec: opts.soakSec,
        pingSec: opts.soakPingSec,
        connectRate: opts.soakConnectRate,
        sourceAddresses: opts.sourceAddresses,
        timeoutMs: opts.requestTimeoutSec * 1000,
        sampler,
        log,
        phase: (name, work) => phases.run(name, work),
      });
      soak = out.report;
    }
  } catch (err) {
    await stopServer().catch(() => undefined);
    throw err;
  } finally {
    sampler.stop();
    await api.close().catch(() => undefined);
    await sideApi.close().catch(() => undefined);
  }

  for (const p of phases.results) {
    if ((p.resources.otherCpuPct ?? 0) > 25) {
      notes.push(
        `${p.name}: other processes on the box used ${p.resources.otherCpuPct}% of a core — these figures are pessimistic`,
      );
    }
    if ((p.resources.generator?.cpuPct ?? 0) > 85) {
      notes.push(
        `${p.name}: the generator used ${p.resources.generator?.cpuPct}% of a core — its own latency is in these figures (see gen lag)`,
      );
    }
  }
  const result: RunResult = {
    startedAt,
    machine: machineInfo(),
    target: {
      url: baseUrl,
      mode: server ? opts.mode : 'external',
      workers: server ? opts.workers : '?',
      entry: server ? opts.serverEntry : 'external',
      startedByRunner: server !== undefined,
      revision: server ? gitRevision() : undefined,
    },
    resourceSource: sampler.source,
    options: {
      ...opts,
      adminPassword: '<redacted>',
      databaseUrl: opts.databaseUrl ? '<set>' : undefined,
    },
    provisioningSec,
    phases: phases.results,
    integrity,
    leaderboard,
    soak,
    serverLog: server?.logFile,
    notes,
    loadBefore,
  };
  const logFile = server?.logFile;
  await stopServer();
  if (logFile) notes.push(...(await serverLogErrors(logFile)));
  const file = await writeJson(resultsDir, result);
  process.stdout.write(`\n${markdownTable(result)}\n`);
  for (const note of notes) process.stdout.write(`\nnote: ${note}`);
  if (integrity)
    process.stdout.write(`\nlost: ${integrity.lost}\nmismatched: ${integrity.mismatched}\n`);
  if (leaderboard) process.stdout.write(`leaderboard mismatched: ${leaderboard.mismatched}\n`);
  process.stdout.write(`\nresults: ${file}\n`);
  const broken =
    (integrity && (integrity.lost > 0 || integrity.mismatched > 0)) ||
    (leaderboard !== undefined && leaderboard.mismatched > 0);
  return broken ? 1 : 0;
}

async function main(): Promise<void> {
  let opts: BenchOptions | 'help';
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (opts === 'help') {
    process.stdout.write(HELP);
    return;
  }
  process.exitCode = await run(opts);
  // Keep-alive sockets and timers must not hold the process open after the report.
  setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
