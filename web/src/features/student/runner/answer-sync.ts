import { freshAccessToken, ApiError, newId, refreshTokens } from '../../../api/http';
import { studentApi } from '../../../api/student';
import type { Answer, ClientMessage, ServerMessage } from '../../../api/types';

/**
 * Gets every answer the student gives to the server, whatever the network does.
 *
 * - Each change becomes a *pending* save, written to localStorage before anything is sent,
 *   so a crash, a reload or a dead battery loses nothing the student typed.
 * - Saves go over the WebSocket (`save` → `saved`, matched by the echoed id). When the
 *   socket is down or an ack is late, the same saves go over HTTP (`PUT …/answers` with an
 *   Idempotency-Key). A save leaves the pending set only when the server acknowledged
 *   exactly that version of the answer.
 * - At most one save per question is in flight, so an older answer can never overtake a
 *   newer one on its way to the server (the server keeps the last write).
 */

export type SyncMode = 'saved' | 'saving' | 'offline';

export interface SyncState {
  mode: SyncMode;
  pendingCount: number;
  lastSavedAt: number | null;
  socketOpen: boolean;
}

export interface SyncEvents {
  /** the server clock: serverNowMs - clientNowMs */
  onClockOffset(offsetMs: number): void;
  /** staff extended this session */
  onDeadline(endsAt: string, serverNow: string): void;
  /** the student signed in on another device */
  onKicked(): void;
  /** the session ended on the server (submitted elsewhere, swept, or past its deadline) */
  onSessionEnded(reason: 'TIME_UP' | 'SUBMITTED'): void;
  /** the server refused one answer for good (e.g. an option that does not exist) */
  onRejected(questionId: string, message: string): void;
}

interface PendingSave {
  answer: Answer;
  /** identifies this version of the answer */
  key: string;
  clientTs: string;
}

interface InFlight {
  key: string;
  via: 'ws' | 'http';
  sentAt: number;
  msgId?: string;
}

const ACK_TIMEOUT_MS = 6_000;
/** how long a socket may be down before HTTP takes over */
const HTTP_TAKEOVER_MS = 1_500;
const PING_EVERY_MS = 20_000;
/** the server takes up to 500 answers per PUT; a long offline spell is sent in slices */
const MAX_BATCH = 200;

/** The same batch retried gets the same Idempotency-Key (a 106-bit digest of its versions). */
function batchKey(keys: string[]): string {
  if (keys.length === 1) return keys[0]!;
  const text = keys.join(':');
  const hash = (seed: number): string => {
    let h1 = 0xdeadbeef ^ seed;
    let h2 = 0x41c6ce57 ^ seed;
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      h1 = Math.imul(h1 ^ ch, 2654435761);
      h2 = Math.imul(h2 ^ ch, 1597334677);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
    return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
  };
  return `batch-${hash(1)}${hash(2)}`;
}

export function pendingStorageKey(sessionId: string): string {
  return `examhall.pending.${sessionId}`;
}

/** Unsent answers of a session, as kept in the browser (for resume before the sync starts). */
export function readPending(sessionId: string): Record<string, Answer> {
  try {
    const raw = localStorage.getItem(pendingStorageKey(sessionId));
    if (!raw) return {};
    const stored = JSON.parse(raw) as Record<string, PendingSave>;
    return Object.fromEntries(Object.entries(stored).map(([qid, p]) => [qid, p.answer]));
  } catch {
    return {};
  }
}

export class AnswerSync {
  private readonly pending = new Map<string, PendingSave>();
  private readonly inflight = new Map<string, InFlight>();
  private readonly byMsgId = new Map<string, string>();
  private readonly pings = new Map<string, number>();
  private ws: WebSocket | null = null;
  private socketOpen = false;
  private socketDownSince = Date.now();
  private reconnectTimer: number | undefined;
  private reconnectDelay = 1_000;
  private tickTimer: number | undefined;
  private lastPingAt = 0;
  private httpBusy = false;
  private httpRetryAt = 0;
  private httpBackoff = 1_000;
  private httpSingly = false;
  private networkDown = false;
  private lastSavedAt: number | null = null;
  private stopped = false;
  private readonly listeners = new Set<() => void>();
  private state: SyncState;

  constructor(
    private readonly sessionId: string,
    private readonly events: SyncEvents,
  ) {
    this.load();
    this.state = this.computeState();
  }

  // ── public API ────────────────────────────────────────────────────────────────────

  start(): void {
    this.stopped = false;
    window.addEventListener('online', this.handleOnline);
    window.addEventListener('offline', this.handleOffline);
    this.tickTimer = window.setInterval(() => this.tick(), 1_000);
    void this.connect();
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.handleOnline);
    window.removeEventListener('offline', this.handleOffline);
    window.clearInterval(this.tickTimer);
    window.clearTimeout(this.reconnectTimer);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'bye');
  }

  /** Records an answer and sends it as soon as it can. */
  set(questionId: string, answer: Answer): void {
    this.pending.set(questionId, { answer, key: newId(), clientTs: new Date().toISOString() });
    this.persist();
    this.pump();
  }

  readonly getState = (): SyncState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** Resolves true once nothing is pending (or false after timeoutMs). */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    // Submit is about to happen: do not wait for a slow socket, let HTTP carry the rest.
    this.socketDownSince = Math.min(this.socketDownSince, Date.now() - HTTP_TAKEOVER_MS);
    this.httpRetryAt = 0;
    this.pump();
    while (this.pending.size > 0 && Date.now() < deadline && !this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      if (!this.httpBusy && !this.socketOpen) this.pump();
    }
    return this.pending.size === 0;
  }

  /** Forgets what the browser kept for this session (after submit). */
  discard(): void {
    this.pending.clear();
    localStorage.removeItem(pendingStorageKey(this.sessionId));
    this.emit();
  }

  // ── storage ───────────────────────────────────────────────────────────────────────

  private load(): void {
    try {
      const raw = localStorage.getItem(pendingStorageKey(this.sessionId));
      if (!raw) return;
      for (const [qid, save] of Object.entries(JSON.parse(raw) as Record<string, PendingSave>)) this.pending.set(qid, save);
    } catch {
      localStorage.removeItem(pendingStorageKey(this.sessionId));
    }
  }

  private persist(): void {
    const key = pendingStorageKey(this.sessionId);
    if (this.pending.size === 0) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(Object.fromEntries(this.pending)));
    this.emit();
  }

  private acknowledge(questionId: string, key: string): void {
    this.inflight.delete(questionId);
    if (this.pending.get(questionId)?.key === key) {
      this.pending.delete(questionId);
      this.persist();
    }
    this.lastSavedAt = Date.now();
    this.networkDown = false;
    this.emit();
  }

  // ── state ─────────────────────────────────────────────────────────────────────────

  private computeState(): SyncState {
    const offline = !navigator.onLine || (this.networkDown && !this.socketOpen);
    const pendingCount = this.pending.size;
    const mode: SyncMode = offline ? 'offline' : pendingCount > 0 ? 'saving' : 'saved';
    return { mode, pendingCount, lastSavedAt: this.lastSavedAt, socketOpen: this.socketOpen };
  }

  private emit(): void {
    const next = this.computeState();
    const prev = this.state;
    if (
      prev.mode === next.mode &&
      prev.pendingCount === next.pendingCount &&
      prev.lastSavedAt === next.lastSavedAt &&
      prev.socketOpen === next.socketOpen
    ) {
      return;
    }
    this.state = next;
    for (const listener of this.listeners) listener();
  }

  // ── the pump ──────────────────────────────────────────────────────────────────────

  private readonly handleOnline = (): void => {
    this.networkDown = false;
    this.httpRetryAt = 0;
    this.httpBackoff = 1_000;
    this.reconnectDelay = 1_000;
    window.clearTimeout(this.reconnectTimer);
    void this.connect();
    this.pump();
    this.emit();
  };

  private readonly handleOffline = (): void => {
    // Browsers keep a dead socket "open" for a long time; drop it and keep answers local.
    this.dropSocket();
    this.emit();
  };

  private tick(): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const [qid, flight] of this.inflight) {
      if (flight.via === 'ws' && now - flight.sentAt > ACK_TIMEOUT_MS) {
        // A late ack means a half-dead socket: reconnect and let HTTP carry the saves meanwhile.
        this.inflight.delete(qid);
        this.dropSocket();
        this.scheduleReconnect();
      }
    }
    if (this.socketOpen && now - this.lastPingAt > PING_EVERY_MS) this.ping();
    this.pump();
  }

  private pump(): void {
    if (this.stopped || this.pending.size === 0) {
      this.emit();
      return;
    }
    if (!navigator.onLine) {
      this.emit();
      return;
    }
    const ready = [...this.pending].filter(([qid]) => !this.inflight.has(qid));
    if (ready.length === 0) {
      this.emit();
      return;
    }
    if (this.socketOpen && this.ws) {
      for (const [questionId, save] of ready) {
        const msgId = newId();
        this.inflight.set(questionId, { key: save.key, via: 'ws', sentAt: Date.now(), msgId });
        this.byMsgId.set(msgId, questionId);
        this.send({
          type: 'save',
          sessionId: this.sessionId,
          questionId,
          answer: save.answer,
          id: msgId,
          clientTs: save.clientTs,
          idempotencyKey: save.key,
        });
      }
    } else if (Date.now() - this.socketDownSince >= HTTP_TAKEOVER_MS && !this.httpBusy && Date.now() >= this.httpRetryAt) {
      void this.sendHttp(this.httpSingly ? ready.slice(0, 1) : ready.slice(0, MAX_BATCH));
    }
    this.emit();
  }

  private async sendHttp(batch: [string, PendingSave][]): Promise<void> {
    this.httpBusy = true;
    for (const [qid, save] of batch) this.inflight.set(qid, { key: save.key, via: 'http', sentAt: Date.now() });
    try {
      await studentApi.saveAnswers(
        this.sessionId,
        batch.map(([questionId, save]) => ({ questionId, answer: save.answer, clientTs: save.clientTs })),
        batchKey(batch.map(([, save]) => save.key)),
      );
      this.httpBackoff = 1_000;
      this.httpSingly = false;
      for (const [qid, save] of batch) this.acknowledge(qid, save.key);
    } catch (err) {
      for (const [qid] of batch) this.inflight.delete(qid);
      this.handleHttpError(err, batch);
    } finally {
      this.httpBusy = false;
      this.emit();
    }
    if (!this.stopped && this.pending.size > 0) this.pump();
  }

  private handleHttpError(err: unknown, batch: [string, PendingSave][]): void {
    const apiError = err instanceof ApiError ? err : null;
    const code = apiError?.code ?? 'NETWORK';
    switch (code) {
      case 'TIME_UP':
        this.events.onSessionEnded('TIME_UP');
        return;
      case 'SESSION_CLOSED':
        this.events.onSessionEnded('SUBMITTED');
        return;
      case 'SESSION_REPLACED':
        this.stopped = true;
        this.events.onKicked();
        return;
      case 'VALIDATION_FAILED':
      case 'NOT_FOUND':
        if (batch.length > 1) {
          // find the one answer the server refuses by sending them one at a time
          this.httpSingly = true;
          return;
        }
        for (const [qid] of batch) this.reject(qid, apiError?.message ?? code);
        return;
      default:
        this.networkDown = code === 'NETWORK';
        this.httpRetryAt = Date.now() + (apiError?.retryAfterSeconds ? apiError.retryAfterSeconds * 1000 : this.httpBackoff);
        this.httpBackoff = Math.min(this.httpBackoff * 2, 15_000);
    }
  }

  private reject(questionId: string, message: string): void {
    this.pending.delete(questionId);
    this.inflight.delete(questionId);
    this.persist();
    this.events.onRejected(questionId, message);
  }

  // ── the socket ────────────────────────────────────────────────────────────────────

  private async connect(): Promise<void> {
    if (this.stopped || this.ws || !navigator.onLine) return;
    const token = await freshAccessToken();
    if (!token || this.stopped || this.ws) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/v1/ws?token=${encodeURIComponent(token)}`);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      opened = true;
      this.socketOpen = true;
      this.networkDown = false;
      this.reconnectDelay = 1_000;
      this.ping();
      this.pump();
      this.emit();
    };
    ws.onmessage = (event) => {
      if (this.ws !== ws || typeof event.data !== 'string') return;
      let message: ServerMessage;
      try {
        message = JSON.parse(event.data) as ServerMessage;
      } catch {
        return;
      }
      this.handleMessage(message);
    };
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.forgetSocket();
      if (event.code === 4001) {
        this.stopped = true;
        this.events.onKicked();
        return;
      }
      // An upgrade refused before opening is often an expired token: refresh before retrying.
      if (!opened && navigator.onLine) void refreshTokens();
      this.scheduleReconnect();
      this.pump();
    };
  }

  private send(message: ClientMessage): void {
    try {
      this.ws?.send(JSON.stringify(message));
    } catch {
      this.dropSocket();
    }
  }

  private ping(): void {
    const id = newId();
    this.lastPingAt = Date.now();
    this.pings.set(id, performance.now());
    this.send({ type: 'ping', id });
  }

  private forgetSocket(): void {
    this.ws = null;
    if (this.socketOpen) this.socketDownSince = Date.now();
    this.socketOpen = false;
    for (const [qid, flight] of this.inflight) if (flight.via === 'ws') this.inflight.delete(qid);
    this.byMsgId.clear();
    this.pings.clear();
    this.emit();
  }

  private dropSocket(): void {
    const ws = this.ws;
    this.forgetSocket();
    if (ws) {
      ws.onclose = null;
      ws.onmessage = null;
      ws.close(1000, 'reconnecting');
    }
  }

  private scheduleReconnect(): void {
    if (this.stopped || !navigator.onLine) return;
    window.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = window.setTimeout(() => void this.connect(), this.reconnectDelay);
    this.reconnectDelay = Math.min(this.reconnectDelay * 2, 15_000);
  }

  private handleMessage(message: ServerMessage): void {
    // ids are ours (strings); the protocol also allows numbers
    const id = 'id' in message && message.id !== undefined ? String(message.id) : undefined;
    switch (message.type) {
      case 'saved': {
        const qid = id === undefined ? undefined : this.byMsgId.get(id);
        if (!qid || id === undefined) return;
        this.byMsgId.delete(id);
        const flight = this.inflight.get(qid);
        if (flight && flight.msgId === id) this.acknowledge(qid, flight.key);
        this.pump();
        return;
      }
      case 'pong': {
        if (id === undefined) return;
        const sentAt = this.pings.get(id);
        this.pings.delete(id);
        if (sentAt === undefined) return;
        const rtt = performance.now() - sentAt;
        // a slow round trip says little about the clock
        if (rtt < 2_000) this.events.onClockOffset(Date.parse(message.serverNow) - (Date.now() - rtt / 2));
        return;
      }
      case 'time':
        if (message.sessionId === this.sessionId) this.events.onDeadline(message.endsAt, message.serverNow);
        return;
      case 'closed':
        if (message.sessionId === this.sessionId) this.events.onSessionEnded(message.reason === 'TIME_UP' ? 'TIME_UP' : 'SUBMITTED');
        return;
      case 'kicked':
        this.stopped = true;
        this.dropSocket();
        this.events.onKicked();
        return;
      case 'error':
        this.handleSocketError(id, message.code, message.message);
        return;
      default:
    }
  }

  private handleSocketError(id: string | undefined, code: string, text: string): void {
    const qid = id ? this.byMsgId.get(id) : undefined;
    if (id) this.byMsgId.delete(id);
    if (qid) this.inflight.delete(qid);
    switch (code) {
      case 'TIME_UP':
        this.events.onSessionEnded('TIME_UP');
        return;
      case 'SESSION_CLOSED':
        this.events.onSessionEnded('SUBMITTED');
        return;
      case 'SESSION_REPLACED':
        this.stopped = true;
        this.dropSocket();
        this.events.onKicked();
        return;
      case 'VALIDATION_FAILED':
      case 'NOT_FOUND':
        if (qid) this.reject(qid, text);
        return;
      case 'UNAUTHENTICATED':
        this.dropSocket();
        void refreshTokens().then(() => this.scheduleReconnect());
        return;
      default:
        // RATE_LIMITED and the unexpected: the save stays pending and goes again shortly
        this.socketDownSince = Date.now();
    }
  }
}
