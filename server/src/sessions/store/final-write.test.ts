import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStudent, createTestDatabase } from '../../../test/harness.js';
import { freshRedisUrl, startLane, wipeRedis } from '../../../test/redis-lane.js';
import { createRedisPlatform, type RedisPlatform } from '../../platform/redis/index.js';
import { RedisKeys } from '../../platform/redis/keys.js';
import type { Sql } from '../../platform/postgres.js';
import { createPublishedExam, type TestExam } from '../test-factories.js';
import type { RedisSessionLane as RedisLane } from './index.js';
import { RedisSessionStore } from './redis.js';
import { createSessionScripts } from './redis-scripts.js';
import { decodeLogEntry } from './redis-codec.js';
import { applyBatch, collectBatch } from './log-entries.js';
import type { SessionResult, SessionStore } from './types.js';

/**
 * Issue 12, "Submit burst without 503": on the redis lane a finished session reaches
 * PostgreSQL in one direct final write (final-writes.ts), not by waiting for its log shard's
 * backlog. These tests run with no log writer at all while the session is finished, so a
 * submit that waited for the backlog would never answer; the backlog lands afterwards.
 */

const GRACE = 2000;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let exam: TestExam;
let url: string;
let redis: Redis;
let keys: RedisKeys;
const lanes: RedisLane[] = [];
const platforms: RedisPlatform[] = [];

beforeEach(async () => {
  db = await createTestDatabase();
  exam = await createPublishedExam(db.sql);
  // One shard: every session below shares the finished session's log shard.
  url = freshRedisUrl(1);
  const parsed = new URL(url);
  keys = new RedisKeys(parsed.searchParams.get('prefix')!, 1);
  parsed.search = '';
  redis = new Redis(parsed.toString());
});

afterEach(async () => {
  // Closing a lane drains the log, which needs a writer even if the test never ran one.
  const drainer = await startLane(url, db.sql);
  await Promise.all(lanes.splice(0).map((l) => l.close()));
  await Promise.all(platforms.splice(0).map((p) => p.close()));
  await drainer.close();
  redis.disconnect();
  await wipeRedis(url);
  await db.drop();
});

async function lane(options: Parameters<typeof startLane>[2] = {}): Promise<RedisLane> {
  const l = await startLane(url, db.sql, options);
  lanes.push(l);
  return l;
}

/**
 * A process whose state can be dropped without any goodbye (a crash): its store is never
 * closed, so nothing it holds in memory is flushed; only its connections are closed.
 */
async function crashableProcess(sql: Sql, writeThroughTimeoutMs?: number) {
  const platform = createRedisPlatform({ url, logger: quiet, writer: false });
  await platform.start();
  platforms.push(platform);
  const store = new RedisSessionStore({
    redis: platform.redis,
    keys: platform.keys,
    bus: platform.bus,
    watch: platform.watch,
    sql,
    ...(writeThroughTimeoutMs ? { writeThroughTimeoutMs } : {}),
  });
  return {
    store,
    crash: async () => {
      platforms.splice(platforms.indexOf(platform), 1);
      await platform.close();
    },
  };
}

/** The database, until `stall()`: from then on every statement hangs (PostgreSQL stopped answering). */
function stallable(sql: Sql): { sql: Sql; stall: () => void } {
  let stalled = false;
  const proxy = new Proxy(sql, {
    apply: (target, thisArg, args: unknown[]) =>
      stalled ? new Promise(() => undefined) : (Reflect.apply(target, thisArg, args) as unknown),
  });
  return { sql: proxy, stall: () => (stalled = true) };
}

async function startSession(store: SessionStore): Promise<string> {
  const student = await createStudent(db.sql);
  const now = Date.now();
  const { session } = await store.createSession({
    id: randomUUID(),
    examId: exam.id,
    studentId: student.id,
    startedAt: now,
    endsAt: now + 3_600_000,
    shuffleSeed: 1,
    questionOrder: exam.questionIds,
    optionOrders: {},
  });
  return session.meta.id;
}

const save = (store: SessionStore, sessionId: string, questionId: string, answer: string) =>
  store.saveAnswers(sessionId, [{ questionId, answer }], { now: Date.now(), graceMs: GRACE });

function resultOf(score: number, submittedAt: number): SessionResult {
  return {
    status: 'SCORED',
    submittedAt,
    score,
    maxScore: 11,
    percentage: Math.round((score / 11) * 100),
    gradedCount: 3,
    pendingCount: 0,
    breakdown: [],
  };
}

/** What the service's finish() does: freeze, grade unless graded, record. */
async function finish(store: SessionStore, sessionId: string, score: number) {
  const outcome = await store.submit(sessionId, { reason: 'STUDENT', now: Date.now() });
  const result =
    outcome.result ??
    (await store.recordResult(sessionId, resultOf(score, outcome.meta.submittedAt!)));
  return { outcome, result };
}

/** Everything PostgreSQL holds about one session: its row and its answers. */
async function durable(sessionId: string) {
  const [session] = await db.sql<Record<string, unknown>[]>`
    SELECT status, result, score::float8 AS score, submitted_at AS "submittedAt",
           submit_reason AS "submitReason", ends_at AS "endsAt", answered_count AS "answeredCount",
           last_activity_at AS "lastActivityAt"
    FROM exam_sessions WHERE id = ${sessionId}`;
  const answers = await db.sql<{ questionId: string; answer: unknown; seq: number }[]>`
    SELECT question_id AS "questionId", answer, seq FROM session_answers
    WHERE session_id = ${sessionId} ORDER BY question_id`;
  return { session, answers };
}

/** The frozen answers as session_answers rows. */
function asRows(answers: Record<string, { answer: unknown; seq: number }>) {
  return Object.entries(answers)
    .map(([questionId, a]) => ({ questionId, answer: a.answer, seq: a.seq }))
    .sort((a, b) => (a.questionId < b.questionId ? -1 : 1));
}

const logLength = () => redis.xlen(keys.log(0));

describe('the final write of a finished session (redis lane)', () => {
  it('a submit behind a large unpersisted backlog answers without it; PostgreSQL holds exactly the final state, and the backlog landing later changes nothing', async () => {
    const l = await lane({ writer: false });
    const id = await startSession(l.store);
    const others = await Promise.all([1, 2, 3].map(() => startSession(l.store)));
    const [q1, q2, q3] = exam.questionIds as [string, string, string];
    // Every entry type the writer applies, queued before the finish: many saves of each
    // question (older seqs), an event, and two extensions (the first one older) — written
    // by the script directly, since the port's extend would wait for the writer.
    const scripts = createSessionScripts(l.redis, l.keys);
    const endsAt = (await l.store.getSession(id))!.meta.endsAt;
    await scripts.extend({ sessionId: id, endsAt: endsAt + 600_000, expectEndsAt: undefined });
    for (let round = 0; round < 40; round += 1) {
      await save(l.store, id, q1, `A${round}`);
      await save(l.store, id, q2, `B${round}`);
      for (const other of others) await save(l.store, other, q1, `x${round}`);
    }
    await save(l.store, id, q3, 'essay');
    await save(l.store, id, q2, '');
    await l.store.recordEvents([{ sessionId: id, type: 'blur', at: Date.now() }]);
    await scripts.extend({ sessionId: id, endsAt: endsAt + 1_200_000, expectEndsAt: undefined });
    const backlog = await logLength();
    expect(backlog).toBeGreaterThan(200);

    const { outcome, result } = await finish(l.store, id, 7);
    expect(outcome.firstSubmit).toBe(true);
    expect(result.score).toBe(7);
    // No writer ran: the backlog is all still there, and PostgreSQL has the finished session.
    expect(await logLength()).toBeGreaterThanOrEqual(backlog + 2);
    const finished = await durable(id);
    expect(finished.answers).toEqual(asRows(outcome.answers));
    expect(finished.answers.find((a) => a.questionId === q1)).toMatchObject({ answer: 'A39' });
    expect(finished.session).toMatchObject({
      status: 'SCORED',
      result,
      score: 7,
      submitReason: 'STUDENT',
      answeredCount: 2,
    });
    expect((finished.session!['submittedAt'] as Date).getTime()).toBe(outcome.meta.submittedAt);
    expect((finished.session!['endsAt'] as Date).getTime()).toBe(endsAt + 1_200_000);

    // The backlog lands after the final write. Each entry alone first — saves with older
    // seqs, both extensions, the event, the submit and the result — and the finished session
    // must not change after any one of them (replaying the whole log in order would end in
    // the same state even without the guards; entry by entry, it would not).
    for (const [entryId, fields] of await redis.xrange(keys.log(0), '-', '+')) {
      const entry = decodeLogEntry(fields);
      await applyBatch(db.sql, collectBatch([entry]));
      if (entry.type === 'event' || entry.sessionId !== id) continue;
      expect({ entryId, ...(await durable(id)) }).toEqual({ entryId, ...finished });
    }
    // Then the writer drains the log for real.
    const writer = await lane();
    await writer.store.flush();
    expect(await logLength()).toBe(0);
    expect(await durable(id)).toEqual(finished);
    const [events] = await db.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM session_events WHERE session_id = ${id}`;
    expect(events?.n).toBe(1);
  });

  it('submitting twice and concurrently freezes once and grades once, in Redis and in PostgreSQL', async () => {
    const l = await lane({ writer: false });
    const second = await lane({ writer: false });
    const id = await startSession(l.store);
    await save(l.store, id, exam.questionIds[0]!, 'B');
    // Five callers on two processes, each grading its own way if it gets to grade.
    const finishes = await Promise.all(
      [1, 2, 3, 4, 5].map((score) => finish(score % 2 === 0 ? second.store : l.store, id, score)),
    );
    expect(finishes.filter((f) => f.outcome.firstSubmit)).toHaveLength(1);
    const [winner] = finishes.map((f) => f.result);
    for (const f of finishes) {
      expect(f.result).toEqual(winner);
      expect(f.outcome.answers).toEqual(finishes[0]!.outcome.answers);
    }
    const again = await finish(l.store, id, 9);
    expect(again.outcome.firstSubmit).toBe(false);
    expect(again.result).toEqual(winner);

    const finished = await durable(id);
    expect(finished.session).toMatchObject({ status: 'SCORED', result: winner });
    expect(finished.answers).toEqual([{ questionId: exam.questionIds[0], answer: 'B', seq: 1 }]);
    await (await lane()).store.flush();
    expect(await durable(id)).toEqual(finished);
  });

  it('a crash right after the freeze: the log and a retried submit land one result and every acknowledged answer', async () => {
    const l = await lane({ writer: false });
    const id = await startSession(l.store);
    const [q1, q2] = exam.questionIds as [string, string];
    await save(l.store, id, q1, 'A');
    await save(l.store, id, q1, 'C');
    await save(l.store, id, q2, 'D');
    const dying = await crashableProcess(db.sql);
    const frozen = await dying.store.submit(id, { reason: 'STUDENT', now: Date.now() });
    expect(frozen.firstSubmit).toBe(true);
    await dying.crash();

    // Only the writer runs: the session reaches PostgreSQL frozen, with its answers.
    const writer = await lane();
    await writer.store.flush();
    expect(await durable(id)).toMatchObject({
      session: { status: 'SUBMITTED', result: null },
      answers: asRows(frozen.answers),
    });
    // The retry (a student's, or the sweeper's) grades it once.
    const retried = await finish(writer.store, id, 6);
    expect(retried.outcome.firstSubmit).toBe(false);
    expect(await finish(l.store, id, 2)).toMatchObject({ result: retried.result });
    const finished = await durable(id);
    expect(finished).toEqual({
      session: expect.objectContaining({ status: 'SCORED', result: retried.result, score: 6 }),
      answers: asRows(frozen.answers),
    });
    await writer.store.flush();
    expect(await durable(id)).toEqual(finished);
  });

  it('a crash after the result is recorded but before its final write commits: the result stays the one recorded, and lands', async () => {
    const l = await lane({ writer: false });
    const id = await startSession(l.store);
    const [q1, q2] = exam.questionIds as [string, string];
    await save(l.store, id, q1, 'B');
    await save(l.store, id, q2, 'A');
    // The dying process's database stops answering before its final write.
    const database = stallable(db.sql);
    const dying = await crashableProcess(database.sql, 200);
    const frozen = await dying.store.submit(id, { reason: 'STUDENT', now: Date.now() });
    database.stall();
    await expect(
      dying.store.recordResult(id, resultOf(8, frozen.meta.submittedAt!)),
    ).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await dying.crash();
    expect((await durable(id)).session).toMatchObject({ status: 'IN_PROGRESS', result: null });

    // The log alone brings the recorded result and every answer.
    const writer = await lane();
    await writer.store.flush();
    const landed = await durable(id);
    expect(landed).toEqual({
      session: expect.objectContaining({
        status: 'SCORED',
        result: resultOf(8, frozen.meta.submittedAt!),
        score: 8,
      }),
      answers: asRows(frozen.answers),
    });
    // Whoever finishes it again gets that result, not a new one.
    expect((await finish(writer.store, id, 3)).result.score).toBe(8);
    expect(await writer.store.recordResult(id, resultOf(1, frozen.meta.submittedAt!))).toEqual(
      resultOf(8, frozen.meta.submittedAt!),
    );
    expect(await durable(id)).toEqual(landed);
  });
});
