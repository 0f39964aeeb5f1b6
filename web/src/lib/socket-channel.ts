import { newId } from './ids';
import type { NetworkStatus } from './network';

/**
 * One WebSocket that stays connected: it reconnects with backoff while the device is online,
 * matches replies to requests by `id`, hands every other message to the handlers registered
 * for its `type`, and pings to keep the connection (and a proxy's idle timer) alive and to
 * learn the server's clock. It knows nothing of what the messages mean, so the exam runner
 * and the live-quiz screens share it, each with its own message types.
 */

/** Every message has a `type`; those that expect a reply carry an `id`, echoed back. */
export interface ChannelMessage {
  type: string;
  id?: string | number;
}

/** The part of the browser's WebSocket the channel uses (tests hand it a fake class). */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketClass = new (url: string) => SocketLike;

export interface ChannelOptions {
  /** where to connect, with a fresh credential; null when signed out (then no retry) */
  url: () => Promise<string | null>;
  WebSocket: SocketClass;
  network: NetworkStatus;
  /** renews the credential: an upgrade refused before opening is often an expired token */
  refreshAuth: () => Promise<unknown>;
  pingEveryMs?: number;
  firstRetryMs?: number;
  maxRetryMs?: number;
}

export interface ChannelClose {
  code: number;
  /** the socket had opened (a refused upgrade has not) */
  wasOpen: boolean;
  /** closed from this side (drop, offline, stop), not by the server or the network */
  local: boolean;
}

export type ChannelFailure = 'not-open' | 'closed' | 'timeout';

/** Why a request got no reply. */
export class ChannelError extends Error {
  constructor(readonly reason: ChannelFailure) {
    super(`socket request failed: ${reason}`);
    this.name = 'ChannelError';
  }
}

interface Waiter<In> {
  resolve: (reply: In) => void;
  reject: (err: ChannelError) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** A round trip slower than this says little about the server's clock. */
const CLOCK_MAX_RTT_MS = 2_000;

/** The server's clock as a `pong` tells it (NaN for any other reply). */
function serverNowOf(reply: ChannelMessage): number {
  if (reply.type !== 'pong' || !('serverNow' in reply) || typeof reply.serverNow !== 'string')
    return NaN;
  return Date.parse(reply.serverNow);
}

export class SocketChannel<Out extends ChannelMessage, In extends ChannelMessage> {
  private socket: SocketLike | null = null;
  private open = false;
  private running = false;
  private connecting = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private retryMs: number;
  private unsubscribeNetwork: (() => void) | null = null;
  private readonly waiting = new Map<string, Waiter<In>>();
  private readonly pushHandlers = new Map<string, Set<(message: In) => void>>();
  private readonly openListeners = new Set<() => void>();
  private readonly closeListeners = new Set<(close: ChannelClose) => void>();
  private readonly clockListeners = new Set<(offsetMs: number) => void>();
  private readonly pingEveryMs: number;
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;

  constructor(private readonly options: ChannelOptions) {
    this.pingEveryMs = options.pingEveryMs ?? 20_000;
    this.firstRetryMs = options.firstRetryMs ?? 1_000;
    this.maxRetryMs = options.maxRetryMs ?? 15_000;
    this.retryMs = this.firstRetryMs;
  }

  get isOpen(): boolean {
    return this.open;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribeNetwork = this.options.network.subscribe((online) =>
      online ? this.reconnectNow() : this.wentOffline(),
    );
    void this.connect();
  }

  stop(): void {
    this.running = false;
    this.unsubscribeNetwork?.();
    this.unsubscribeNetwork = null;
    this.clearRetry();
    this.closeSocket(1000, 'bye');
  }

  /** Sends without waiting for a reply; false when the socket is not open. */
  send(message: Out): boolean {
    return this.transmit(message);
  }

  /**
   * Sends and resolves with the message that echoes its `id` (given one if it has none),
   * whatever its type: an `error` reply resolves too. Rejects when the socket is not open,
   * closes first, or no reply comes within timeoutMs.
   */
  request(message: Out, timeoutMs: number): Promise<In> {
    return this.call(message, timeoutMs);
  }

  /** Messages of this type that answer no request of ours. Returns the unsubscribe. */
  onPush<T extends In['type']>(
    type: T,
    handler: (message: Extract<In, { type: T }>) => void,
  ): () => void {
    const handlers = this.pushHandlers.get(type) ?? new Set<(message: In) => void>();
    this.pushHandlers.set(type, handlers);
    const wrapped = handler as (message: In) => void;
    handlers.add(wrapped);
    return () => handlers.delete(wrapped);
  }

  onOpen(listener: () => void): () => void {
    this.openListeners.add(listener);
    return () => this.openListeners.delete(listener);
  }

  /** Every time the socket goes away, whoever closed it. */
  onClose(listener: (close: ChannelClose) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** serverNow − clientNow, from each ping whose round trip was quick enough to tell. */
  onClock(listener: (offsetMs: number) => void): () => void {
    this.clockListeners.add(listener);
    return () => this.clockListeners.delete(listener);
  }

  /** Gives up on a socket that stopped answering, and connects again after the backoff. */
  drop(): void {
    this.closeSocket(1000, 'reconnecting');
    this.scheduleRetry();
  }

  /** Connects at once with the backoff reset (the network came back). */
  reconnectNow(): void {
    if (!this.running) return;
    this.retryMs = this.firstRetryMs;
    this.clearRetry();
    void this.connect();
  }

  /** The server refused our credential on an open socket: renew it, then connect again. */
  reauthenticate(): void {
    this.closeSocket(1000, 'reconnecting');
    void this.options.refreshAuth().then(() => this.scheduleRetry());
  }

  // ── connecting ──────────────────────────────────────────────────────────────────

  private async connect(): Promise<void> {
    if (!this.running || this.socket || this.connecting || !this.options.network.isOnline()) return;
    this.connecting = true;
    let url: string | null;
    try {
      url = await this.options.url();
    } finally {
      this.connecting = false;
    }
    if (!url || !this.running || this.socket) return;
    const socket = new this.options.WebSocket(url);
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      opened = true;
      this.open = true;
      this.retryMs = this.firstRetryMs;
      this.ping();
      for (const listener of [...this.openListeners]) listener();
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket || typeof event.data !== 'string') return;
      let message: In;
      try {
        message = JSON.parse(event.data) as In;
      } catch {
        return;
      }
      this.receive(message);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.forget({ code: event.code, wasOpen: opened, local: false });
      // a listener may have stopped the channel (signed in elsewhere): then stay down
      if (!this.running) return;
      if (!opened && this.options.network.isOnline()) void this.options.refreshAuth();
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (!this.running || this.retryTimer !== undefined || !this.options.network.isOnline()) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, this.maxRetryMs);
  }

  private clearRetry(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  private wentOffline(): void {
    // Browsers keep a dead socket "open" for a long time; drop it, the online event reconnects.
    this.closeSocket(1000, 'offline');
    this.clearRetry();
  }

  private closeSocket(code: number, reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    this.forget({ code, wasOpen: this.open, local: true });
    socket.close(code, reason);
  }

  private forget(close: ChannelClose): void {
    this.socket = null;
    this.open = false;
    clearTimeout(this.pingTimer);
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const waiter of waiting) {
      clearTimeout(waiter.timer);
      waiter.reject(new ChannelError('closed'));
    }
    for (const listener of [...this.closeListeners]) listener(close);
  }

  // ── messages ────────────────────────────────────────────────────────────────────

  private transmit(message: ChannelMessage): boolean {
    if (!this.open || !this.socket) return false;
    try {
      this.socket.send(JSON.stringify(message));
      return true;
    } catch {
      this.drop();
      return false;
    }
  }

  private call(message: ChannelMessage, timeoutMs: number): Promise<In> {
    const id = message.id === undefined ? newId() : String(message.id);
    return new Promise<In>((resolve, reject) => {
      if (!this.open) {
        reject(new ChannelError('not-open'));
        return;
      }
      const timer = setTimeout(() => {
        if (this.waiting.delete(id)) reject(new ChannelError('timeout'));
      }, timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      // a failed send drops the socket, which rejects the waiter as closed
      this.transmit({ ...message, id: message.id ?? id });
    });
  }

  private receive(message: In): void {
    // ids are ours (strings); the protocol also allows numbers
    const id = message.id === undefined ? undefined : String(message.id);
    const waiter = id === undefined ? undefined : this.waiting.get(id);
    if (id !== undefined && waiter) {
      this.waiting.delete(id);
      clearTimeout(waiter.timer);
      waiter.resolve(message);
      return;
    }
    for (const handler of [...(this.pushHandlers.get(message.type) ?? [])]) handler(message);
  }

  private ping(): void {
    clearTimeout(this.pingTimer);
    this.pingTimer = setTimeout(() => this.ping(), this.pingEveryMs);
    const sentAt = performance.now();
    this.call({ type: 'ping' }, this.pingEveryMs).then(
      (reply) => {
        const rtt = performance.now() - sentAt;
        const offset = serverNowOf(reply) - (Date.now() - rtt / 2);
        if (rtt >= CLOCK_MAX_RTT_MS || !Number.isFinite(offset)) return;
        for (const listener of [...this.clockListeners]) listener(offset);
      },
      // an unanswered ping is not an error: a dead socket shows in the requests that matter
      () => undefined,
    );
  }
}
