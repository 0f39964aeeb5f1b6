import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { ErrorResponse } from '../../../contracts/common.js';
import { LoginBody, RefreshBody, TokenPair } from '../../../contracts/auth.js';
import { invalid } from '../platform/errors.js';
import type { AuthService } from './auth.service.js';
import type { Guards } from './guards.js';
import { principalOf } from './principal.js';

/** Token responses must never be kept by a browser or a proxy (RFC 6749 §5.1). */
function noStore(reply: FastifyReply): void {
  void reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
}

export const authRoutes: FastifyPluginAsyncTypebox<{ auth: AuthService; guards: Guards }> = async (
  app,
  { auth, guards },
) => {
  app.post(
    '/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in (students by NISN, staff by email)',
        body: LoginBody,
        response: { 200: TokenPair, 400: ErrorResponse, 401: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request, reply) => {
      noStore(reply);
      const { nisn, email, password } = request.body;
      if ((nisn === undefined) === (email === undefined))
        throw invalid('Send either nisn (students) or email (staff), with password');
      const credentials = nisn !== undefined ? { nisn, password } : { email: email!, password };
      return auth.login(credentials, { ip: request.ip, userAgent: request.headers['user-agent'] });
    },
  );

  app.post(
    '/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Trade a refresh token for a new pair (rotation)',
        body: RefreshBody,
        response: { 200: TokenPair, 400: ErrorResponse, 401: ErrorResponse },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return auth.refresh(request.body.refreshToken);
    },
  );

  app.post(
    '/logout',
    {
      onRequest: guards.authenticate,
      schema: {
        tags: ['auth'],
        summary: 'Sign out this device',
        security: [{ bearer: [] }],
        response: { 204: { type: 'null' }, 401: ErrorResponse },
      },
    },
    async (request, reply) => {
      await auth.logout(principalOf(request).loginId);
      return reply.status(204).send(null);
    },
  );
};
