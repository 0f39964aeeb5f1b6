import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { inject } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { createContext, type AppContext } from '../src/context.js';
import { createRedisSessionLane } from '../src/sessions/store/index.js';
import { createSql, type Sql } from '../src/platform/postgres.js';
import { hashPassword } from '../src/auth/passwords.js';

/** A fresh database cloned from the migrated template: fast, and isolated per test file. */
export async function createTestDatabase(): Promise<{
  url: string;
  sql: Sql;
  drop: () => Promise<void>;
}> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const adminUrl = inject('pgAdminUrl');
  const admin = createSql(adminUrl, { max: 1 });
  await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`);
  await admin.end();
  const url = adminUrl.replace(/\/postgres$/, `/${name}`);
  const sql = createSql(url, { max: 8 });
  return {
    url,
    sql,
    drop: async () => {
      await sql.end({ timeout: 1 });
      const a = createSql(adminUrl, { max: 1 });
      await a.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  ctx: AppContext;
  sql: Sql;
  config: Config;
  close: () => Promise<void>;
}

/**
 * The real app on a fresh database, for app.inject(). `EXAMHALL_TEST_REDIS=1` runs every
 * such app in redis mode (a fresh key prefix each), to run feature suites against Redis;
 * `options.lane: 'memory'` keeps a test about the memory lane itself on it.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { lane?: 'memory' } = {},
): Promise<TestApp> {
  const db = await createTestDatabase();
  const config = loadConfig({
    DATA_DIR: `/tmp/examhall-test-data-${randomBytes(4).toString('hex')}`,
    DATABASE_URL: db.url,
    LOG_LEVEL: 'silent',
    STAFF_BCRYPT_COST: '4',
    STUDENT_BCRYPT_COST: '4',
    ...(process.env['EXAMHALL_TEST_REDIS'] === '1' && options.lane !== 'memory'
      ? { REDIS_URL: freshRedisUrl() }
      : {}),
    ...env,
  });
  const logger = pino({ level: config.logLevel });
  const ctx = createContext({
    config,
    sql: db.sql,
    logger,
    jwtSecret: randomBytes(32).toString('hex'),
  });
  await ctx.redis?.start();
  // In redis mode an app without the writer role relies on a writer elsewhere: one more
  // lane plays that writer process.
  const writerProcess =
    config.redisUrl && !config.roles.writer
      ? createRedisSessionLane({ url: config.redisUrl, sql: db.sql, logger, writer: true })
      : undefined;
  await writerProcess?.start();
  const app = await buildApp(ctx);
  await app.ready();
  return {
    app,
    ctx,
    sql: db.sql,
    config,
    close: async () => {
      await app.close();
      // Drains the session store (and the redis log) into this database before it is dropped.
      await ctx.hotStore.close();
      await ctx.redis?.close();
      await writerProcess?.close();
      await db.drop();
    },
  };
}

/**
 * REDIS_URL for a test: the run's redis-server (global-setup.ts) with a fresh key prefix, so
 * tests never see each other's keys. `createTestApp({ REDIS_URL: freshRedisUrl() })` runs the
 * app in redis mode.
 */
export function freshRedisUrl(shards = 4): string {
  const url = new URL(inject('redisUrl'));
  url.searchParams.set('prefix', `t${randomBytes(5).toString('hex')}:`);
  url.searchParams.set('shards', String(shards));
  return url.toString();
}

/** Factories: rows straight into the database, for tests that are not about creating them. */
export async function createStaff(
  sql: Sql,
  input: { email?: string; password?: string; role?: string } = {},
) {
  const email = input.email ?? `staff-${randomBytes(4).toString('hex')}@school.test`;
  const password = input.password ?? 'correct-horse';
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO staff (email, name, password_hash, role_id)
    VALUES (${email}, ${'Staff ' + email}, ${await hashPassword(password, 4)},
            (SELECT id FROM roles WHERE name = ${input.role ?? 'Admin'}))
    RETURNING id`;
  return { id: row!.id, email, password };
}

export async function createClass(
  sql: Sql,
  input: { name?: string; gradeLevel?: number; majorCode?: string; groupNumber?: number } = {},
) {
  const name = input.name ?? `X-${randomBytes(3).toString('hex')}`;
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO classes (grade_level, major_code, group_number, name)
    VALUES (${input.gradeLevel ?? 10}, ${input.majorCode ?? 'IPA'}, ${input.groupNumber ?? 1}, ${name}) RETURNING id`;
  return { id: row!.id, name };
}

export async function createStudent(
  sql: Sql,
  input: { nisn?: string; password?: string; classId?: string | null; name?: string } = {},
) {
  const nisn = input.nisn ?? String(Math.floor(1e9 + Math.random() * 8e9));
  const password = input.password ?? 'student-pass';
  const [row] = await sql<{ id: string }[]>`
    INSERT INTO students (nisn, name, class_id, password_hash)
    VALUES (${nisn}, ${input.name ?? 'Student ' + nisn}, ${input.classId ?? null}, ${await hashPassword(password, 4)})
    RETURNING id`;
  return { id: row!.id, nisn, password };
}

type Injectable = Pick<FastifyInstance, 'inject'>;

export async function login(
  app: Injectable,
  body: { nisn: string; password: string } | { email: string; password: string },
) {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: body });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return res.json() as { accessToken: string; refreshToken: string; user: { id: string } };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
