import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { ErrorResponse } from '../../contracts/common.js';
import { authRoutes } from './auth/auth.routes.js';
import type { AppContext } from './context.js';
import { healthRoutes } from './platform/health.routes.js';
import { clientErrorHandler, registerErrorHandling } from './platform/errors.js';
import { registerHttpMetrics } from './platform/metrics.js';
import { registerTextGuard, validatorCompiler } from './platform/validation.js';
import { schoolRoutes } from './school/school.routes.js';
import websocket from '@fastify/websocket';
import { WS_MAX_MESSAGE_BYTES } from '../../contracts/ws/gateway.js';
import { wsRoutes } from './ws/ws.routes.js';
import { sessionsPlugin } from './sessions/sessions.feature.js';
import { questionRoutes } from './questions/questions.routes.js';
import { examRoutes } from './exams/exams.routes.js';
import { examReportRoutes } from './exams/exam-reports.routes.js';
import { uploadRoutes, uploadedFiles } from './media/uploads.routes.js';
import { staffRoutes } from './staff/staff.routes.js';
import { webPlugin } from './web/web.plugin.js';
import { leaderboardsPlugin } from './leaderboards/index.js';

export interface RegisteredRoute {
  method: string;
  url: string;
  hidden: boolean;
}
const routeLists = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route the app registered (for the OpenAPI completeness test). */
export const registeredRoutes = (app: FastifyInstance): RegisteredRoute[] =>
  routeLists.get(app) ?? [];

/**
 * The Fastify app, built without listening: main.ts listens, tests call inject().
 */
export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.logger as FastifyBaseLogger,
    bodyLimit: ctx.config.bodyLimitBytes,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming)
        ? incoming
        : randomUUID();
    },
    forceCloseConnections: 'idle',
    clientErrorHandler,
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  const routes: RegisteredRoute[] = [];
  routeLists.set(app, routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods)
      routes.push({ method, url: route.url, hidden: route.schema?.hide === true });
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('X-Request-Id', request.id);
  });
  registerErrorHandling(app);
  registerTextGuard(app);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'", 'ws:', 'wss:'],
      },
    },
    crossOriginResourcePolicy: { policy: 'same-site' },
    // HSTS over plain HTTP means nothing to a browser (RFC 6797 §7.2); sent only over HTTPS.
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.protocol === 'https')
      void reply.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  });
  if (ctx.config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: ctx.config.corsOrigins,
      credentials: true,
      exposedHeaders: ['Retry-After', 'X-Request-Id'],
    });
  }
  await app.register(multipart, {
    limits: { fileSize: ctx.config.uploadLimitBytes, files: 1, fields: 10, parts: 12 },
    throwFileSizeLimit: true,
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Examhall',
        version: '0.1.0',
        description: 'Exam and live-quiz server. Contract: API.md.',
      },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.addSchema(ErrorResponse);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerHttpMetrics(app, ctx.metrics);
  await app.register(healthRoutes, {
    readiness: ctx.readiness,
    metrics: ctx.metrics,
    metricsToken: ctx.config.metricsToken,
  });
  await app.register(authRoutes, { prefix: '/api/v1/auth', auth: ctx.auth, guards: ctx.guards });
  const { guards, config } = ctx;
  const uploadLimitBytes = config.uploadLimitBytes;
  await app.register(schoolRoutes, {
    prefix: '/api/v1/admin',
    school: ctx.school,
    guards,
    uploadLimitBytes,
  });
  await app.register(questionRoutes, {
    prefix: '/api/v1/admin',
    questions: ctx.questions,
    guards,
    uploadLimitBytes,
  });
  await app.register(examRoutes, { prefix: '/api/v1/admin', exams: ctx.exams, guards });
  await app.register(examReportRoutes, {
    prefix: '/api/v1/admin',
    reports: ctx.examReports,
    guards,
  });
  await app.register(uploadRoutes, {
    prefix: '/api/v1/admin',
    uploads: ctx.uploads,
    guards,
    uploadLimitBytes,
  });
  await app.register(uploadedFiles, { uploads: ctx.uploads });
  await app.register(staffRoutes, { prefix: '/api/v1/admin', staff: ctx.staff, guards });
  // The student exam day: /api/v1 student routes and socket, /api/v1/admin session tools.
  // Frames over 16 KiB close the socket with 1009 (ws enforces maxPayload).
  await app.register(websocket, { options: { maxPayload: WS_MAX_MESSAGE_BYTES } });
  await app.register(wsRoutes, { prefix: '/api/v1', gateway: ctx.gateway, auth: ctx.auth });
  let unsubscribeRevocations: (() => void) | undefined;
  app.addHook('onReady', async () => {
    ctx.gateway.start();
    unsubscribeRevocations = ctx.logins.onRevoked((event) => ctx.gateway.revoke(event));
  });
  app.addHook('onClose', async () => {
    unsubscribeRevocations?.();
    ctx.gateway.stop();
  });
  await app.register(sessionsPlugin, {
    feature: ctx.sessions,
    hotStore: ctx.hotStore,
    guards: ctx.guards,
    writer: ctx.config.roles.writer,
  });
  await app.register(leaderboardsPlugin, { feature: ctx.leaderboards, guards: ctx.guards });
  await app.register(webPlugin);
  return app;
}
