import type { SchoolRouteDeps } from './school.service.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { IdParams, errorResponses } from '../../../contracts/common.js';
import {
  ClassCreate,
  ClassList,
  ClassListQuery,
  ClassPatch,
  ClassReplace,
  SchoolClass,
} from '../../../contracts/school.js';

const tags = ['classes'];
const security = [{ bearer: [] }];

export const classesRoutes: FastifyPluginAsyncTypebox<SchoolRouteDeps> = async (app, deps) => {
  const { school, guards } = deps;
  const canRead = guards.requirePermission('classes:read');
  const canWrite = guards.requirePermission('classes:write');

  app.get(
    '/classes',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'List classes with their student counts',
        querystring: ClassListQuery,
        response: { 200: ClassList, ...errorResponses },
      },
    },
    async (request) => ({ items: await school.listClasses(request.query) }),
  );

  app.get(
    '/classes/:id',
    {
      onRequest: canRead,
      schema: {
        tags,
        security,
        summary: 'One class',
        params: IdParams,
        response: { 200: SchoolClass, ...errorResponses },
      },
    },
    async (request) => school.getClass(request.params.id),
  );

  app.post(
    '/classes',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Create a class (the name defaults to e.g. "X IPA 1")',
        body: ClassCreate,
        response: { 201: SchoolClass, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(201).send(await school.createClass(request.body)),
  );

  app.put(
    '/classes/:id',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Replace a class',
        params: IdParams,
        body: ClassReplace,
        response: { 200: SchoolClass, ...errorResponses },
      },
    },
    async (request) => school.updateClass(request.params.id, request.body),
  );

  app.patch(
    '/classes/:id',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Change some fields of a class',
        params: IdParams,
        body: ClassPatch,
        response: { 200: SchoolClass, ...errorResponses },
      },
    },
    async (request) => school.updateClass(request.params.id, request.body),
  );

  app.delete(
    '/classes/:id',
    {
      onRequest: canWrite,
      schema: {
        tags,
        security,
        summary: 'Delete an empty class (409 while students are in it)',
        params: IdParams,
        response: { 204: Type.Null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      await school.deleteClass(request.params.id);
      return reply.status(204).send(null);
    },
  );
};
