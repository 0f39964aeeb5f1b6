import cluster from 'node:cluster';
import type {} from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createContext, type AppContext } from './context.js';
import { healthRoutes } from './platform/health.routes.js';
import { registerHttpMetrics } from './platform/metrics.js';
import { DEMO_LOGINS, seedDemo } from './demo.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './platform/embedded-postgres.js';
import { migrate } from './platform/migrate.js';
import { createSql } from './platform/postgres.js';
import { loadOrCreateSecret } from './platform/secrets.js';

/** Boot: config → database → migrations → context → app → listen; SIGTERM drains and exits 0. */
async function runProcess(config: Config, log: Logger): Promise<void> {
  let embedded: EmbeddedDatabase | undefined;
  const databaseUrl =
    config.databaseUrl ?? (embedded = await startEmbeddedPostgres(config.dataDir, log)).url;
  const sql = createSql(databaseUrl);
  await migrate(sql, log);
  const jwtSecret = config.jwtSecret ?? (await loadOrCreateSecret(config.dataDir, 'jwt-secret'));
  const ctx = createContext({ config, sql, logger: log, jwtSecret });
  await ctx.redis?.start();
  if (config.admin) await ctx.auth.ensureSuperAdmin(config.admin.email, config.admin.password);
  const demoToken = config.demo ? await seedDemo(ctx) : null;

  // ROLES: `api` serves the app; a writer-only process (log writer, expiry sweeper) still
  // answers /health and /metrics so it can be watched like the others.
  const app = config.roles.api ? await buildApp(ctx) : await buildOperationsApp(ctx);
  if (!config.roles.api && config.roles.writer) ctx.sessions.sweeper.start();
  const url = await app.listen({ port: config.port, host: config.host });
  log.info({ url, pid: process.pid }, 'listening');
  if (config.demo && (cluster.isPrimary || cluster.worker?.id === 1)) {
    log.info(
      {
        url,
        staff: DEMO_LOGINS.admin,
        teacher: DEMO_LOGINS.teacher,
        student: DEMO_LOGINS.student,
        entryToken: demoToken,
      },
      `demo school ready: sign in at ${url} as ${DEMO_LOGINS.admin.email} / ${DEMO_LOGINS.admin.password}` +
        ` (student NISN ${DEMO_LOGINS.student.nisn} / ${DEMO_LOGINS.student.password}` +
        (demoToken ? `; the demo exam's entry token is ${demoToken})` : ')'),
    );
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: no new connections, draining');
    const force = setTimeout(() => {
      // The embedded PostgreSQL is a daemon of its own: out of time or not, it must not be
      // left running behind us (fast mode rolls back what is open; committed rows are safe).
      log.error('shutdown timed out; stopping the embedded database and exiting');
      const stopped = embedded ? embedded.stop() : Promise.resolve();
      void Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 15_000))]).finally(
        () => process.exit(1),
      );
    }, config.shutdownTimeoutMs);
    force.unref();
    try {
      // 1. Stop accepting. Students' sockets are told to reconnect (1012 "service restart":
      //    another process, or this one restarted, takes them); requests in flight finish.
      for (const client of app.websocketServer?.clients ?? [])
        client.close(1012, 'service restart');
      // A keep-alive connection whose request was in flight when closing began turns idle
      // afterwards and would stay open for its whole keep-alive timeout (72 s), holding the
      // drain back: close each one as soon as it is idle.
      const idleSweep = setInterval(() => app.server.closeIdleConnections(), 100);
      await app.close();
      clearInterval(idleSweep);
      if (!config.roles.api) await ctx.sessions.sweeper.stop();
      // 2. Every accepted answer reaches PostgreSQL before the pool closes (redis: this
      //    process's writer keeps draining meanwhile, alongside any other's), then the
      //    writer stops and hands its shards on.
      await ctx.hotStore.close();
      await ctx.redis?.close();
      log.info('log drained into PostgreSQL');
      await sql.end({ timeout: 5 });
      await embedded?.stop();
      log.info('stopped cleanly');
      process.exit(0);
    } catch (err) {
      log.error({ err }, 'error while shutting down');
      await embedded?.stop();
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

/** A writer-only process's HTTP face: health and metrics, nothing a student can reach. */
async function buildOperationsApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    return503OnClosing: true,
  });
  registerHttpMetrics(app, ctx.metrics);
  await app.register(healthRoutes, {
    readiness: ctx.readiness,
    metrics: ctx.metrics,
    metricsToken: ctx.config.metricsToken,
  });
  return app;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = pino({ level: config.logLevel, base: { pid: process.pid } });

  // WORKERS > 1 (Redis only, checked by loadConfig): the primary forks, the workers share the port.
  if (config.workers > 1 && cluster.isPrimary) {
    log.info({ workers: config.workers }, 'starting worker processes');
    for (let i = 0; i < config.workers; i += 1) cluster.fork();
    let stopping = false;
    cluster.on('exit', (worker, code) => {
      if (stopping) return;
      log.error({ worker: worker.process.pid, code }, 'worker exited; starting another');
      cluster.fork();
    });
    const stop = () => {
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      cluster.on('exit', () => {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
    return;
  }
  await runProcess(config, log);
}

main().catch((err: unknown) => {
  process.stderr.write(`examhall failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
