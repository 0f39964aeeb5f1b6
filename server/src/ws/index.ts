/** The socket gateway, for features that register message types and push to their sockets. */
export {
  Peer,
  SocketGateway,
  type MessageHandler,
  type OutboundMessage,
  type PeerSocket,
  type SocketPrincipal,
} from './gateway.js';
export { wsRoutes } from './ws.routes.js';
