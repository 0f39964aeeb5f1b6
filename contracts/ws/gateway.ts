import Type, { type Static } from 'typebox';
import { Strict } from '../common.js';

/**
 * What every socket speaks, whatever features it uses (API.md, "WebSocket"): JSON text
 * frames, `type`-discriminated; a client message may carry `id` and the reply echoes it.
 * The exam runner's messages have bare types (ws/sessions.ts); every other feature prefixes
 * its types with its name and a dot (`live.…`, `leaderboard.…`, `monitor.…`).
 */

export const MessageId = Type.Union([Type.String({ maxLength: 64 }), Type.Integer()]);
export type MessageId = Static<typeof MessageId>;

export const PingMessage = Strict({ type: Type.Literal('ping'), id: Type.Optional(MessageId) });
export type PingMessage = Static<typeof PingMessage>;

type Id_ = { id?: MessageId };
export type PongMessage = Id_ & { type: 'pong'; serverNow: string };
export type ErrorMessage = Id_ & { type: 'error'; code: string; message: string };
export type KickedMessage = { type: 'kicked'; reason: 'SESSION_REPLACED' | 'SIGNED_OUT' };

export type GatewayServerMessage = PongMessage | ErrorMessage | KickedMessage;

/** Close codes beyond RFC 6455's. */
export const CLOSE_KICKED = 4001;
/** Limits (API.md): bigger frames close with 1009; more than this many messages a second get RATE_LIMITED. */
export const WS_MAX_MESSAGE_BYTES = 16 * 1024;
export const WS_MAX_MESSAGES_PER_SECOND = 50;
