import type { PingMessage, GatewayServerMessage } from './ws/gateway.js';
import type { SessionClientMessage, SessionServerMessage } from './ws/sessions.js';
import type { LeaderboardClientMessage, LeaderboardServerMessage } from './ws/leaderboards.js';

/**
 * The whole socket protocol a client may speak, for the web app: the gateway's own messages
 * and each feature's (contracts/ws/<feature>.ts, `type`-discriminated schemas both ways).
 */
export * from './ws/gateway.js';
export * from './ws/sessions.js';
export * from './ws/leaderboards.js';

export type ClientMessage = PingMessage | SessionClientMessage | LeaderboardClientMessage;
export type ClientMessageType = ClientMessage['type'];
export type ServerMessage = GatewayServerMessage | SessionServerMessage | LeaderboardServerMessage;
