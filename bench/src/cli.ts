import { parseArgs } from 'node:util';

/**
 * Every knob of a run. Defaults are the targets (3,000 students, 5,000 saves/s,
 * 10,000 idle sockets) so `npm run bench` with no options measures exactly the promise.
 */
export interface BenchOptions {
  /** Base URL of a running deployment; unset → the runner starts the server itself. */
  url: string | undefined;
  mode: 'memory' | 'redis';
  workers: number;
  serverEntry: 'src' | 'dist';
  serverPid: number | undefined;
  databaseUrl: string | undefined;
  adminEmail: string;
  adminPassword: string;
  label: string;
  reuse: boolean;
  scenario: 'day' | 'soak' | 'all';
  students: number;
  questions: number;
  loginWindowSec: number;
  startWindowSec: number;
  connectWindowSec: number;
  saveIntervalSec: number;
  steadySec: number;
  submitWindowSec: number;
  submitVia: 'http' | 'ws';
  drainSec: number;
  httpConnections: number;
  requestTimeoutSec: number;
  soakConnections: number;
  soakStudents: number;
  soakSec: number;
  soakPingSec: number;
  soakConnectRate: number;
  sourceAddresses: number;
  cpuProf: boolean;
  /** leaderboard reads per second during the submit burst (0: none) */
  leaderboardRate: number;
  keepData: boolean;
  resultsDir: string;
  allowRemote: boolean;
}

const HELP = `Examhall exam-day benchmark (speaks only the public HTTP + WebSocket contract)

usage: npm run bench -- [options]

target
  --url URL               a running deployment (default: start one; loopback only)
  --mode memory|redis     when the runner starts the server (default memory)
  --workers N             app processes when it starts the server (default 1; >1 needs redis)
  --server-entry src|dist run server/src with tsx or the built dist (default src)
  --server-pid PID        read CPU/RSS of an external server from /proc (else /metrics)
  --database-url URL      also check answers and results directly in PostgreSQL
  --admin-email E         staff login used to provision (default bench-admin@examhall.test)
  --admin-password P      (default bench-admin-password)
  --cpu-prof              start the server with --cpu-prof; profiles land in the results dir

data
  --label NAME            run label: names the class, students and reuse state (default bench)
  --reuse                 reuse the label's class, students and questions (a new exam each run)

scenario
  --scenario day|soak|all exam day, connection soak, or both (default day)
  --students N            students in the exam (default 3000)
  --questions N           questions in the exam (default 20)
  --login-window S        login rush: N logins spread over S seconds (default 10)
  --start-window S        start burst window (default 5)
  --connect-window S      WebSocket connect window (default 5)
  --save-rate R           steady autosave: total saves/s (default 5000) ...
  --save-interval T       ... or every student saves every T seconds (overrides --save-rate)
  --steady S              steady autosave duration (default 60)
  --submit-window S       submit burst window (default 5)
  --submit-via http|ws    (default http)
  --leaderboard-rate N    board reads per second during the submit burst (default 100; 0 = none)
  --drain S               wait this long for late acknowledgements (default 15)
  --http-connections N    undici pool size (default 512)
  --request-timeout S     per request (default 30)

soak
  --soak-connections N    idle WebSockets to hold (default 10000)
  --soak-students N       distinct students behind them (default = connections)
  --soak-duration S       hold time (default 60)
  --soak-ping S           each socket pings every S seconds (default 20)
  --soak-connect-rate R   new sockets per second (default 500)
  --source-addresses K    spread sockets over 127.0.0.1..127.0.0.K (default: 1 per 20,000)

output
  --results-dir DIR       (default bench/results)
  --keep-data             keep the started server's DATA_DIR
`;

export class UsageError extends Error {}

function positive(name: string, raw: string | undefined, fallback: number, integer = true): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be a ${integer ? 'whole ' : ''}number ≥ 0 (got ${raw})`);
  }
  return value;
}

function oneOf<T extends string>(
  name: string,
  raw: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}`);
  return raw as T;
}

/** Loopback only: a load generator aimed at someone else's server is an attack, not a benchmark. */
function checkUrl(raw: string | undefined, allowRemote: boolean): string | undefined {
  if (raw === undefined) return undefined;
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError('--url must be http(s)://');
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (!loopback && !allowRemote) {
    throw new UsageError(
      `--url ${url.hostname} is not loopback; benchmark your own deployment with --allow-remote`,
    );
  }
  return url.origin;
}

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      url: { type: 'string' },
      mode: { type: 'string' },
      workers: { type: 'string' },
      'server-entry': { type: 'string' },
      'server-pid': { type: 'string' },
      'database-url': { type: 'string' },
      'admin-email': { type: 'string' },
      'admin-password': { type: 'string' },
      label: { type: 'string' },
      reuse: { type: 'boolean' },
      scenario: { type: 'string' },
      students: { type: 'string' },
      questions: { type: 'string' },
      'login-window': { type: 'string' },
      'start-window': { type: 'string' },
      'connect-window': { type: 'string' },
      'save-rate': { type: 'string' },
      'save-interval': { type: 'string' },
      steady: { type: 'string' },
      'submit-window': { type: 'string' },
      'submit-via': { type: 'string' },
      drain: { type: 'string' },
      'http-connections': { type: 'string' },
      'request-timeout': { type: 'string' },
      'soak-connections': { type: 'string' },
      'soak-students': { type: 'string' },
      'soak-duration': { type: 'string' },
      'soak-ping': { type: 'string' },
      'soak-connect-rate': { type: 'string' },
      'source-addresses': { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'leaderboard-rate': { type: 'string' },
      'keep-data': { type: 'boolean' },
      'results-dir': { type: 'string' },
      'allow-remote': { type: 'boolean' },
    },
  });
  if (values.help) return 'help';

  const allowRemote = values['allow-remote'] ?? false;
  const students = positive('students', values.students, 3000);
  const saveRate = positive('save-rate', values['save-rate'], 5000, false);
  const soakConnections = positive('soak-connections', values['soak-connections'], 10_000);
  const options: BenchOptions = {
    url: checkUrl(values.url, allowRemote),
    mode: oneOf('mode', values.mode, ['memory', 'redis'] as const, 'memory'),
    workers: positive('workers', values.workers, 1),
    serverEntry: oneOf('server-entry', values['server-entry'], ['src', 'dist'] as const, 'src'),
    serverPid:
      values['server-pid'] === undefined
        ? undefined
        : positive('server-pid', values['server-pid'], 0),
    databaseUrl: values['database-url'],
    adminEmail: values['admin-email'] ?? 'bench-admin@examhall.test',
    adminPassword: values['admin-password'] ?? 'bench-admin-password',
    label: values.label ?? 'bench',
    reuse: values.reuse ?? false,
    scenario: oneOf('scenario', values.scenario, ['day', 'soak', 'all'] as const, 'day'),
    students,
    questions: positive('questions', values.questions, 20),
    loginWindowSec: positive('login-window', values['login-window'], 10, false),
    startWindowSec: positive('start-window', values['start-window'], 5, false),
    connectWindowSec: positive('connect-window', values['connect-window'], 5, false),
    // "every student saves every T seconds": T follows from the total rate unless given.
    saveIntervalSec: positive(
      'save-interval',
      values['save-interval'],
      students / Math.max(saveRate, 1e-9),
      false,
    ),
    steadySec: positive('steady', values.steady, 60, false),
    submitWindowSec: positive('submit-window', values['submit-window'], 5, false),
    submitVia: oneOf('submit-via', values['submit-via'], ['http', 'ws'] as const, 'http'),
    drainSec: positive('drain', values.drain, 15, false),
    httpConnections: positive('http-connections', values['http-connections'], 512),
    requestTimeoutSec: positive('request-timeout', values['request-timeout'], 30, false),
    soakConnections,
    soakStudents: positive('soak-students', values['soak-students'], soakConnections),
    soakSec: positive('soak-duration', values['soak-duration'], 60, false),
    soakPingSec: positive('soak-ping', values['soak-ping'], 20, false),
    soakConnectRate: positive('soak-connect-rate', values['soak-connect-rate'], 500, false),
    sourceAddresses: positive(
      'source-addresses',
      values['source-addresses'],
      Math.max(1, Math.ceil(soakConnections / 20_000)),
    ),
    cpuProf: values['cpu-prof'] ?? false,
    leaderboardRate: positive('leaderboard-rate', values['leaderboard-rate'], 100, false),
    keepData: values['keep-data'] ?? false,
    resultsDir: values['results-dir'] ?? 'bench/results',
    allowRemote,
  };
  if (options.students < 1) throw new UsageError('--students must be at least 1');
  if (options.questions < 1 || options.questions > 200)
    throw new UsageError('--questions must be 1..200');
  if (options.sourceAddresses < 1 || options.sourceAddresses > 254)
    throw new UsageError('--source-addresses must be 1..254');
  if (options.workers < 1) throw new UsageError('--workers must be at least 1');
  if (options.url === undefined && options.workers > 1 && options.mode !== 'redis') {
    throw new UsageError(
      '--workers > 1 needs --mode redis (the memory hot store lives in one process)',
    );
  }
  if (options.saveIntervalSec <= 0) throw new UsageError('--save-interval must be > 0');
  return options;
}

export { HELP };
