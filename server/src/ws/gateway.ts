import type { TSchema } from 'typebox';
import type { Logger } from 'pino';
import {
  CLOSE_KICKED,
  PingMessage,
  WS_MAX_MESSAGES_PER_SECOND,
  type GatewayServerMessage,
  type MessageId,
} from '../../../contracts/ws/gateway.js';
import { AppError } from '../platform/errors.js';
import {
  compileMessageValidator,
  findUnstorableText,
  UNSTORABLE_MESSAGE,
} from '../platform/validation.js';

/**
 * One socket for every feature (ARCHITECTURE.md, "Wave 2"): the gateway owns what all
 * sockets share — the principal that authenticated the upgrade, the rate limit, keep-alive
 * (ping every 25 s, drop after 60 s of silence), `ping`/`pong`, errors, kicking a revoked
 * login — and hands every other message to the handler a feature registered for its
 * `type`, after validating the frame against that handler's schema. Transport-agnostic
 * like tldraw's TLSocketRoom: it takes a minimal socket, so tests run without a network.
 */
export interface PeerSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
  ping(): void;
  terminate(): void;
}

/** Who is on the socket; `kind` decides which messages it may send. */
export interface SocketPrincipal {
  kind: string;
  id: string;
  /** the login the token belongs to: revoking it closes the socket */
  loginId?: string;
}

/** A frame the server sends: the gateway's own or a feature's (`type`-discriminated). */
export type OutboundMessage = { type: string; id?: MessageId } & Record<string, unknown>;

/** A feature's inbound message type. */
export interface MessageHandler<
  P extends SocketPrincipal = SocketPrincipal,
  M extends { type: string } = { type: string },
> {
  type: M['type'];
  /** the frame's schema (contracts/ws/<feature>.ts); unknown fields are refused */
  schema: TSchema;
  /** principal kinds that may send it */
  from: readonly P['kind'][];
  /** answers with a reply (its `id` is filled in) or nothing; AppErrors become `error` frames */
  run(message: M, peer: Peer<P>): Promise<OutboundMessage | void>;
}

export interface GatewayOptions {
  heartbeatMs?: number;
  silentMs?: number;
  maxPerSecond?: number;
  now?: () => number;
}

// `ping` is the gateway's own message; it is checked like any other (unknown fields refused).
const validatePing = compileMessageValidator(PingMessage);

const isMessageId = (v: unknown): v is MessageId =>
  typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));

interface Registered {
  handler: MessageHandler;
  validate: ReturnType<typeof compileMessageValidator>;
}

export class Peer<P extends SocketPrincipal = SocketPrincipal> {
  lastSeen: number;
  closed = false;
  private windowStart = 0;
  private windowCount = 0;
  /** a socket's messages run in the order sent, so a submit sent after a save sees it */
  private chain: Promise<void> = Promise.resolve();

  constructor(
    readonly socket: PeerSocket,
    readonly principal: P,
    private readonly gateway: SocketGateway,
  ) {
    this.lastSeen = gateway.now();
  }

  send(message: OutboundMessage): void {
    if (!this.closed) this.socket.send(JSON.stringify(message));
  }

  /** A pong (or any frame) from the client: it is alive. */
  alive(): void {
    this.lastSeen = this.gateway.now();
  }

  /** One text frame from the client. Resolves when it has been answered. */
  receive(text: string): Promise<void> {
    const now = this.gateway.now();
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
    const id =
      typeof raw === 'object' && raw !== null && isMessageId((raw as { id?: unknown }).id)
        ? (raw as { id: MessageId }).id
        : undefined;
    if (this.windowCount > this.gateway.maxPerSecond) {
      this.fail(
        id,
        'RATE_LIMITED',
        `More than ${this.gateway.maxPerSecond} messages a second; slow down`,
      );
      return Promise.resolve();
    }
    const type =
      typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
    if (type === 'ping') {
      if (!this.check(raw, id, validatePing)) return Promise.resolve();
      this.send({
        type: 'pong',
        ...(id !== undefined ? { id } : {}),
        serverNow: new Date(now).toISOString(),
      } satisfies GatewayServerMessage);
      return Promise.resolve();
    }
    const registered = this.gateway.resolve(this.principal, type);
    if (typeof registered === 'string') {
      this.fail(
        id,
        registered === 'unknown' ? 'VALIDATION_FAILED' : 'FORBIDDEN',
        registered === 'unknown'
          ? `type must be one of ${['ping', ...this.gateway.typesFor(this.principal)].join(', ')}`
          : `A ${this.principal.kind} cannot send ${String(type)}`,
      );
      return Promise.resolve();
    }
    if (!this.check(raw, id, registered.validate)) return Promise.resolve();
    const run = this.chain.then(() =>
      this.dispatch(raw as { type: string }, id, registered.handler).catch((err: unknown) =>
        this.failWith(id, err),
      ),
    );
    this.chain = run;
    return run;
  }

  private check(
    raw: unknown,
    id: MessageId | undefined,
    validate: Registered['validate'],
  ): boolean {
    const unstorable = findUnstorableText(raw, 'message');
    if (unstorable) {
      this.fail(
        id,
        'VALIDATION_FAILED',
        `${unstorable.replace(/^message\./, '')} ${UNSTORABLE_MESSAGE}`,
      );
      return false;
    }
    if (validate(raw)) return true;
    const e = validate.errors?.[0];
    const field = e?.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'message';
    const extra =
      e?.keyword === 'additionalProperties' ? ` (${String(e.params['additionalProperty'])})` : '';
    this.fail(id, 'VALIDATION_FAILED', `${field} ${e?.message ?? 'is invalid'}${extra}`);
    return false;
  }

  private async dispatch(
    message: { type: string },
    id: MessageId | undefined,
    handler: MessageHandler,
  ): Promise<void> {
    const reply = await handler.run(message, this as Peer);
    if (reply) this.send({ ...reply, ...(id !== undefined ? { id } : {}) });
  }

  private fail(id: MessageId | undefined, code: string, message: string): void {
    this.send({
      type: 'error',
      ...(id !== undefined ? { id } : {}),
      code,
      message,
    } satisfies GatewayServerMessage);
  }

  private failWith(id: MessageId | undefined, err: unknown): void {
    if (err instanceof AppError) return this.fail(id, err.code, err.message);
    this.gateway.logger.error(
      { err, principal: this.principal.kind, principalId: this.principal.id },
      'websocket message failed',
    );
    this.fail(id, 'INTERNAL', 'Something went wrong on our side; it has been logged');
  }
}

type PeerListener = (peer: Peer) => void;

export class SocketGateway {
  private readonly handlers = new Map<string, Registered>();
  private readonly peers = new Set<Peer>();
  private readonly connectListeners: PeerListener[] = [];
  private readonly disconnectListeners: PeerListener[] = [];
  private heartbeat: NodeJS.Timeout | undefined;
  readonly now: () => number;
  readonly maxPerSecond: number;
  private readonly heartbeatMs: number;
  private readonly silentMs: number;

  constructor(
    readonly logger: Pick<Logger, 'error'>,
    options: GatewayOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.maxPerSecond = options.maxPerSecond ?? WS_MAX_MESSAGES_PER_SECOND;
    this.heartbeatMs = options.heartbeatMs ?? 25_000;
    this.silentMs = options.silentMs ?? 60_000;
  }

  /** A feature's message type; each type has one owner. */
  handle<P extends SocketPrincipal, M extends { type: string }>(
    handler: MessageHandler<P, M>,
  ): void {
    if (handler.type === 'ping' || this.handlers.has(handler.type))
      throw new Error(`socket message type ${handler.type} has a handler already`);
    this.handlers.set(handler.type, {
      handler: handler as unknown as MessageHandler,
      validate: compileMessageValidator(handler.schema),
    });
  }

  /** Features that push (notices, rooms) learn of each socket, and of its end. */
  onConnect(listener: PeerListener): void {
    this.connectListeners.push(listener);
  }

  onDisconnect(listener: PeerListener): void {
    this.disconnectListeners.push(listener);
  }

  /** The registration for a message type, or why there is none for this principal. */
  resolve(principal: SocketPrincipal, type: unknown): Registered | 'unknown' | 'forbidden' {
    const registered = typeof type === 'string' ? this.handlers.get(type) : undefined;
    if (!registered) return 'unknown';
    return registered.handler.from.includes(principal.kind) ? registered : 'forbidden';
  }

  typesFor(principal: SocketPrincipal): string[] {
    return [...this.handlers.values()]
      .filter((r) => r.handler.from.includes(principal.kind))
      .map((r) => r.handler.type);
  }

  get size(): number {
    return this.peers.size;
  }

  connect<P extends SocketPrincipal>(socket: PeerSocket, principal: P): Peer<P> {
    const peer = new Peer(socket, principal, this);
    this.peers.add(peer);
    for (const listener of this.connectListeners) listener(peer);
    return peer;
  }

  disconnect(peer: Peer): void {
    if (peer.closed) return;
    peer.closed = true;
    this.peers.delete(peer);
    for (const listener of this.disconnectListeners) listener(peer);
  }

  /** A login was revoked (signed in elsewhere, reset, logout): its sockets are told and closed. */
  revoke(event: { userKind: string; userId: string; loginId: string; reason: string }): void {
    for (const peer of this.peers) {
      const p = peer.principal;
      if (p.kind !== event.userKind || p.id !== event.userId || p.loginId !== event.loginId)
        continue;
      const reason = event.reason === 'REPLACED' ? 'SESSION_REPLACED' : 'SIGNED_OUT';
      peer.send({ type: 'kicked', reason } satisfies GatewayServerMessage);
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
