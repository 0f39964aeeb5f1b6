/**
 * The leaderboard at scale (issue 12's third target): an exam with 100,000 ranked results.
 * Measures, on the memory index and on Redis, a rebuild from PostgreSQL and the reads a
 * results page makes — a student's rank, the top 100, and the whole board call with names.
 *
 * In-process, unlike the exam-day bench: it seeds the result rows straight into a fresh
 * embedded PostgreSQL (100,000 students through the API would measure bcrypt, not boards)
 * and drives the leaderboards service the app wires in context.ts, so every number includes
 * the real sources (SQL, name and placement lookups) and the real index adapters.
 *
 *   npm run bench:leaderboard                      # 100,000 results, memory and redis
 *   npm run bench:leaderboard -- --results 20000 --reads 5000
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../../server/src/config.js';
import { createContext } from '../../server/src/context.js';
import type { StaffPrincipal } from '../../server/src/auth/index.js';
import { startEmbeddedPostgres } from '../../server/src/platform/embedded-postgres.js';
import { migrate } from '../../server/src/platform/migrate.js';
import { createSql, type Sql } from '../../server/src/platform/postgres.js';
import { freePort } from './server-process.js';
import { PhaseRecorder, type PhaseCounts } from './stats.js';

const { values: args } = parseArgs({
  options: {
    results: { type: 'string', default: '100000' },
    reads: { type: 'string', default: '10000' },
    lanes: { type: 'string', default: 'memory,redis' },
  },
});
const RESULTS = Number(args.results);
const READS = Number(args.reads);
const lanes = String(args.lanes).split(',') as ('memory' | 'redis')[];
const logger = pino({ level: 'warn' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function seed(sql: Sql): Promise<string> {
  const [klass] = await sql<{ id: string }[]>`
    INSERT INTO classes (grade_level, major_code, group_number, name) VALUES (12, 'IPA', 1, 'Bench') RETURNING id`;
  const [exam] = await sql<{ id: string }[]>`
    INSERT INTO exams (title, scheduled_start, scheduled_end, duration_minutes, entry_token, status,
                       published_payload, answer_key, leaderboard_enabled, leaderboard_visibility)
    VALUES ('National try-out', now() - interval '2 hours', now() - interval '1 hour', 60, 'BENCH1', 'CLOSED',
            '{"questions":[{"points":100}]}', '{}', true, 'students')
    RETURNING id`;
  // Scores 0–100 in halves (many ties), submissions spread over an hour.
  await sql`
    INSERT INTO students (nisn, name, class_id, password_hash)
    SELECT 'b' || g, 'Student ' || g, ${klass!.id}, 'x' FROM generate_series(1, ${RESULTS}) g`;
  await sql`
    INSERT INTO exam_sessions (id, exam_id, student_id, status, started_at, ends_at, shuffle_seed, question_order,
                               submitted_at, submit_reason, score, max_score, graded_count, pending_count, result)
    SELECT gen_random_uuid(), ${exam!.id}, s.id, 'SCORED', now() - interval '2 hours', now() - interval '1 hour', 1, '{}',
           now() - interval '2 hours' + (random() * interval '1 hour'), 'STUDENT',
           round((random() * 200)::numeric) / 2, 100, 1, 0, '{}'
    FROM students s`;
  await sql`ANALYZE exam_sessions`;
  return exam!.id;
}

async function startRedis(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 100; i++) {
    const { Redis } = await import('ioredis');
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    const ok = await probe.connect().then(
      () => probe.ping().then(() => true),
      () => false,
    );
    probe.disconnect();
    if (ok) return { child, url: `redis://127.0.0.1:${port}` };
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error('redis-server did not start');
}

async function timed(
  name: string,
  count: number,
  call: (i: number) => Promise<unknown>,
): Promise<PhaseCounts> {
  // Closed loop on purpose: one caller, back to back, is the latency of the call itself.
  const recorder = new PhaseRecorder(name);
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    recorder.sent(started, started);
    try {
      await call(i);
      recorder.succeeded(started);
    } catch (err) {
      recorder.failed((err as Error).name);
    }
  }
  return recorder.summary();
}

async function main() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'examhall-lb-bench-'));
  const db = await startEmbeddedPostgres(dir, logger);
  const redis = lanes.includes('redis') ? await startRedis(dir) : undefined;
  const sql = createSql(db.url);
  try {
    await migrate(sql, logger);
    const seeding = performance.now();
    const examId = await seed(sql);
    console.log(`seeded ${RESULTS} results in ${Math.round(performance.now() - seeding)} ms`);
    const studentIds = (
      await sql<{ id: string }[]>`SELECT student_id AS id FROM exam_sessions`
    ).map((r) => r.id);
    const admin: StaffPrincipal = {
      kind: 'staff',
      id: randomBytes(16).toString('hex'),
      loginId: 'bench',
      name: 'Bench',
      superAdmin: true,
      permissions: new Set(),
    };
    const rows: string[] = [];
    for (const lane of lanes) {
      const config = loadConfig({
        DATA_DIR: dir,
        DATABASE_URL: db.url,
        LOG_LEVEL: 'warn',
        ...(lane === 'redis'
          ? { REDIS_URL: `${redis!.url}/?prefix=lb${randomBytes(3).toString('hex')}:` }
          : {}),
      });
      const ctx = createContext({ config, sql, logger, jwtSecret: 'bench' });
      await ctx.redis?.start();
      const lb = ctx.leaderboards.service;
      const started = performance.now();
      const rebuilt = await lb.rebuild(admin, examId);
      const rebuildMs = Math.round(performance.now() - started);
      const ref = { group: examId, board: 'exam' };
      const pick = (i: number) => studentIds[(i * 7919) % studentIds.length]!;
      const rank = await timed('rank', READS, (i) => ctx.leaderboards.index.rank(ref, pick(i)));
      const top = await timed('top100', Math.ceil(READS / 10), () =>
        ctx.leaderboards.index.top(ref, 100),
      );
      const around = await timed('around5', READS, (i) =>
        ctx.leaderboards.index.around(ref, pick(i), 5),
      );
      const call = await timed('board', Math.ceil(READS / 10), () =>
        lb.staffBoard(admin, examId, { top: 100 }),
      );
      const memory = Math.round(process.memoryUsage().rss / 1024 / 1024);
      rows.push(
        ...[rank, top, around, call].map(
          (s) =>
            `| ${lane} | ${s.name} | ${s.latency.count} | ${s.latency.p50Ms} | ${s.latency.p95Ms} | ${s.latency.p99Ms} | ${s.latency.maxMs} | ${Object.values(s.failures).reduce((a, b) => a + b, 0)} |`,
        ),
        `| ${lane} | rebuild from PostgreSQL (${rebuilt.ranked} results) | 1 | ${rebuildMs} | | | | 0 |`,
        `| ${lane} | process RSS after (MB) | | ${memory} | | | | |`,
      );
      await ctx.leaderboards.stop();
      await ctx.hotStore.close();
      await ctx.redis?.close();
    }
    console.log(
      `\nLeaderboard of ${RESULTS} results (${os.cpus().length} cores), latencies in ms:\n`,
    );
    console.log('| lane | call | count | p50 | p95 | p99 | max | errors |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  } finally {
    await sql.end({ timeout: 5 });
    redis?.child.kill('SIGTERM');
    await db.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
