import Type, { type Static } from 'typebox';
import { Id, Strict, Timestamp } from './common.js';
import { Answer, SessionResultView, SignalType } from './sessions.js';

/**
 * The WebSocket protocol of API.md, shared by the server and the web app: JSON text
 * frames, a `type`-discriminated union each way. A client message may carry `id`; the
 * reply echoes it.
 */

export const MessageId = Type.Union([Type.String({ maxLength: 64 }), Type.Integer()]);
export type MessageId = Static<typeof MessageId>;

export const SaveMessage = Strict({
  type: Type.Literal('save'),
  id: Type.Optional(MessageId),
  sessionId: Id,
  questionId: Id,
  answer: Answer,
  clientTs: Type.Optional(Timestamp),
  idempotencyKey: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'like the HTTP Idempotency-Key: a resent save with the same key is stored once' })),
});
export const SubmitMessage = Strict({ type: Type.Literal('submit'), id: Type.Optional(MessageId), sessionId: Id });
export const PingMessage = Strict({ type: Type.Literal('ping'), id: Type.Optional(MessageId) });
export const SignalMessage = Strict({
  type: Type.Literal('signal'),
  id: Type.Optional(MessageId),
  sessionId: Id,
  signal: SignalType,
  at: Type.Optional(Timestamp),
});

export const ClientMessage = Type.Union([SaveMessage, SubmitMessage, PingMessage, SignalMessage]);
export type ClientMessage = Static<typeof ClientMessage>;
export type ClientMessageType = ClientMessage['type'];

/** Each client message type with its schema, so a server can validate by `type` first. */
export const CLIENT_MESSAGES = {
  save: SaveMessage,
  submit: SubmitMessage,
  ping: PingMessage,
  signal: SignalMessage,
} as const;

type Id_ = { id?: MessageId };
export type SavedMessage = Id_ & { type: 'saved'; questionId: string; savedAt: string };
export type ResultMessage = Id_ & { type: 'result' } & Static<typeof SessionResultView>;
export type PongMessage = Id_ & { type: 'pong'; serverNow: string };
export type ErrorMessage = Id_ & { type: 'error'; code: string; message: string };
export type KickedMessage = { type: 'kicked'; reason: 'SESSION_REPLACED' | 'SIGNED_OUT' };
export type TimeMessage = { type: 'time'; sessionId: string; endsAt: string; serverNow: string };
export type ClosedMessage = { type: 'closed'; sessionId: string; reason: 'TIME_UP' | 'SUBMITTED' };

export type ServerMessage = SavedMessage | ResultMessage | PongMessage | ErrorMessage | KickedMessage | TimeMessage | ClosedMessage;

/** Close codes beyond RFC 6455's. */
export const CLOSE_KICKED = 4001;
/** Limits (API.md): bigger frames close with 1009; more than this many messages a second get RATE_LIMITED. */
export const WS_MAX_MESSAGE_BYTES = 16 * 1024;
export const WS_MAX_MESSAGES_PER_SECOND = 50;
