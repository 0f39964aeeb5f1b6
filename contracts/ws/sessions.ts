import Type, { type Static } from 'typebox';
import { Id, Strict, Timestamp } from '../common.js';
import { Answer, SessionResultView, SignalType } from '../sessions.js';
import { MessageId } from './gateway.js';

/** The exam runner's socket messages (API.md, "WebSocket"): bare types, a student's only. */

export const SaveMessage = Strict({
  type: Type.Literal('save'),
  id: Type.Optional(MessageId),
  sessionId: Id,
  questionId: Id,
  answer: Answer,
  clientTs: Type.Optional(Timestamp),
  idempotencyKey: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      description: 'like the HTTP Idempotency-Key: a resent save with the same key is stored once',
    }),
  ),
});
export type SaveMessage = Static<typeof SaveMessage>;
export const SubmitMessage = Strict({
  type: Type.Literal('submit'),
  id: Type.Optional(MessageId),
  sessionId: Id,
});
export type SubmitMessage = Static<typeof SubmitMessage>;
export const SignalMessage = Strict({
  type: Type.Literal('signal'),
  id: Type.Optional(MessageId),
  sessionId: Id,
  signal: SignalType,
  at: Type.Optional(Timestamp),
});
export type SignalMessage = Static<typeof SignalMessage>;

export type SessionClientMessage = SaveMessage | SubmitMessage | SignalMessage;

type Id_ = { id?: MessageId };
export type SavedMessage = Id_ & { type: 'saved'; questionId: string; savedAt: string };
export type ResultMessage = Id_ & { type: 'result' } & Static<typeof SessionResultView>;
export type TimeMessage = { type: 'time'; sessionId: string; endsAt: string; serverNow: string };
export type ClosedMessage = { type: 'closed'; sessionId: string; reason: 'TIME_UP' | 'SUBMITTED' };

export type SessionServerMessage = SavedMessage | ResultMessage | TimeMessage | ClosedMessage;
