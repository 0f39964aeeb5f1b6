import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { Guards } from '../auth/index.js';
import type { Bus } from '../platform/bus/index.js';
import type { Sql } from '../platform/postgres.js';
import type { RedisPlatform } from '../platform/redis/index.js';
import { SessionScored } from '../sessions/sessions.events.js';
import type { SocketGateway } from '../ws/index.js';
import type { LeaderboardIndex } from './index-port.js';
import { SeriesChanged } from './leaderboards.events.js';
import { leaderboardRoutes, leaderboardStaffRoutes } from './leaderboards.routes.js';
import { createLeaderboardsService } from './leaderboards.service.js';
import { registerLeaderboardSocket } from './leaderboards.socket.js';
import { createMemoryLeaderboardIndex } from './memory-index.js';
import { createRedisLeaderboardIndex } from './redis-index.js';
import { createSeriesRepo } from './series.repo.js';
import type { LeaderboardSources } from './sources.types.js';

/**
 * Leaderboards, assembled once per process: the index (Redis when the process has it, so
 * every process shares one board; else memory), the service, its socket messages, and its
 * subscriptions — every `session.scored`, from this process or another, is recorded here
 * (idempotently: the index keeps the highest version).
 */
export function createLeaderboardsFeature(deps: {
  sql: Sql;
  sources: LeaderboardSources;
  bus: Bus;
  gateway: SocketGateway;
  logger: Logger;
  redis?: Pick<RedisPlatform, 'redis' | 'keys'> | undefined;
  index?: LeaderboardIndex;
  socketIntervalMs?: number;
}) {
  const { bus, logger } = deps;
  const index =
    deps.index ??
    (deps.redis
      ? createRedisLeaderboardIndex({ redis: deps.redis.redis, keys: deps.redis.keys })
      : createMemoryLeaderboardIndex());
  const service = createLeaderboardsService({
    index,
    sources: deps.sources,
    series: createSeriesRepo(deps.sql),
    bus,
    logger,
  });
  const socket = registerLeaderboardSocket(deps.gateway, service, {
    logger,
    ...(deps.socketIntervalMs !== undefined ? { intervalMs: deps.socketIntervalMs } : {}),
  });
  const subscriptions: (() => void)[] = [];

  return {
    service,
    socket,
    index,
    start(): void {
      subscriptions.push(
        bus.subscribe(SessionScored, (event) =>
          service
            .record(event)
            .catch((err: unknown) =>
              logger.warn(
                { err, sessionId: event.sessionId },
                'could not put a result on its leaderboard',
              ),
            ),
        ),
        bus.subscribe(SeriesChanged, () => service.seriesChanged()),
        // A published/closed/edited exam anywhere: its settings are read afresh.
        bus.subscribe('exams', (examId) => service.examChanged(examId)),
      );
      socket.start();
    },
    async stop(): Promise<void> {
      for (const unsubscribe of subscriptions.splice(0)) unsubscribe();
      socket.stop();
      await index.close();
    },
  };
}

export type LeaderboardsFeature = ReturnType<typeof createLeaderboardsFeature>;

/** Routes (student under /api/v1, staff under /api/v1/admin) and the feature's lifecycle. */
export const leaderboardsPlugin: FastifyPluginAsync<{
  feature: LeaderboardsFeature;
  guards: Guards;
}> = async (app, { feature, guards }) => {
  await app.register(leaderboardRoutes, {
    prefix: '/api/v1',
    leaderboards: feature.service,
    guards,
  });
  await app.register(leaderboardStaffRoutes, {
    prefix: '/api/v1/admin',
    leaderboards: feature.service,
    guards,
  });
  app.addHook('onReady', async () => feature.start());
  app.addHook('onClose', async () => feature.stop());
};
