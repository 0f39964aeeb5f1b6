import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Guards } from '../auth/guards.js';
import type { AuthService } from '../auth/auth.service.js';
import type { FailureCounter } from '../auth/login-limiter.js';
import type { LoginRegistry } from '../auth/login-registry.js';
import type { Config } from '../config.js';
import type { SessionStore } from './store/types.js';
import type { Sql } from '../platform/postgres.js';
import { SocketHub } from '../ws/hub.js';
import { wsRoutes } from '../ws/ws.routes.js';
import { createExamCatalog } from './exam-catalog.js';
import type { SessionMetrics } from './session-metrics.js';
import { sessionRoutes } from './sessions.routes.js';
import { createSessionsRepo } from './sessions.repo.js';
import { createSessionsService } from './sessions.service.js';
import { sessionStaffRoutes } from './staff.routes.js';
import { createSessionStaffService } from './staff.service.js';
import { createSweeper, type SweeperOptions } from './sweeper.js';

/** The exam engine's student half, assembled once per process from the context's parts. */
export function createSessionsFeature(deps: {
  sql: Sql;
  hotStore: SessionStore;
  config: Config;
  metrics: SessionMetrics;
  logger: Logger;
  entryTokenFailures: FailureCounter;
  sweeper?: SweeperOptions;
}) {
  const { hotStore, metrics, logger } = deps;
  const graceMs = deps.config.saveGraceMs;
  const repo = createSessionsRepo(deps.sql);
  const catalog = createExamCatalog({ hotStore, repo });
  const service = createSessionsService({
    hotStore, catalog, repo, metrics, logger, saveGraceMs: graceMs, entryTokenFailures: deps.entryTokenFailures,
  });
  const staff = createSessionStaffService({ hotStore, catalog, repo });
  const sweeper = createSweeper({ hotStore, sessions: service, repo, metrics, logger, graceMs, ...(deps.sweeper ? { options: deps.sweeper } : {}) });
  const hub = new SocketHub(service, logger, {}, (open) => metrics.sockets.set(open));
  return {
    service,
    staff,
    catalog,
    sweeper,
    hub,
    /**
     * The exams feature's onExamChanged: reload the hot copy; when the exam was closed, end
     * the sessions still open — in the background, so the close request does not wait for
     * a whole hall to be graded (a session that fails here still ends at its own deadline).
     */
    async examChanged(examId: string): Promise<void> {
      await catalog.examChanged(examId);
      const cached = await catalog.get(examId);
      if (cached?.live.status !== 'CLOSED') return;
      void service.endOpenSessions(examId).catch((err: unknown) => logger.error({ err, examId }, 'ending sessions of a closed exam failed'));
    },
  };
}

export type SessionsFeature = ReturnType<typeof createSessionsFeature>;

/**
 * Routes and background work. Student routes and the socket under /api/v1, staff tools
 * under /api/v1/admin. On ready: the socket heartbeat, notices and login revocations
 * reach the hub, and (writer role) the sweeper runs. On close the hot store is flushed.
 */
export const sessionsPlugin: FastifyPluginAsync<{
  feature: SessionsFeature;
  hotStore: SessionStore;
  guards: Guards;
  auth: AuthService;
  logins: LoginRegistry;
  writer: boolean;
}> = async (app, { feature, hotStore, guards, auth, logins, writer }) => {
  await app.register(sessionRoutes, { prefix: '/api/v1', sessions: feature.service, guards });
  await app.register(wsRoutes, { prefix: '/api/v1', hub: feature.hub, auth });
  await app.register(sessionStaffRoutes, { prefix: '/api/v1/admin', staffSessions: feature.staff, guards });

  const unsubscribe: (() => void)[] = [];
  app.addHook('onReady', async () => {
    feature.hub.start();
    unsubscribe.push(hotStore.subscribe((notice) => feature.hub.notify(notice)));
    unsubscribe.push(logins.onRevoked((event) => feature.hub.revoke(event)));
    if (writer) feature.sweeper.start();
  });
  app.addHook('onClose', async () => {
    for (const off of unsubscribe) off();
    feature.hub.stop();
    await feature.sweeper.stop();
    await hotStore.flush();
  });
};
