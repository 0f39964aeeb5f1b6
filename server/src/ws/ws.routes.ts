import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type {} from '@fastify/websocket';
import Type from 'typebox';
import type { AuthService } from '../auth/auth.service.js';
import { studentOf } from '../auth/principal.js';
import { AppError, forbidden } from '../platform/errors.js';
import type { SocketHub } from './hub.js';

/**
 * `GET /api/v1/ws?token=<accessToken>`: browsers cannot set headers on a WebSocket, so the
 * token rides in the query. It is checked before the upgrade, so a bad token gets a plain
 * HTTP 401/403 instead of an open socket. Everything after the upgrade is the hub's.
 * Needs @fastify/websocket registered on the app (with maxPayload = 16 KiB: bigger frames
 * close the socket with 1009).
 */
export const wsRoutes: FastifyPluginAsyncTypebox<{ hub: SocketHub; auth: AuthService }> = async (app, { hub, auth }) => {
  app.get('/ws', {
    websocket: true,
    // The URL carries the access token: keep it out of the per-request info logs.
    logLevel: 'warn',
    schema: {
      // OpenAPI cannot describe a socket (and @fastify/websocket hides it anyway); the
      // protocol is contracts/ws.ts and API.md.
      hide: true,
      tags: ['student'],
      summary: 'The student WebSocket (save, submit, ping, signal; pushes time, closed, kicked)',
      querystring: Type.Object({ token: Type.String({ minLength: 1, maxLength: 4096 }) }),
    },
    onRequest: async (request) => {
      const token = (request.query as { token?: unknown }).token;
      if (typeof token !== 'string' || token === '') throw new AppError('UNAUTHENTICATED', 'Pass your access token as ?token=');
      request.principal = await auth.authenticate(token);
      if (request.principal.kind !== 'student') throw forbidden('This socket is for students');
    },
  }, (socket, request) => {
    const peer = hub.connect(
      {
        send: (text) => socket.send(text),
        close: (code, reason) => socket.close(code, reason),
        ping: () => socket.ping(),
        terminate: () => socket.terminate(),
      },
      studentOf(request),
    );
    socket.on('message', (data, isBinary) => {
      void peer.receive(isBinary ? '' : data.toString());
    });
    socket.on('pong', () => peer.alive());
    socket.on('close', () => hub.disconnect(peer));
  });
};
