import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectLoginsAcrossProcesses } from '../../auth/cross-process.js';
import { SessionNoticeTopic } from '../sessions.events.js';
import { createTestDatabase } from '../../../test/harness.js';
import { LoginRegistry, type LoginRevoked } from '../../auth/login-registry.js';
import type { RedisSessionLane as RedisLane } from './index.js';
import { RedisKeys } from '../../platform/redis/keys.js';
import { freshRedisUrl, startLane, wipeRedis } from '../../../test/redis-lane.js';

const quiet = { warn: () => undefined };

/** What two processes sharing one Redis see of each other. */
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let url: string;
const lanes: RedisLane[] = [];

beforeEach(async () => {
  db = await createTestDatabase();
  url = freshRedisUrl(2);
});

afterEach(async () => {
  await Promise.all(lanes.splice(0).map((l) => l.close()));
  await wipeRedis(url);
  await db.drop();
});

async function processes(n: number): Promise<RedisLane[]> {
  const started = await Promise.all(Array.from({ length: n }, () => startLane(url, db.sql)));
  lanes.push(...started);
  return started;
}

describe('the redis lane across processes', () => {
  it('login failures count across processes and lock the account for everyone', async () => {
    const [a, b] = await processes(2);
    const policy = {
      limit: 3,
      windowSeconds: 60,
      lockSeconds: 60,
      maxLockSeconds: 60,
      memorySeconds: 0,
    };
    const onA = a!.failureCounter('account', policy);
    const onB = b!.failureCounter('account', policy);
    expect(await onA.fail('nisn:1')).toBe(1);
    expect(await onB.fail('nisn:1')).toBe(2);
    expect(await onB.blockedFor('nisn:1')).toBe(0);
    expect(await onA.fail('nisn:1')).toBe(3);
    const wait = await onB.blockedFor('nisn:1');
    expect(wait).toBeGreaterThan(55);
    expect(wait).toBeLessThanOrEqual(60);
    await onA.clear('nisn:1');
    expect(await onB.blockedFor('nisn:1')).toBe(0);
  });

  it("a revocation in one process reaches the other process's registry (and not itself twice)", async () => {
    const [a, b] = await processes(2);
    const registryA = new LoginRegistry(db.sql);
    const registryB = new LoginRegistry(db.sql);
    connectLoginsAcrossProcesses(a!.bus, registryA, quiet);
    connectLoginsAcrossProcesses(b!.bus, registryB, quiet);
    const seenA: LoginRevoked[] = [];
    const seenB: LoginRevoked[] = [];
    registryA.onRevoked((e) => seenA.push(e));
    registryB.onRevoked((e) => seenB.push(e));
    await new Promise((r) => setTimeout(r, 50)); // subscriptions settle
    const event: LoginRevoked = {
      loginId: '00000000-0000-4000-8000-000000000001',
      userKind: 'student',
      userId: 'u1',
      reason: 'REPLACED',
    };
    registryA.revoked([event]);
    await new Promise((r) => setTimeout(r, 100));
    expect(seenA).toEqual([event]);
    expect(seenB).toEqual([event]);
    expect(await registryB.state(event.loginId)).toBe('REPLACED');
  });

  it('session notices reach every process', async () => {
    const [a, b] = await processes(2);
    const onB: unknown[] = [];
    b!.bus.subscribe(SessionNoticeTopic, (n) => void onB.push(n));
    await new Promise((r) => setTimeout(r, 50)); // subscriptions settle
    await a!.bus.publish(SessionNoticeTopic, {
      type: 'time',
      sessionId: 's1',
      studentId: 'u1',
      endsAt: 42,
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(onB).toEqual([{ type: 'time', sessionId: 's1', studentId: 'u1', endsAt: 42 }]);
  });

  it("an exam changed on one process is not served stale from another's memory", async () => {
    const [a, b] = await processes(2);
    const examId = '00000000-0000-4000-8000-0000000000e1';
    const live = {
      examId,
      status: 'PUBLISHED' as const,
      entryToken: 'AAA111',
      resultsReleasedAt: null,
      closedAt: null,
      scheduledStart: 1,
      scheduledEnd: 2,
      authorId: null,
    };
    const exam = {
      examId,
      title: 'T',
      description: '',
      scheduledStart: '',
      scheduledEnd: '',
      durationMinutes: 1,
      shuffleQuestions: false,
      shuffleOptions: false,
      partialCredit: false,
      resultPolicy: 'immediate' as const,
      targets: [],
      questions: [],
    };
    await a!.store.putExam({ exam, key: {}, live });
    expect((await b!.store.getExam(examId))?.live.entryToken).toBe('AAA111'); // now in B's memory
    await a!.store.putExam({
      exam,
      key: {},
      live: { ...live, entryToken: 'BBB222', status: 'CLOSED' },
    });
    await expect
      .poll(async () => (await b!.store.getExam(examId))?.live, { timeout: 1_000 })
      .toMatchObject({ entryToken: 'BBB222', status: 'CLOSED' });
    await a!.store.dropExam(examId);
    await expect.poll(() => b!.store.getExam(examId), { timeout: 1_000 }).toBeNull();
  });

  it('refuses a process configured with another shard count than the one in use', async () => {
    await processes(1);
    const other = new URL(url);
    other.searchParams.set('shards', '3');
    await expect(startLane(other.toString(), db.sql)).rejects.toThrow(/shards=2, not 3/);
  });

  it('keys of one session share the slot of its log shard; exam keys share the exam tag', () => {
    const keys = new RedisKeys('x:', 8);
    const id = '5b1f7c1e-8a7e-4d55-9d39-3f1f3b0c2a11';
    const tag = (key: string) => /\{([^}]*)\}/.exec(key)?.[1];
    const shard = keys.shardOf(id);
    for (const key of [
      keys.sessionMeta(id),
      keys.sessionAnswers(id),
      keys.savedKey(id, '{odd}key'),
      keys.due(shard),
      keys.log(shard),
    ]) {
      expect(tag(key)).toBe(`L${shard}`);
    }
    expect(tag(keys.exam('e1'))).toBe(tag(keys.sessionIndex('e1')));
    expect(() => new RedisKeys('bad{prefix}:')).toThrow(/braces/);
  });
});
