import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { classesRoutes } from './classes.routes.js';
import { studentsRoutes } from './students.routes.js';
import type { SchoolRouteDeps } from './school.service.js';

/** The school's people and groups under /api/v1/admin; every route needs a staff token. */
export const schoolRoutes: FastifyPluginAsyncTypebox<SchoolRouteDeps> = async (app, deps) => {
  // Not `deps` itself: it carries this plugin's prefix, which the children must not add again.
  const { school, guards, uploadLimitBytes } = deps;
  app.addHook('onRequest', guards.staff);
  await app.register(classesRoutes, { school, guards, uploadLimitBytes });
  await app.register(studentsRoutes, { school, guards, uploadLimitBytes });
};
