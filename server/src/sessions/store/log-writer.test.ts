import { randomUUID } from 'node:crypto';
import { LogHandlers } from '../../platform/redis/log-handlers.js';
import { sessionLogHandler } from './log-entries.js';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createStudent, createTestDatabase } from '../../../test/harness.js';
import { createPublishedExam, type TestExam } from '../test-factories.js';
import { createSql, type Sql } from '../../platform/postgres.js';
import { decodeLogEntry } from './redis-codec.js';
import type { RedisSessionLane as RedisLane } from './index.js';
import { RedisKeys, WRITER_GROUP } from '../../platform/redis/keys.js';
import { applyBatch, collectBatch } from './log-entries.js';
import { LogWriter } from '../../platform/redis/log-writer.js';
import { createRedisBus } from '../../platform/redis/bus.js';
import { createScripts } from '../../platform/redis/scripts.js';
import { freshRedisUrl, startLane, wipeRedis } from '../../../test/redis-lane.js';

const GRACE = 2000;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let exam: TestExam;
let url: string;
let redis: Redis;
let keys: RedisKeys;
const lanes: RedisLane[] = [];
const writers: LogWriter[] = [];

beforeEach(async () => {
  db = await createTestDatabase();
  exam = await createPublishedExam(db.sql);
  url = freshRedisUrl(2);
  const parsed = new URL(url);
  keys = new RedisKeys(parsed.searchParams.get('prefix')!, 2);
  parsed.search = '';
  redis = new Redis(parsed.toString());
});

afterEach(async () => {
  // Closing a lane drains the log, which needs a writer even if the test never started one.
  extraWriter().start();
  await Promise.all(lanes.splice(0).map((l) => l.close()));
  await Promise.all(writers.splice(0).map((w) => w.stop()));
  redis.disconnect();
  await wipeRedis(url);
  await db.drop();
});

async function lane(options: Parameters<typeof startLane>[2] = {}) {
  const l = await startLane(url, db.sql, options);
  lanes.push(l);
  return l;
}

/** A writer on its own connections (a second process, as far as Redis can tell). */
function extraWriter(sql: Sql = db.sql, consumer = `w-${randomUUID().slice(0, 6)}`): LogWriter {
  const commands = redis.duplicate();
  const subscriber = redis.duplicate();
  const bus = createRedisBus({
    publisher: commands,
    subscriber,
    keys,
    logger: { warn: () => undefined },
  });
  const handlers = new LogHandlers();
  handlers.register(sessionLogHandler(sql));
  const writer = new LogWriter(commands, keys, createScripts(commands, keys), bus, handlers, {
    consumer,
    leaseMs: 1_000,
    maxIdleMs: 20,
  });
  const stop = writer.stop.bind(writer);
  writer.stop = async () => {
    await stop();
    commands.disconnect();
    subscriber.disconnect();
  };
  writers.push(writer);
  return writer;
}

async function startSession(l: RedisLane): Promise<string> {
  const student = await createStudent(db.sql);
  const now = Date.now();
  const { session } = await l.store.createSession({
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

const save = (l: RedisLane, sessionId: string, questionId: string, answer: string) =>
  l.store.saveAnswers(sessionId, [{ questionId, answer }], { now: Date.now(), graceMs: GRACE });

async function answersInDb(sessionId: string) {
  return db.sql<{ questionId: string; answer: unknown; seq: number }[]>`
    SELECT question_id AS "questionId", answer, seq FROM session_answers WHERE session_id = ${sessionId} ORDER BY question_id`;
}

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const dbName = () => new URL(db.url).pathname.slice(1);

async function setDatabaseReachable(reachable: boolean): Promise<void> {
  const admin = createSql(inject('pgAdminUrl'), { max: 1 });
  try {
    await admin.unsafe(`ALTER DATABASE ${dbName()} WITH ALLOW_CONNECTIONS ${reachable}`);
    if (!reachable)
      await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${dbName()} AND pid <> pg_backend_pid()`;
  } finally {
    await admin.end();
  }
}

describe('LogWriter', () => {
  it('keeps entries pending while PostgreSQL is unreachable, acknowledges none, then persists all', async () => {
    const l = await lane();
    const id = await startSession(l);
    const questions = exam.questionIds;
    await save(l, id, questions[0]!, 'A');
    await l.store.flush();

    await setDatabaseReachable(false);
    try {
      // Saves do not wait on PostgreSQL: they are acknowledged from Redis.
      for (let i = 0; i < 20; i += 1) await save(l, id, questions[i % questions.length]!, `v${i}`);
      await new Promise((r) => setTimeout(r, 600));
      const lag = await l.store.persistLag();
      expect(lag.pending).toBeGreaterThan(0);
      expect(lag.oldestMs).toBeGreaterThan(300);
    } finally {
      await setDatabaseReachable(true);
    }
    await l.store.flush();
    const rows = await answersInDb(id);
    const hot = (await l.store.getSession(id))!;
    expect(rows).toHaveLength(questions.length);
    for (const r of rows)
      expect(r).toMatchObject({
        answer: hot.answers[r.questionId]!.answer,
        seq: hot.answers[r.questionId]!.seq,
      });
    expect(await l.store.persistLag()).toEqual({ pending: 0, oldestMs: 0 });
  });

  it('claims the entries a dead writer read but never acknowledged', async () => {
    const l = await lane({ writer: false });
    const id = await startSession(l);
    await save(l, id, exam.questionIds[0]!, 'A');
    await save(l, id, exam.questionIds[1]!, 'B');
    const shard = keys.shardOf(id);
    // A writer that read the batch, held the shard, and died before COMMIT.
    await redis
      .xgroup('CREATE', keys.log(shard), WRITER_GROUP, '0', 'MKSTREAM')
      .catch(() => undefined);
    await redis.xreadgroup(
      'GROUP',
      WRITER_GROUP,
      'dead',
      'COUNT',
      100,
      'STREAMS',
      keys.log(shard),
      '>',
    );
    await redis.set(keys.lease(shard), 'dead', 'PX', 800);
    expect(((await redis.xpending(keys.log(shard), WRITER_GROUP)) as unknown[])[0]).toBe(2);

    extraWriter().start();
    await l.store.flush();
    expect((await answersInDb(id)).map((r) => r.answer).sort()).toEqual(['A', 'B']);
    expect(((await redis.xpending(keys.log(shard), WRITER_GROUP)) as unknown[])[0]).toBe(0);
    // The dead consumer, its entries claimed, is gone from the group.
    const consumers = (await redis.xinfo(
      'CONSUMERS',
      keys.log(shard),
      WRITER_GROUP,
    )) as unknown[][];
    expect(consumers.map((c) => c[c.indexOf('name') + 1])).not.toContain('dead');
  });

  it('takes over entries a writer read after it lost the shard (none stay stranded)', async () => {
    const l = await lane({ writer: false });
    const id = await startSession(l);
    const writer = extraWriter();
    writer.start();
    const shard = keys.shardOf(id);
    await until(async () => writer.ownedShards().includes(shard));
    // A writer with a stale idea of its shards reads an entry the moment it is written
    // (MULTI: the owner cannot get to it first), then never comes back.
    const q1 = exam.questionIds[0]!;
    const record = '{"seq":1,"at":1700000000000,"ts":null,"on":1,"a":"B"}';
    await redis
      .multi()
      .xadd(keys.log(shard), '*', 't', 'answers', 's', id, q1, record)
      .xreadgroup('GROUP', WRITER_GROUP, 'stale', 'COUNT', 10, 'STREAMS', keys.log(shard), '>')
      .exec();
    expect(((await redis.xpending(keys.log(shard), WRITER_GROUP)) as unknown[])[0]).toBe(1);
    await l.store.flush();
    expect(await answersInDb(id)).toEqual([{ questionId: q1, answer: 'B', seq: 1 }]);
  });

  it('a batch redelivered after its COMMIT (crash before XACK) changes nothing; older seqs never win', async () => {
    const l = await lane({ writer: false });
    const id = await startSession(l);
    const q1 = exam.questionIds[0]!;
    await save(l, id, q1, 'A');
    await save(l, id, q1, 'B');
    await l.store.recordEvents([{ sessionId: id, type: 'blur', at: Date.now() }]);
    const shard = keys.shardOf(id);
    const early = (await redis.xrange(keys.log(shard), '-', '+')).map(([, f]) => decodeLogEntry(f));
    // Committed once already, as a writer would have just before dying.
    await db.sql.begin((tx) => applyBatch(tx, collectBatch(early)));
    await save(l, id, q1, 'C');

    extraWriter().start();
    await l.store.flush();
    // And an old batch arriving late (a stalled writer) cannot take the answer back.
    await db.sql.begin((tx) => applyBatch(tx, collectBatch(early)));
    expect(await answersInDb(id)).toEqual([{ questionId: q1, answer: 'C', seq: 3 }]);
    const events = await db.sql`SELECT 1 FROM session_events WHERE session_id = ${id}`;
    expect(events).toHaveLength(1);
  });

  it('moves an entry PostgreSQL refuses for good to dead letters and persists the rest', async () => {
    const l = await lane({ writer: false });
    const id = await startSession(l);
    const shard = keys.shardOf(id);
    await save(l, id, exam.questionIds[0]!, 'A');
    // A question id that is not a uuid: PostgreSQL will refuse it on every retry.
    const bad = '{"seq":99,"at":1,"ts":null,"on":1,"a":"X"}';
    await redis.xadd(keys.log(shard), '*', 't', 'answers', 's', id, 'not-a-uuid', bad);
    await redis.xadd(keys.log(shard), '*', 'garbage', 'entry');
    await save(l, id, exam.questionIds[1]!, 'B');

    extraWriter().start();
    await l.store.flush();
    expect((await answersInDb(id)).map((r) => r.answer).sort()).toEqual(['A', 'B']);
    const dead = await redis.xrange(keys.deadLetters(shard), '-', '+');
    expect(dead).toHaveLength(2);
    const reasons = dead.map(([, f]) => f[f.indexOf('error') + 1]);
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringContaining('uuid'),
        expect.stringContaining('without type'),
      ]),
    );
  });

  it("writers share the shards and one takes over the other's when it stops", async () => {
    const l = await lane({ writer: false });
    const a = extraWriter();
    const b = extraWriter();
    a.start();
    b.start();
    await until(async () => a.ownedShards().length === 1 && b.ownedShards().length === 1);
    await b.stop();
    await until(async () => a.ownedShards().length === 2);
    const id = await startSession(l);
    await save(l, id, exam.questionIds[0]!, 'A');
    await l.store.flush();
    expect(await answersInDb(id)).toHaveLength(1);
  });
});

describe('write-throughs without a writer', () => {
  it('submit does not wait for the writer: it answers at once, stays frozen, and lands once a writer runs', async () => {
    const l = await lane({ writer: false, writeThroughTimeoutMs: 300 });
    const id = await startSession(l);
    await save(l, id, exam.questionIds[0]!, 'A');
    const frozen = await l.store.submit(id, { reason: 'STUDENT', now: Date.now() });
    expect(frozen.firstSubmit).toBe(true);
    // The freeze held: a save after it is refused, a retry is not a first submit.
    await expect(save(l, id, exam.questionIds[1]!, 'B')).rejects.toMatchObject({
      code: 'SESSION_CLOSED',
    });
    expect((await l.store.submit(id, { reason: 'STUDENT', now: Date.now() })).firstSubmit).toBe(
      false,
    );

    extraWriter().start();
    await l.store.flush();
    const [row] = await db.sql<
      { status: string }[]
    >`SELECT status FROM exam_sessions WHERE id = ${id}`;
    expect(row?.status).toBe('SUBMITTED');
    expect((await answersInDb(id)).map((r) => r.answer)).toEqual(['A']);
  });

  it('an extension PostgreSQL did not take in time is undone', async () => {
    const l = await lane({ writer: false, writeThroughTimeoutMs: 300 });
    const id = await startSession(l);
    const before = (await l.store.getSession(id))!.meta.endsAt;
    await expect(l.store.extend(id, before + 600_000)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect((await l.store.getSession(id))!.meta.endsAt).toBe(before);
    extraWriter().start();
    await l.store.flush();
    const [row] = await db.sql<
      { endsAt: Date }[]
    >`SELECT ends_at AS "endsAt" FROM exam_sessions WHERE id = ${id}`;
    expect(row?.endsAt.getTime()).toBe(before);
  });
});
