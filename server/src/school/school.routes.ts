import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../context.js';
import { classesRoutes } from './classes.routes.js';
import { studentsRoutes } from './students.routes.js';

/** The school's people and groups under /api/v1/admin; every route needs a staff token. */
export const schoolRoutes: FastifyPluginAsyncTypebox<{ ctx: AppContext }> = async (
  app,
  { ctx },
) => {
  app.addHook('onRequest', ctx.guards.staff);
  await app.register(classesRoutes, { ctx });
  await app.register(studentsRoutes, { ctx });
};
