import { randomUUID } from 'node:crypto';
import { createStudent, createTestDatabase } from '../../../test/harness.js';
import { createPublishedExam } from '../test-factories.js';
import { sessionStoreContract, type ContractSetup } from './contract.js';
import type { Sql } from '../../platform/postgres.js';
import type { RedisSessionLane as RedisLane } from './index.js';
import { freshRedisUrl, startLane, wipeRedis } from '../../../test/redis-lane.js';

/**
 * The SessionStore contract, unchanged, on the redis adapter with a real redis-server and a
 * log writer draining into a real PostgreSQL — twice: a restart that keeps Redis (a crashed
 * app process) and one that loses everything Redis held (Redis restarted without
 * persistence: every session is rebuilt from PostgreSQL).
 */
function redisSetup(restartLosesRedis: boolean) {
  return async (): Promise<ContractSetup> => {
    const db = await createTestDatabase();
    const exam = await createPublishedExam(db.sql);
    const url = freshRedisUrl();
    let lane: RedisLane = await startLane(url, db.sql);
    return {
      get store() {
        return lane.store;
      },
      sql: durableView(db.sql, () => lane.store.flush()),
      async newSession(overrides = {}) {
        const student = await createStudent(db.sql);
        const now = Date.now();
        return {
          id: randomUUID(),
          examId: exam.id,
          studentId: student.id,
          startedAt: now,
          endsAt: now + 60 * 60_000,
          shuffleSeed: 42,
          questionOrder: exam.questionIds,
          optionOrders: {},
          ...overrides,
        };
      },
      async restart() {
        await lane.close();
        if (restartLosesRedis) await wipeRedis(url);
        lane = await startLane(url, db.sql);
        return lane.store;
      },
      async close() {
        await lane.close();
        await wipeRedis(url);
        await db.drop();
      },
    };
  };
}

/**
 * The contract reads PostgreSQL right after a save resolves ("an acknowledged save is in
 * PostgreSQL"), which is the memory adapter's promise. The redis adapter's promise (the
 * port, saveAnswers) is different by design: the ack means "in Redis and in the durable
 * log", and the writer commits it moments later — so assertions on the durable side read
 * it once the log has drained, which is exactly the state the write-behind guarantees.
 */
function durableView(sql: Sql, drained: () => Promise<void>): Sql {
  return new Proxy(sql, {
    apply: async (target, thisArg, args: unknown[]) => {
      await drained();
      return Reflect.apply(target, thisArg, args) as unknown;
    },
  });
}

sessionStoreContract('redis', redisSetup(false));
sessionStoreContract('redis, restart loses what Redis held', redisSetup(true));
