import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { FailureCounter, Guards } from '../auth/index.js';
import type { Config } from '../config.js';
import type { SessionStore } from './store/types.js';
import type { Sql } from '../platform/postgres.js';
import type { SocketGateway } from '../ws/index.js';
import { createExamCatalog } from './exam-catalog.js';
import type { SessionMetrics } from './session-metrics.js';
import { sessionRoutes } from './sessions.routes.js';
import { createSessionsRepo } from './sessions.repo.js';
import { createSessionsService } from './sessions.service.js';
import { registerSessionSocket } from './sessions.socket.js';
import { SessionNoticeTopic } from './sessions.events.js';
import type { Bus } from '../platform/bus/index.js';
import type { ResultRanks } from './ranks.types.js';
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
  gateway: SocketGateway;
  bus: Bus;
  ranks?: ResultRanks;
  sweeper?: SweeperOptions;
}) {
  const { hotStore, metrics, logger } = deps;
  const graceMs = deps.config.saveGraceMs;
  const repo = createSessionsRepo(deps.sql);
  const catalog = createExamCatalog({ hotStore, repo });
  const { bus } = deps;
  const service = createSessionsService({
    hotStore,
    bus,
    catalog,
    repo,
    metrics,
    logger,
    saveGraceMs: graceMs,
    entryTokenFailures: deps.entryTokenFailures,
    ...(deps.ranks ? { ranks: deps.ranks } : {}),
  });
  const staff = createSessionStaffService({ hotStore, catalog, repo, bus, logger });
  const sweeper = createSweeper({
    hotStore,
    sessions: service,
    repo,
    metrics,
    logger,
    graceMs,
    ...(deps.sweeper ? { options: deps.sweeper } : {}),
  });
  const socket = registerSessionSocket(deps.gateway, service);
  return {
    service,
    staff,
    catalog,
    sweeper,
    socket,
    bus,
    /**
     * The exams feature's onExamChanged: reload the hot copy; when the exam was closed, end
     * the sessions still open — in the background, so the close request does not wait for
     * a whole hall to be graded (a session that fails here still ends at its own deadline).
     */
    async examChanged(examId: string): Promise<void> {
      await catalog.examChanged(examId);
      const cached = await catalog.get(examId);
      if (cached?.live.status !== 'CLOSED') return;
      void service
        .endOpenSessions(examId)
        .catch((err: unknown) =>
          logger.error({ err, examId }, 'ending sessions of a closed exam failed'),
        );
    },
  };
}

export type SessionsFeature = ReturnType<typeof createSessionsFeature>;

/**
 * Routes and background work. Student routes under /api/v1 (their socket messages are on
 * the gateway already), staff tools under /api/v1/admin. On ready: session notices reach
 * this process's sockets, and (writer role) the sweeper runs. On close the store is flushed.
 */
export const sessionsPlugin: FastifyPluginAsync<{
  feature: SessionsFeature;
  hotStore: SessionStore;
  guards: Guards;
  writer: boolean;
}> = async (app, { feature, hotStore, guards, writer }) => {
  await app.register(sessionRoutes, { prefix: '/api/v1', sessions: feature.service, guards });
  await app.register(sessionStaffRoutes, {
    prefix: '/api/v1/admin',
    staffSessions: feature.staff,
    guards,
  });

  let unsubscribe: (() => void) | undefined;
  app.addHook('onReady', async () => {
    unsubscribe = feature.bus.subscribe(SessionNoticeTopic, (notice) =>
      feature.socket.notify(notice),
    );
    if (writer) feature.sweeper.start();
  });
  app.addHook('onClose', async () => {
    unsubscribe?.();
    await feature.sweeper.stop();
    await hotStore.flush();
  });
};
