import { performance } from 'node:perf_hooks';
import postgres from 'postgres';
import type { ApiClient } from './http.js';
import { forEachLimited, runOpenLoop } from './schedule.js';
import { failureLabel, PhaseRecorder } from './stats.js';
import type { Student } from './student.js';

/**
 * The leaderboard during and after the submit burst (issue 12), through the public contract:
 *  * during the burst, students who have their result read `GET …/leaderboard?around=…`
 *    open-loop; a reply without the student's own row counts as `NOT_RANKED`, and one for a
 *    result acknowledged over a second before as `NOT_RANKED_1S` (the target: every
 *    submitted student is ranked within 1 s of their result);
 *  * after it, the staff board must equal a ranking computed from the scores (PostgreSQL's
 *    when the runner can reach it, else the results the students were given): the same
 *    total, every row's standard competition rank, and each sampled student's own rank.
 */

interface BoardRowBody {
  rank: number;
  name: string | null;
  score: number;
  me?: boolean;
}
interface BoardBody {
  total: number;
  top: BoardRowBody[];
  me?: { rank: number; score: number } | null;
}

/** When each student's submit was acknowledged (performance.now()), for the 1 s check. */
export const submittedAt = new WeakMap<Student, number>();

export function probeLeaderboardDuringBurst(input: {
  api: ApiClient;
  examId: string;
  students: Student[];
  windowSec: number;
  ratePerSec: number;
}): Promise<PhaseRecorder> {
  const recorder = new PhaseRecorder('leaderboard around=me (during the submit burst)');
  recorder.setWindow(input.windowSec);
  const count = Math.max(1, Math.round(input.windowSec * input.ratePerSec));
  const inFlight: Promise<void>[] = [];
  let cursor = 0;
  // Students whose result arrived, in arrival order (the probe reads the newest ones most).
  const ready = () => input.students.filter((s) => s.submitState === 'ok' && s.result);
  return (async () => {
    await runOpenLoop(count, input.windowSec * 1000, (_i, scheduledAt) => {
      const candidates = ready();
      if (candidates.length === 0) return;
      const student = candidates[(cursor += 7919) % candidates.length]!;
      const ackedAt = submittedAt.get(student);
      recorder.sent(scheduledAt);
      inFlight.push(
        input.api
          .call<BoardBody>('GET', `/api/v1/exams/${input.examId}/leaderboard?top=10&around=5`, {
            token: student.accessToken,
          })
          .then(
            (r) => {
              if (r.status !== 200 || !r.body)
                return recorder.failed(failureLabel(r.status, r.errorCode));
              if (r.body.me) return recorder.succeeded(scheduledAt);
              const late = ackedAt !== undefined && performance.now() - ackedAt > 1000;
              recorder.failed(late ? 'NOT_RANKED_1S' : 'NOT_RANKED');
            },
            (err: unknown) => recorder.failed((err as { code?: string }).code ?? 'CLIENT_ERROR'),
          ),
      );
    });
    await Promise.all(inFlight);
    return recorder;
  })();
}

export interface LeaderboardReport {
  /** 'checked', or why it could not be */
  board: string;
  /** scored results the board should hold */
  expected: number;
  total: number;
  /** submits whose result carried a rank */
  rankedAtSubmit: number;
  submitted: number;
  mismatched: number;
  /** where the expected scores came from */
  source: 'database' | 'results';
  examples: string[];
}

/** Competition rank of each score: 1 + how many scores are strictly higher. */
function competitionRanks(scores: number[]): (score: number) => number {
  const sorted = [...scores].sort((a, b) => b - a);
  const firstAt = new Map<number, number>();
  sorted.forEach((s, i) => {
    if (!firstAt.has(s)) firstAt.set(s, i + 1);
  });
  return (score) => firstAt.get(score) ?? Number.NaN;
}

const cents = (n: number) => Math.round(n * 100);

export async function checkLeaderboard(input: {
  api: ApiClient;
  staffGet: <T>(route: string) => Promise<T>;
  examId: string;
  students: Student[];
  databaseUrl: string | undefined;
  sample?: number;
}): Promise<LeaderboardReport> {
  const submitted = input.students.filter((s) => s.submitState === 'ok' && s.result);
  const rankedAtSubmit = submitted.filter(
    (s) => typeof (s.result as { rank?: unknown }).rank === 'number',
  ).length;
  const examples: string[] = [];
  let mismatched = 0;
  const miss = (line: string) => {
    mismatched += 1;
    if (examples.length < 10) examples.push(line);
  };

  // The truth: PostgreSQL's SCORED results when reachable, else what the students were shown.
  let scores: number[];
  let source: LeaderboardReport['source'] = 'results';
  if (input.databaseUrl) {
    const sql = postgres(input.databaseUrl, { max: 1, onnotice: () => undefined });
    try {
      const rows = await sql<{ score: number }[]>`
        SELECT score::float8 AS score FROM exam_sessions
        WHERE exam_id = ${input.examId} AND status = 'SCORED'`;
      scores = rows.map((r) => cents(r.score));
      source = 'database';
    } finally {
      await sql.end({ timeout: 5 });
    }
  } else {
    scores = submitted.flatMap((s) =>
      s.result?.status === 'SCORED' && s.result.score !== undefined ? [cents(s.result.score)] : [],
    );
  }
  const rankOf = competitionRanks(scores);

  const board = await input.staffGet<BoardBody>(
    `/api/v1/admin/exams/${input.examId}/leaderboard?top=${Math.max(1, scores.length)}`,
  );
  if (board.total !== scores.length)
    miss(`board total ${board.total}, ${source} has ${scores.length} scored results`);
  const boardScores = board.top.map((r) => cents(r.score)).sort((a, b) => b - a);
  const expectedScores = [...scores].sort((a, b) => b - a);
  if (boardScores.join() !== expectedScores.join())
    miss(
      `the board's scores differ from ${source}'s (${boardScores.length} vs ${expectedScores.length} rows)`,
    );
  board.top.forEach((row, i) => {
    const expected = rankOf(cents(row.score));
    if (row.rank !== expected)
      miss(`row ${i + 1} (score ${row.score}): rank ${row.rank}, expected ${expected}`);
  });

  // Each sampled student's own row, as the student reads it.
  const sample = submitted
    .filter((s) => s.result?.status === 'SCORED')
    .slice(0, input.sample ?? 200);
  await forEachLimited(sample, 16, async (student) => {
    const r = await input.api.call<BoardBody>(
      'GET',
      `/api/v1/exams/${input.examId}/leaderboard?top=0&around=0`,
      { token: student.accessToken },
    );
    const score = student.result?.score ?? Number.NaN;
    if (r.status !== 200 || !r.body?.me)
      return miss(`session ${student.sessionId}: no own row (${r.status})`);
    if (r.body.me.rank !== rankOf(cents(score)))
      miss(
        `session ${student.sessionId}: rank ${r.body.me.rank}, expected ${rankOf(cents(score))}`,
      );
  });

  return {
    board: 'checked',
    expected: scores.length,
    total: board.total,
    rankedAtSubmit,
    submitted: submitted.length,
    mismatched,
    source,
    examples,
  };
}
