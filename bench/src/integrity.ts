import postgres from 'postgres';
import type { MonitorRow, ResultBody, SessionView } from './contract.js';
import { answerFor, regrade, sameAnswer, type Answer, type KeyedQuestion } from './grading.js';
import { listItems, type ApiClient } from './http.js';
import { forEachLimited, sleep } from './schedule.js';
import { SaveState, type Student } from './student.js';

/**
 * After the day: every answer the client saw acknowledged must be what the server holds
 * (its latest acknowledged value, or a later save still in flight when the run ended — the
 * server may have applied that one), and every submitted session must carry exactly one
 * result equal to a local re-grade. Checked through the contract and, when the runner can
 * reach it, directly in PostgreSQL.
 */
export interface IntegrityReport {
  sessions: number;
  acknowledgedAnswers: number;
  lost: number;
  mismatched: number;
  /** answers the server holds that no acknowledged or in-flight save sent (counted in mismatched) */
  unexpected: number;
  /** sessions whose answers the contract would not show (GET /sessions/{id} refused) */
  unverifiableViaApi: number;
  resultsChecked: number;
  unsubmitted: number;
  database: 'checked' | 'skipped' | string;
  /** the staff live monitor: one row per session, with the same score */
  monitor: 'checked' | string;
  examples: string[];
}

interface Expectation {
  question: KeyedQuestion;
  /** the latest acknowledged value, or undefined when nothing was acknowledged */
  acked: Answer | undefined;
  /** every value the server may legitimately hold */
  acceptable: (Answer | undefined)[];
}

/** For each question of a session: what was acknowledged last, and what else may have landed after it. */
function expectationsOf(student: Student): Expectation[] {
  const order = student.questionOrder;
  return order.map((question, qi) => {
    let ackedSeq = -1;
    for (let seq = qi; seq < student.savesSent; seq += order.length) {
      if (student.saves[seq] === SaveState.ACKED) ackedSeq = seq;
    }
    const acked = ackedSeq >= 0 ? answerFor(question, student.login.index, ackedSeq) : undefined;
    const acceptable: (Answer | undefined)[] = [acked];
    for (
      let seq = Math.max(ackedSeq + order.length, qi);
      seq < student.savesSent;
      seq += order.length
    ) {
      if (student.saves[seq] === SaveState.IN_FLIGHT)
        acceptable.push(answerFor(question, student.login.index, seq));
    }
    return { question, acked, acceptable };
  });
}

class Tally {
  lost = new Set<string>();
  mismatched = new Set<string>();
  unexpected = new Set<string>();
  examples: string[] = [];

  note(line: string): void {
    if (this.examples.length < 12) this.examples.push(line);
  }
}

/** Compares what the server holds for one session; returns the effective answers for the re-grade. */
function compareAnswers(
  student: Student,
  held: ReadonlyMap<string, Answer>,
  source: string,
  tally: Tally,
): Map<string, Answer> {
  const effective = new Map<string, Answer>();
  for (const e of expectationsOf(student)) {
    const value = held.get(e.question.id);
    const fine = e.acceptable.some((a) => sameAnswer(a, value));
    effective.set(e.question.id, (fine ? value : e.acked) ?? null);
    if (fine) continue;
    const key = `${student.sessionId}/${e.question.id}`;
    if (e.acked !== undefined) {
      tally.lost.add(key);
      tally.note(
        `lost (${source}): session ${student.sessionId} question ${e.question.id}: acknowledged ${JSON.stringify(e.acked)}, server holds ${JSON.stringify(value ?? null)}`,
      );
    } else {
      tally.unexpected.add(key);
      tally.mismatched.add(key);
      tally.note(
        `unexpected (${source}): session ${student.sessionId} question ${e.question.id}: never acknowledged, server holds ${JSON.stringify(value)}`,
      );
    }
  }
  return effective;
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

/** The server's result against the local re-grade: totals and, when shown, every breakdown line. */
function compareResult(
  student: Student,
  result: ResultBody,
  effective: Map<string, Answer>,
  tally: Tally,
): void {
  const expected = regrade(student.questionOrder, effective);
  const problems: string[] = [];
  if (result.sessionId !== student.sessionId) problems.push(`sessionId ${result.sessionId}`);
  if (result.score !== undefined && Math.abs(num(result.score) - expected.score) > 1e-6)
    problems.push(`score ${result.score} ≠ ${expected.score}`);
  if (result.maxScore !== undefined && Math.abs(num(result.maxScore) - expected.maxScore) > 1e-6)
    problems.push(`maxScore ${result.maxScore} ≠ ${expected.maxScore}`);
  if (result.score === undefined) problems.push(`no score (status ${result.status})`);
  for (const line of result.breakdown ?? []) {
    const mine = expected.perQuestion.get(line.questionId);
    if (!mine) problems.push(`breakdown names unknown question ${line.questionId}`);
    else if (mine.correct !== line.correct || Math.abs(num(line.points) - mine.points) > 1e-6) {
      problems.push(
        `question ${line.questionId}: server ${line.correct}/${line.points}, re-grade ${mine.correct}/${mine.points}`,
      );
    }
  }
  if (problems.length === 0) return;
  tally.mismatched.add(`${student.sessionId}/result`);
  tally.note(`mismatched result: session ${student.sessionId}: ${problems.slice(0, 3).join('; ')}`);
}

function sameResult(a: ResultBody, b: ResultBody): boolean {
  return a.submittedAt === b.submittedAt && num(a.score) === num(b.score) && a.status === b.status;
}

interface DbAnswers {
  answers: Map<string, Map<string, Answer>>;
  scores: Map<string, { status: string; score: number | null; rows: number }>;
}

async function readDatabase(
  databaseUrl: string,
  examId: string,
  sessionIds: string[],
): Promise<DbAnswers> {
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => undefined });
  try {
    const answers = new Map<string, Map<string, Answer>>();
    const rows = await sql<{ session_id: string; question_id: string; answer: Answer }[]>`
      SELECT session_id::text, question_id::text, answer FROM session_answers WHERE session_id = ANY(${sessionIds}::uuid[])`;
    for (const r of rows) {
      let m = answers.get(r.session_id);
      if (!m) answers.set(r.session_id, (m = new Map()));
      m.set(r.question_id, r.answer);
    }
    const scores = new Map<string, { status: string; score: number | null; rows: number }>();
    const sessions = await sql<{ id: string; status: string; score: string | null }[]>`
      SELECT id::text, status, score::text FROM exam_sessions WHERE exam_id = ${examId}`;
    for (const s of sessions) {
      const prior = scores.get(s.id);
      scores.set(s.id, {
        status: s.status,
        score: s.score === null ? null : Number(s.score),
        rows: (prior?.rows ?? 0) + 1,
      });
    }
    return { answers, scores };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export interface IntegrityInput {
  api: ApiClient;
  /** staff reads of the live monitor */
  staffGet: <T>(route: string) => Promise<T>;
  examId: string;
  students: Student[];
  databaseUrl: string | undefined;
  /** how long the write-behind may take to reach PostgreSQL (redis mode) */
  drainSec: number;
  log: (line: string) => void;
}

export async function checkIntegrity(input: IntegrityInput): Promise<IntegrityReport> {
  const started = input.students.filter((s) => s.sessionId);
  const tally = new Tally();
  let unverifiable = 0;
  let resultsChecked = 0;
  let unsubmitted = 0;
  const acknowledged = started.reduce(
    (n, s) => n + expectationsOf(s).filter((e) => e.acked !== undefined).length,
    0,
  );

  // Through the contract, as each student: the answers the server holds, then the result.
  await forEachLimited(started, 32, async (student) => {
    const token = student.accessToken;
    const view = await input.api.call<SessionView>('GET', `/api/v1/sessions/${student.sessionId}`, {
      token,
    });
    let effective: Map<string, Answer>;
    if (view.status === 200 && view.body) {
      effective = compareAnswers(
        student,
        new Map(Object.entries(view.body.answers ?? {})),
        'api',
        tally,
      );
    } else {
      unverifiable += 1;
      effective = new Map(expectationsOf(student).map((e) => [e.question.id, e.acked ?? null]));
    }
    const result = await input.api.call<ResultBody>(
      'GET',
      `/api/v1/sessions/${student.sessionId}/result`,
      { token },
    );
    if (result.status !== 200 || !result.body) {
      if (student.submitState === 'ok') {
        tally.mismatched.add(`${student.sessionId}/result`);
        tally.note(
          `submitted session ${student.sessionId} has no result: GET result → ${result.status} ${result.errorCode ?? ''}`,
        );
      } else unsubmitted += 1;
      return;
    }
    resultsChecked += 1;
    compareResult(student, result.body, effective, tally);
    // Exactly one result: the submit's answer, a later read and a second submit must all agree.
    const again = await input.api.call<ResultBody>(
      'POST',
      `/api/v1/sessions/${student.sessionId}/submit`,
      { token },
    );
    const reference = student.result ?? result.body;
    for (const [what, other] of [
      ['GET result', result],
      ['second submit', again],
    ] as const) {
      if (other.status === 200 && other.body && sameResult(reference, other.body)) continue;
      tally.mismatched.add(`${student.sessionId}/once`);
      tally.note(
        `session ${student.sessionId}: ${what} differs from the first result (${other.status} ${other.errorCode ?? JSON.stringify(other.body)})`,
      );
    }
  });

  const monitor = await checkMonitor(input, started, tally).catch(
    (err: Error) => `failed: ${err.message}`,
  );
  let database: IntegrityReport['database'] = 'skipped';
  if (input.databaseUrl) {
    database = await checkDatabase(input, started, tally).catch(
      (err: Error) => `failed: ${err.message}`,
    );
  }
  return {
    sessions: started.length,
    acknowledgedAnswers: acknowledged,
    lost: tally.lost.size,
    mismatched: tally.mismatched.size,
    unexpected: tally.unexpected.size,
    unverifiableViaApi: unverifiable,
    resultsChecked,
    unsubmitted,
    database,
    monitor,
    examples: tally.examples,
  };
}

/** The staff live monitor (`GET /api/v1/admin/exams/{id}/sessions`) must list each session once, with its score. */
async function checkMonitor(
  input: IntegrityInput,
  started: Student[],
  tally: Tally,
): Promise<string> {
  const rows = listItems<MonitorRow>(
    await input.staffGet(`/api/v1/admin/exams/${input.examId}/sessions`),
  );
  const bySession = new Map<string, MonitorRow[]>();
  for (const row of rows) {
    if (!row.sessionId) continue;
    const list = bySession.get(row.sessionId);
    if (list) list.push(row);
    else bySession.set(row.sessionId, [row]);
  }
  for (const student of started) {
    const found = bySession.get(student.sessionId as string) ?? [];
    if (found.length !== 1) {
      tally.mismatched.add(`${student.sessionId}/monitor`);
      tally.note(`monitor: session ${student.sessionId} listed ${found.length} times`);
      continue;
    }
    const row = found[0] as MonitorRow;
    const score = student.result?.score;
    if (student.submitState === 'ok' && score !== undefined && num(row.score) !== num(score)) {
      tally.mismatched.add(`${student.sessionId}/monitor`);
      tally.note(
        `monitor: session ${student.sessionId} shows score ${row.score}, the result said ${score}`,
      );
    }
  }
  return 'checked';
}

/**
 * Directly in PostgreSQL: session_answers must hold the acknowledged values and each session
 * one row with the re-graded score. Re-read until it matches or the drain time is up, since
 * with the Redis hot store PostgreSQL is written behind.
 */
async function checkDatabase(
  input: IntegrityInput,
  started: Student[],
  tally: Tally,
): Promise<string> {
  const ids = started.map((s) => s.sessionId as string);
  const deadline = Date.now() + input.drainSec * 1000;
  for (;;) {
    const db = await readDatabase(input.databaseUrl as string, input.examId, ids);
    const attempt = new Tally();
    for (const student of started) {
      const held = db.answers.get(student.sessionId as string) ?? new Map<string, Answer>();
      const effective = compareAnswers(student, held, 'postgres', attempt);
      const row = db.scores.get(student.sessionId as string);
      if (!row || row.rows !== 1) {
        attempt.mismatched.add(`${student.sessionId}/db-row`);
        attempt.note(
          `postgres: session ${student.sessionId} has ${row?.rows ?? 0} exam_sessions rows`,
        );
        continue;
      }
      if (student.submitState !== 'ok' || row.score === null) continue;
      const expected = regrade(student.questionOrder, effective).score;
      if (Math.abs(row.score - expected) > 1e-6) {
        attempt.mismatched.add(`${student.sessionId}/db-score`);
        attempt.note(
          `postgres: session ${student.sessionId} score ${row.score} ≠ re-grade ${expected}`,
        );
      }
    }
    const clean = attempt.lost.size === 0 && attempt.mismatched.size === 0;
    if (clean || Date.now() > deadline) {
      for (const key of attempt.lost) tally.lost.add(key);
      for (const key of attempt.mismatched) tally.mismatched.add(key);
      for (const key of attempt.unexpected) tally.unexpected.add(key);
      for (const line of attempt.examples) tally.note(line);
      return 'checked';
    }
    input.log(
      `integrity: PostgreSQL not caught up yet (${attempt.lost.size} answers behind); re-reading`,
    );
    await sleep(1000);
  }
}
