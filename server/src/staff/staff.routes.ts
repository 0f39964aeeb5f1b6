import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { IdParams, errorResponses } from '../../../contracts/common.js';
import {
  PermissionList,
  Role,
  RoleCreate,
  RoleList,
  RolePatch,
  RoleReplace,
  StaffCreate,
  StaffList,
  StaffMember,
  StaffPatch,
  StaffReplace,
} from '../../../contracts/staff.js';
import { staffOf, type Guards } from '../auth/index.js';
import type { StaffService } from './staff.service.js';

const security = [{ bearer: [] }];
const noContent = { 204: Type.Null(), ...errorResponses };

/** Staff accounts, roles and the permission catalogue under /api/v1/admin. */
export const staffRoutes: FastifyPluginAsyncTypebox<{
  staff: StaffService;
  guards: Guards;
}> = async (app, { staff: service, guards }) => {
  const canRead = guards.requirePermission('staff:read');
  const canWrite = guards.requirePermission('staff:write');
  app.addHook('onRequest', guards.staff);

  // ── Accounts ──
  const tags = ['staff'];
  app.get(
    '/staff',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'List staff accounts',
        response: { 200: StaffList, ...errorResponses },
      },
    },
    async () => ({ items: await service.listStaff() }),
  );

  app.get(
    '/staff/:id',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'One staff account',
        params: IdParams,
        response: { 200: StaffMember, ...errorResponses },
      },
    },
    async (request) => service.getStaff(request.params.id),
  );

  app.post(
    '/staff',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Create a staff account',
        body: StaffCreate,
        response: { 201: StaffMember, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createStaff(staffOf(request), request.body)),
  );

  app.put(
    '/staff/:id',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Replace a staff account (deactivating signs it out everywhere)',
        params: IdParams,
        body: StaffReplace,
        response: { 200: StaffMember, ...errorResponses },
      },
    },
    async (request) => service.updateStaff(staffOf(request), request.params.id, request.body),
  );

  app.patch(
    '/staff/:id',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Change some fields of a staff account (deactivating signs it out everywhere)',
        params: IdParams,
        body: StaffPatch,
        response: { 200: StaffMember, ...errorResponses },
      },
    },
    async (request) => service.updateStaff(staffOf(request), request.params.id, request.body),
  );

  app.delete(
    '/staff/:id',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Delete a staff account and sign it out (never your own)',
        params: IdParams,
        response: noContent,
      },
    },
    async (request, reply) => {
      await service.deleteStaff(staffOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  // ── Roles ──
  const roleTags = ['roles'];
  app.get(
    '/roles',
    {
      onRequest: canRead,
      schema: {
        tags: roleTags,
        security,
        summary: 'List roles with their permission codes',
        response: { 200: RoleList, ...errorResponses },
      },
    },
    async () => ({ items: await service.listRoles() }),
  );

  app.get(
    '/roles/:id',
    {
      onRequest: canRead,
      schema: {
        tags: roleTags,
        security,
        summary: 'One role',
        params: IdParams,
        response: { 200: Role, ...errorResponses },
      },
    },
    async (request) => service.getRole(request.params.id),
  );

  app.post(
    '/roles',
    {
      onRequest: canWrite,
      schema: {
        tags: roleTags,
        security,
        summary: 'Create a role (unknown permission codes are refused)',
        body: RoleCreate,
        response: { 201: Role, ...errorResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await service.createRole(staffOf(request), request.body)),
  );

  app.put(
    '/roles/:id',
    {
      onRequest: canWrite,
      schema: {
        tags: roleTags,
        security,
        summary: 'Replace a role and its permission set',
        params: IdParams,
        body: RoleReplace,
        response: { 200: Role, ...errorResponses },
      },
    },
    async (request) => service.updateRole(staffOf(request), request.params.id, request.body),
  );

  app.patch(
    '/roles/:id',
    {
      onRequest: canWrite,
      schema: {
        tags: roleTags,
        security,
        summary: 'Change some fields of a role',
        params: IdParams,
        body: RolePatch,
        response: { 200: Role, ...errorResponses },
      },
    },
    async (request) => service.updateRole(staffOf(request), request.params.id, request.body),
  );

  app.delete(
    '/roles/:id',
    {
      onRequest: canWrite,
      schema: {
        tags: roleTags,
        security,
        summary: 'Delete a role (409 when built in or still held)',
        params: IdParams,
        response: noContent,
      },
    },
    async (request, reply) => {
      await service.deleteRole(request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/permissions',
    {
      onRequest: canRead,
      schema: {
        tags: roleTags,
        security,
        summary: 'Every permission code a role can hold',
        response: { 200: PermissionList, ...errorResponses },
      },
    },
    async () => ({ items: await service.listPermissions() }),
  );
};
