import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type {} from '@fastify/websocket';
import Type from 'typebox';
import type { AuthService } from '../auth/index.js';
import { AppError } from '../platform/errors.js';
import type { SocketGateway } from './gateway.js';

/**
 * `GET /api/v1/ws?token=<accessToken>`: browsers cannot set headers on a WebSocket, so the
 * token rides in the query. It is checked before the upgrade, so a bad token gets a plain
 * HTTP 401 instead of an open socket. A student or a staff token opens one; what the socket
 * may send follows from it. Everything after the upgrade is the gateway's.
 * Needs @fastify/websocket registered on the app (with maxPayload = 16 KiB: bigger frames
 * close the socket with 1009).
 */
export const wsRoutes: FastifyPluginAsyncTypebox<{
  gateway: SocketGateway;
  auth: Pick<AuthService, 'authenticate'>;
}> = async (app, { gateway, auth }) => {
  app.get(
    '/ws',
    {
      websocket: true,
      // The URL carries the access token: keep it out of the per-request info logs.
      logLevel: 'warn',
      schema: {
        // OpenAPI cannot describe a socket (and @fastify/websocket hides it anyway); the
        // protocol is contracts/ws/ and API.md.
        hide: true,
        tags: ['socket'],
        summary:
          'The WebSocket of every feature (the exam runner: save, submit, ping, signal; pushes time, closed, kicked)',
        querystring: Type.Object({ token: Type.String({ minLength: 1, maxLength: 4096 }) }),
      },
      onRequest: async (request) => {
        const token = (request.query as { token?: unknown }).token;
        if (typeof token !== 'string' || token === '')
          throw new AppError('UNAUTHENTICATED', 'Pass your access token as ?token=');
        request.principal = await auth.authenticate(token);
      },
    },
    (socket, request) => {
      const peer = gateway.connect(
        {
          send: (text) => socket.send(text),
          close: (code, reason) => socket.close(code, reason),
          ping: () => socket.ping(),
          terminate: () => socket.terminate(),
        },
        request.principal!,
      );
      socket.on('message', (data, isBinary) => {
        void peer.receive(isBinary ? '' : data.toString());
      });
      socket.on('pong', () => peer.alive());
      socket.on('close', () => gateway.disconnect(peer));
    },
  );
};
