import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { AppError } from './errors.js';
import { metricsAccess, type Metrics } from './metrics.js';

const Health = Type.Object({
  status: Type.String(),
  checks: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
});

/** Readiness checks by name: each feature adds its own (database, hot store, persist lag, …). */
export type ReadinessChecks = Record<string, () => Promise<{ ok: boolean; detail?: unknown }>>;

export const healthRoutes: FastifyPluginAsyncTypebox<{
  readiness: ReadinessChecks;
  metrics: Metrics;
  metricsToken: string | undefined;
}> = async (app, { readiness, metrics, metricsToken }) => {
  app.get(
    '/health/live',
    { schema: { tags: ['operations'], response: { 200: Health } }, logLevel: 'warn' },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'Ready to serve: database, hot store, persist lag',
        response: { 200: Health, 503: Health },
      },
      logLevel: 'warn',
    },
    async (_request, reply) => {
      const checks: Record<string, unknown> = {};
      let ready = true;
      await Promise.all(
        Object.entries(readiness).map(async ([name, check]) => {
          try {
            const result = await Promise.race([
              check(),
              new Promise<never>((_, reject) =>
                setTimeout(() => reject(new Error('timed out')), 2000).unref(),
              ),
            ]);
            checks[name] = result.detail ?? (result.ok ? 'ok' : 'failing');
            ready &&= result.ok;
          } catch (err) {
            checks[name] = `failing: ${(err as Error).message}`;
            ready = false;
          }
        }),
      );
      return reply
        .status(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'not_ready', checks });
    },
  );

  const mayScrape = metricsAccess(metricsToken);
  app.get(
    '/metrics',
    {
      schema: { hide: true },
      onRequest: async (request, reply) => {
        if (mayScrape(request.headers.authorization)) return;
        void reply.header('WWW-Authenticate', 'Bearer');
        throw new AppError(
          'UNAUTHENTICATED',
          'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>',
        );
      },
    },
    async (_request, reply) => {
      void reply.header('Content-Type', metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
};
