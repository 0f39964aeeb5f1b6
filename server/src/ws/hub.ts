import type { Logger } from 'pino';
import {
  CLIENT_MESSAGES,
  CLOSE_KICKED,
  WS_MAX_MESSAGES_PER_SECOND,
  type ClientMessage,
  type ClientMessageType,
  type MessageId,
  type ServerMessage,
} from '../../../contracts/ws.js';
import type { LoginRevoked } from '../auth/login-registry.js';
import type { StudentPrincipal } from '../auth/principal.js';
import { AppError } from '../platform/errors.js';
import type { SessionNotice } from '../sessions/store/types.js';
import { compileMessageValidator, findUnstorableText, UNSTORABLE_MESSAGE } from '../platform/validation.js';
import type { SessionsService } from '../sessions/sessions.service.js';

/**
 * The student WebSocket hub (API.md, "WebSocket"), transport-agnostic like tldraw's
 * TLSocketRoom: it takes a minimal socket, so tests drive it without a network and the
 * route only adapts `ws`. It validates and dispatches messages, enforces the rate limit,
 * keeps peers alive (ping every 25 s, drop after 60 s of silence), and pushes notices:
 * `kicked` on a login elsewhere, `time` after an extension, `closed` when a session ends.
 */
export interface PeerSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  ping(): void;
  terminate(): void;
}

export interface HubOptions {
  heartbeatMs?: number;
  silentMs?: number;
  maxPerSecond?: number;
  now?: () => number;
}

type Actions = Pick<SessionsService, 'save' | 'submit' | 'signal'>;

const validators = Object.fromEntries(
  Object.entries(CLIENT_MESSAGES).map(([type, schema]) => [type, compileMessageValidator<ClientMessage>(schema)]),
) as Record<ClientMessageType, ReturnType<typeof compileMessageValidator<ClientMessage>>>;

const isMessageId = (v: unknown): v is MessageId => typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));

export class Peer {
  lastSeen: number;
  private windowStart = 0;
  private windowCount = 0;
  /** saves and submits of one socket run in order, so a submit sent after a save sees it */
  private chain: Promise<void> = Promise.resolve();
  closed = false;

  constructor(
    readonly socket: PeerSocket,
    readonly student: StudentPrincipal,
    private readonly hub: SocketHub,
  ) {
    this.lastSeen = hub.now();
  }

  send(message: ServerMessage): void {
    if (!this.closed) this.socket.send(JSON.stringify(message));
  }

  /** A pong (or any frame) from the client: it is alive. */
  alive(): void {
    this.lastSeen = this.hub.now();
  }

  /** One text frame from the client. Resolves when it has been answered. */
  receive(text: string): Promise<void> {
    const now = this.hub.now();
    this.lastSeen = now;
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    this.windowCount += 1;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      this.fail(undefined, 'VALIDATION_FAILED', 'A message must be a JSON object');
      return Promise.resolve();
    }
    const id = typeof raw === 'object' && raw !== null && isMessageId((raw as { id?: unknown }).id) ? (raw as { id: MessageId }).id : undefined;
    if (this.windowCount > this.hub.maxPerSecond) {
      this.fail(id, 'RATE_LIMITED', `More than ${this.hub.maxPerSecond} messages a second; slow down`);
      return Promise.resolve();
    }
    const message = this.parse(raw, id);
    if (!message) return Promise.resolve();
    if (message.type === 'ping') {
      this.send({ type: 'pong', ...(id !== undefined ? { id } : {}), serverNow: new Date(now).toISOString() });
      return Promise.resolve();
    }
    const run = this.chain.then(() => this.dispatch(message).catch((err: unknown) => this.failWith(id, err)));
    this.chain = run;
    return run;
  }

  private parse(raw: unknown, id: MessageId | undefined): ClientMessage | undefined {
    const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
    if (typeof type !== 'string' || !(type in validators)) {
      this.fail(id, 'VALIDATION_FAILED', `type must be one of ${Object.keys(validators).join(', ')}`);
      return undefined;
    }
    const unstorable = findUnstorableText(raw, 'message');
    if (unstorable) {
      this.fail(id, 'VALIDATION_FAILED', `${unstorable.replace(/^message\./, '')} ${UNSTORABLE_MESSAGE}`);
      return undefined;
    }
    const validate = validators[type as ClientMessageType];
    if (validate(raw)) return raw;
    const e = validate.errors?.[0];
    const field = e?.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'message';
    const extra = e?.keyword === 'additionalProperties' ? ` (${String(e.params['additionalProperty'])})` : '';
    this.fail(id, 'VALIDATION_FAILED', `${field} ${e?.message ?? 'is invalid'}${extra}`);
    return undefined;
  }

  private async dispatch(m: Exclude<ClientMessage, { type: 'ping' }>): Promise<void> {
    const idPart = m.id !== undefined ? { id: m.id } : {};
    switch (m.type) {
      case 'save': {
        const input = { questionId: m.questionId, answer: m.answer, ...(m.clientTs ? { clientTs: m.clientTs } : {}) };
        const ack = await this.hub.actions.save(this.student, m.sessionId, [input], {
          idempotencyKey: m.idempotencyKey, transport: 'ws', batch: false,
        });
        this.send({ type: 'saved', ...idPart, questionId: m.questionId, savedAt: ack.savedAt });
        return;
      }
      case 'submit': {
        const result = await this.hub.actions.submit(this.student, m.sessionId);
        this.send({ type: 'result', ...idPart, ...result });
        return;
      }
      case 'signal':
        await this.hub.actions.signal(this.student, m.sessionId, m.signal, m.at);
        return;
    }
  }

  private fail(id: MessageId | undefined, code: string, message: string): void {
    this.send({ type: 'error', ...(id !== undefined ? { id } : {}), code, message });
  }

  private failWith(id: MessageId | undefined, err: unknown): void {
    if (err instanceof AppError) return this.fail(id, err.code, err.message);
    this.hub.logger.error({ err, studentId: this.student.id }, 'websocket message failed');
    this.fail(id, 'INTERNAL', 'Something went wrong on our side; it has been logged');
  }
}

export class SocketHub {
  private readonly peers = new Set<Peer>();
  private readonly byStudent = new Map<string, Set<Peer>>();
  private heartbeat: NodeJS.Timeout | undefined;
  readonly now: () => number;
  readonly maxPerSecond: number;
  private readonly heartbeatMs: number;
  private readonly silentMs: number;

  constructor(
    readonly actions: Actions,
    readonly logger: Logger,
    options: HubOptions = {},
    private readonly onCountChange?: (open: number) => void,
  ) {
    this.now = options.now ?? Date.now;
    this.maxPerSecond = options.maxPerSecond ?? WS_MAX_MESSAGES_PER_SECOND;
    this.heartbeatMs = options.heartbeatMs ?? 25_000;
    this.silentMs = options.silentMs ?? 60_000;
  }

  get size(): number {
    return this.peers.size;
  }

  connect(socket: PeerSocket, student: StudentPrincipal): Peer {
    const peer = new Peer(socket, student, this);
    this.peers.add(peer);
    let mine = this.byStudent.get(student.id);
    if (!mine) this.byStudent.set(student.id, (mine = new Set()));
    mine.add(peer);
    this.onCountChange?.(this.peers.size);
    return peer;
  }

  disconnect(peer: Peer): void {
    peer.closed = true;
    this.peers.delete(peer);
    const mine = this.byStudent.get(peer.student.id);
    mine?.delete(peer);
    if (mine?.size === 0) this.byStudent.delete(peer.student.id);
    this.onCountChange?.(this.peers.size);
  }

  /** A session notice from any process: deliver to that student's sockets here. */
  notify(notice: SessionNotice): void {
    const mine = this.byStudent.get(notice.studentId);
    if (!mine) return;
    const message: ServerMessage =
      notice.type === 'time'
        ? { type: 'time', sessionId: notice.sessionId, endsAt: new Date(notice.endsAt).toISOString(), serverNow: new Date(this.now()).toISOString() }
        : { type: 'closed', sessionId: notice.sessionId, reason: notice.reason };
    for (const peer of mine) peer.send(message);
  }

  /** A login was revoked (signed in elsewhere, reset, logout): its sockets are told and closed. */
  revoke(event: LoginRevoked): void {
    if (event.userKind !== 'student') return;
    for (const peer of this.byStudent.get(event.userId) ?? []) {
      if (peer.student.loginId !== event.loginId) continue;
      const reason = event.reason === 'REPLACED' ? 'SESSION_REPLACED' : 'SIGNED_OUT';
      peer.send({ type: 'kicked', reason });
      peer.socket.close(CLOSE_KICKED, reason);
      this.disconnect(peer);
    }
  }

  /** Pings every peer each heartbeat; a peer silent for `silentMs` is dropped. */
  start(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
  }

  beat(): void {
    const now = this.now();
    for (const peer of this.peers) {
      if (now - peer.lastSeen > this.silentMs) {
        peer.socket.terminate();
        this.disconnect(peer);
      } else {
        peer.socket.ping();
      }
    }
  }

  stop(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}
