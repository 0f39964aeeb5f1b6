import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError, forbidden } from '../platform/errors.js';
import type { AuthService } from './auth.service.js';
import { hasPermission } from './policy.js';
import { staffOf } from './principal.js';

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
}

/** Route guards. Every route names one; there is no unauthenticated default. */
export function createGuards(auth: AuthService) {
  // Guards run as onRequest hooks: who you are is settled before your body is even read,
  // so a student probing an admin route gets 403, never a validation message.
  const authenticate: preHandlerAsyncHookHandler = async (
    request: FastifyRequest,
    _reply: FastifyReply,
  ) => {
    if (request.principal) return;
    const token = bearerToken(request);
    if (!token)
      throw new AppError('UNAUTHENTICATED', 'Sign in first (Authorization: Bearer <token>)');
    request.principal = await auth.authenticate(token);
  };

  const student: preHandlerAsyncHookHandler = async function (request, reply) {
    await authenticate.call(this, request, reply);
    if (request.principal?.kind !== 'student') throw forbidden('This is for students');
  };

  const staff: preHandlerAsyncHookHandler = async function (request, reply) {
    await authenticate.call(this, request, reply);
    if (request.principal?.kind !== 'staff') throw forbidden('This is for staff');
  };

  /** A staff member holding `code` (or any of several codes). */
  function requirePermission(...codes: string[]): preHandlerAsyncHookHandler {
    return async function (request, reply) {
      await staff.call(this, request, reply);
      const me = staffOf(request);
      if (!codes.some((c) => hasPermission(me, c)))
        throw forbidden(`You need the permission ${codes.join(' or ')}`);
    };
  }

  return { authenticate, student, staff, requirePermission };
}

export type Guards = ReturnType<typeof createGuards>;
