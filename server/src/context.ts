import type { Logger } from 'pino';
import { createAuthRepo } from './auth/auth.repo.js';
import { createAuthService } from './auth/auth.service.js';
import { createGuards } from './auth/index.js';
import { createFailureCounters } from './auth/index.js';
import { LoginRegistry } from './auth/index.js';
import { createTokenService } from './auth/tokens.js';
import type { Config } from './config.js';
import type { ReadinessChecks } from './platform/health.routes.js';
import { createMetrics } from './platform/metrics.js';
import type { Sql } from './platform/postgres.js';
import { createSessionStore } from './sessions/store/index.js';
import { createRedisPlatform } from './platform/redis/index.js';
import { createMemoryBus } from './platform/bus/index.js';
import {
  connectLoginsAcrossProcesses,
  connectStaffAccessAcrossProcesses,
} from './auth/cross-process.js';
import { createSessionMetrics } from './sessions/session-metrics.js';
import { createSessionsFeature } from './sessions/sessions.feature.js';
import { SocketGateway } from './ws/gateway.js';
import { createSchoolService } from './school/school.service.js';
import { createQuestionsService } from './questions/questions.service.js';
import { createExamsService } from './exams/exams.service.js';
import { examQuestionUsage, examsTargetingClass } from './exams/exams.repo.js';
import { examSessionsOfStudent } from './sessions/sessions.repo.js';
import { createExamReportsService } from './exams/exam-reports.service.js';
import { createUploadsService } from './media/uploads.service.js';
import { createStaffService } from './staff/staff.service.js';
import { createLeaderboardsFeature } from './leaderboards/index.js';

/**
 * Everything a process needs, built once from config and platform handles and passed
 * explicitly to the features (no decorators on the root instance).
 */
export function createContext(input: {
  config: Config;
  sql: Sql;
  logger: Logger;
  jwtSecret: string;
}) {
  const { config, sql, logger } = input;
  const metrics = createMetrics();
  const logins = new LoginRegistry(sql);
  const tokens = createTokenService(input.jwtSecret, config.accessTokenTtlSeconds);
  // REDIS_URL → the Redis platform (connection, durable log and its writer, pub/sub), shared by
  // every process; main.ts/harness await `redis.start()` (after the features registered their
  // log handlers, below) and `redis.close()`. Revocations and failed-login counts then reach
  // all processes, not just this one.
  const redis = config.redisUrl
    ? createRedisPlatform({ url: config.redisUrl, logger, metrics, writer: config.roles.writer })
    : undefined;
  // The bus: domain events between features, and across processes over Redis pub/sub.
  const bus = redis?.bus ?? createMemoryBus({ logger });
  connectLoginsAcrossProcesses(bus, logins, logger);
  const failures = createFailureCounters(config.loginLimits, redis?.failureCounter);
  const auth = createAuthService({
    repo: createAuthRepo(sql),
    tokens,
    logins,
    accountFailures: failures.account,
    ipFailures: failures.ip,
    refreshTtlSeconds: config.refreshTokenTtlSeconds,
    bcryptCost: config.bcryptCost,
  });
  connectStaffAccessAcrossProcesses(bus, auth.staffAccess, logger);
  const guards = createGuards(auth);
  const school = createSchoolService({
    sql,
    auth,
    bcryptCost: config.bcryptCost,
    usage: { examsTargetingClass, examSessionsOfStudent },
  });
  // The exam engine's student half: its session store (fast lane) and the sessions feature.
  const sessionMetrics = createSessionMetrics(metrics);
  const hotStore = createSessionStore({
    sql,
    logger,
    metrics,
    redis,
    hooks: {
      onCommit: (rows, seconds) => {
        sessionMetrics.commitRows.observe(rows);
        sessionMetrics.commitSeconds.observe(seconds);
      },
    },
  });
  // One socket for every feature: each registers its message types on the gateway.
  const gateway = new SocketGateway(logger);
  const sockets = metrics.gauge(
    'examhall_ws_connections',
    'Open WebSockets (students, staff, players)',
  );
  gateway.onConnect(() => sockets.set(gateway.size));
  gateway.onDisconnect(() => sockets.set(gateway.size));
  const sessions = createSessionsFeature({
    sql,
    hotStore,
    config,
    metrics: sessionMetrics,
    logger,
    entryTokenFailures: failures.entry,
    gateway,
    bus,
    // Results carry their live rank; leaderboards is built below (called only at run time).
    ranks: { rankOf: (result) => leaderboards.service.rankOf(result) },
  });
  const uploads = createUploadsService({ dataDir: config.dataDir });
  const questions = createQuestionsService({ sql, usage: examQuestionUsage });
  // After publish/close/token/schedule edits the sessions feature reloads its hot copy of the
  // exam (its catalog's examChanged); a no-op until that is wired here.
  const exams = createExamsService({
    sql,
    questions,
    onExamChanged: async (examId: string) => {
      leaderboards.service.examChanged(examId);
      await sessions.examChanged(examId);
    },
    bus,
    logger,
  });
  // Boards over the sessions feature's results, with the exams' settings and the school's names.
  const leaderboards = createLeaderboardsFeature({
    sql,
    bus,
    gateway,
    logger,
    redis,
    sources: {
      exam: (examId) => exams.boardExam(examId),
      resultsShown: (examId) => sessions.service.resultsShown(examId),
      sessionStatus: (examId, studentId) => sessions.service.sessionStatus(examId, studentId),
      rankedResults: (examId) => sessions.service.rankedResults(examId),
      placements: (ids) => sessions.service.placements(ids),
      names: (ids) => sessions.service.studentNames(ids),
      examStudents: (examId) => sessions.service.examStudents(examId),
      className: async (classId) =>
        (await school.getClass(classId).catch(() => null))?.name ?? null,
      settled: () => sessions.service.settled(),
    },
  });
  const examReports = createExamReportsService({ sql, exams });
  const staff = createStaffService({ sql, auth, bcryptCost: config.bcryptCost });

  /** Readiness checks by name; features add theirs (hot store, persist lag). */
  const readiness: ReadinessChecks = {
    database: async () => {
      await sql`SELECT 1`;
      return { ok: true };
    },
  };

  readiness.hotStore = async () => {
    await hotStore.persistLag();
    return { ok: true, detail: `ok (${hotStore.kind})` };
  };
  // Not ready while answers wait more than a few seconds for PostgreSQL: the slow lane is stuck.
  readiness.persistLag = async () => {
    const lag = await hotStore.persistLag();
    return { ok: lag.oldestMs < 10_000, detail: lag };
  };

  return {
    config,
    sql,
    logger,
    metrics,
    logins,
    tokens,
    auth,
    guards,
    school,
    staff,
    readiness,
    uploads,
    questions,
    exams,
    examReports,
    hotStore,
    sessions,
    redis,
    gateway,
    bus,
    leaderboards,
  };
}

export type AppContext = ReturnType<typeof createContext>;
