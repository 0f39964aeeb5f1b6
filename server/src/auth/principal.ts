import type { FastifyRequest } from 'fastify';
import { AppError, forbidden } from '../platform/errors.js';

export interface StudentPrincipal {
  kind: 'student';
  id: string;
  loginId: string;
  classId: string | null;
  name: string;
}

export interface StaffPrincipal {
  kind: 'staff';
  id: string;
  loginId: string;
  name: string;
  superAdmin: boolean;
  permissions: ReadonlySet<string>;
}

export type Principal = StudentPrincipal | StaffPrincipal;

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHENTICATED', 'Sign in first');
  return request.principal;
}

export function studentOf(request: FastifyRequest): StudentPrincipal {
  const p = principalOf(request);
  if (p.kind !== 'student') throw forbidden('Only students can do that');
  return p;
}

export function staffOf(request: FastifyRequest): StaffPrincipal {
  const p = principalOf(request);
  if (p.kind !== 'staff') throw forbidden('Only staff can do that');
  return p;
}
