import { ApiError } from '../../../api/api-error';
import type { Answer, ClientMessage, ServerMessage } from '../../../api/types';
import { newId } from '../../../lib/ids';
import type { NetworkStatus } from '../../../lib/network';
import { ChannelError, type ChannelClose, type SocketChannel } from '../../../lib/socket-channel';
import { PendingStore, batchKey, type KeyValueStorage, type PendingSave } from './pending-store';

/**
 * Gets every answer the student gives to the server, whatever the network does.
 *
 * - Each change becomes a *pending* save (pending-store.ts), stored before anything is sent.
 * - Saves go over the socket (`save` → `saved`, matched by the echoed id). When the socket
 *   is down or an ack is late, the same saves go over HTTP (`PUT …/answers` with an
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

export type AnswerChannel = SocketChannel<ClientMessage, ServerMessage>;

export interface AnswerUpload {
  questionId: string;
  answer: Answer;
  clientTs?: string;
}

export interface SyncDeps {
  /** the socket, not yet started: the sync starts and stops it */
  channel: AnswerChannel;
  /** `PUT /sessions/:id/answers`; rejects with an ApiError (code NETWORK when unanswered) */
  saveAnswers: (answers: AnswerUpload[], idempotencyKey: string) => Promise<unknown>;
  storage: KeyValueStorage;
  network: NetworkStatus;
}

interface InFlight {
  key: string;
  via: 'ws' | 'http';
  msgId?: string;
}

const ACK_TIMEOUT_MS = 6_000;
/** how long a socket may be down before HTTP takes over */
const HTTP_TAKEOVER_MS = 1_500;
/** the server takes up to 500 answers per PUT; a long offline spell is sent in slices */
const MAX_BATCH = 200;
/** the socket close code of a session replaced by a sign-in elsewhere */
const CLOSE_KICKED = 4001;

export class AnswerSync {
  private readonly pending: PendingStore;
  private readonly inflight = new Map<string, InFlight>();
  private readonly channel: AnswerChannel;
  private socketDownSince = Date.now();
  private tickTimer: ReturnType<typeof setInterval> | undefined;
  private httpBusy = false;
  private httpRetryAt = 0;
  private httpBackoff = 1_000;
  private httpSingly = false;
  private networkDown = false;
  private lastSavedAt: number | null = null;
  private stopped = false;
  private unsubscribe: (() => void)[] = [];
  private readonly listeners = new Set<() => void>();
  private state: SyncState;

  constructor(
    private readonly sessionId: string,
    private readonly events: SyncEvents,
    private readonly deps: SyncDeps,
  ) {
    this.channel = deps.channel;
    this.pending = new PendingStore(sessionId, deps.storage);
    this.state = this.computeState();
  }

  // ── public API ────────────────────────────────────────────────────────────────────

  start(): void {
    this.stopped = false;
    const channel = this.channel;
    this.unsubscribe = [
      this.deps.network.subscribe((online) => (online ? this.handleOnline() : this.emit())),
      channel.onOpen(() => this.handleOpen()),
      channel.onClose((close) => this.handleClose(close)),
      channel.onClock((offset) => this.events.onClockOffset(offset)),
      channel.onPush('time', (m) => {
        if (m.sessionId === this.sessionId) this.events.onDeadline(m.endsAt, m.serverNow);
      }),
      channel.onPush('closed', (m) => {
        if (m.sessionId === this.sessionId)
          this.events.onSessionEnded(m.reason === 'TIME_UP' ? 'TIME_UP' : 'SUBMITTED');
      }),
      channel.onPush('kicked', () => this.kicked()),
      channel.onPush('error', (m) => this.handleSocketError(undefined, m.code, m.message)),
    ];
    this.tickTimer = setInterval(() => this.tick(), 1_000);
    channel.start();
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.unsubscribe = [];
    clearInterval(this.tickTimer);
    this.channel.stop();
  }

  /** Records an answer and sends it as soon as it can. */
  set(questionId: string, answer: Answer): void {
    this.pending.put(questionId, { answer, key: newId(), clientTs: new Date().toISOString() });
    this.emit();
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
      if (!this.httpBusy && !this.channel.isOpen) this.pump();
    }
    return this.pending.size === 0;
  }

  /** Forgets what the browser kept for this session (after submit). */
  discard(): void {
    this.pending.clear();
    this.emit();
  }

  // ── state ─────────────────────────────────────────────────────────────────────────

  private computeState(): SyncState {
    const socketOpen = this.channel.isOpen;
    const offline = !this.deps.network.isOnline() || (this.networkDown && !socketOpen);
    const pendingCount = this.pending.size;
    const mode: SyncMode = offline ? 'offline' : pendingCount > 0 ? 'saving' : 'saved';
    return { mode, pendingCount, lastSavedAt: this.lastSavedAt, socketOpen };
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

  private acknowledge(questionId: string, key: string): void {
    this.inflight.delete(questionId);
    this.pending.settle(questionId, key);
    this.lastSavedAt = Date.now();
    this.networkDown = false;
    this.emit();
  }

  private reject(questionId: string, message: string): void {
    this.pending.remove(questionId);
    this.inflight.delete(questionId);
    this.emit();
    this.events.onRejected(questionId, message);
  }

  private kicked(): void {
    this.stopped = true;
    this.channel.stop();
    this.events.onKicked();
  }

  // ── the pump ──────────────────────────────────────────────────────────────────────

  private handleOnline(): void {
    this.networkDown = false;
    this.httpRetryAt = 0;
    this.httpBackoff = 1_000;
    this.pump();
    this.emit();
  }

  private tick(): void {
    if (this.stopped) return;
    this.pump();
  }

  private pump(): void {
    if (this.stopped || this.pending.size === 0 || !this.deps.network.isOnline()) {
      this.emit();
      return;
    }
    const ready = this.pending.entries().filter(([qid]) => !this.inflight.has(qid));
    if (ready.length === 0) {
      this.emit();
      return;
    }
    if (this.channel.isOpen) {
      for (const [questionId, save] of ready) this.sendOverSocket(questionId, save);
    } else if (
      Date.now() - this.socketDownSince >= HTTP_TAKEOVER_MS &&
      !this.httpBusy &&
      Date.now() >= this.httpRetryAt
    ) {
      void this.sendHttp(this.httpSingly ? ready.slice(0, 1) : ready.slice(0, MAX_BATCH));
    }
    this.emit();
  }

  // ── over the socket ───────────────────────────────────────────────────────────────

  private sendOverSocket(questionId: string, save: PendingSave): void {
    const msgId = newId();
    this.inflight.set(questionId, { key: save.key, via: 'ws', msgId });
    const message: ClientMessage = {
      type: 'save',
      sessionId: this.sessionId,
      questionId,
      answer: save.answer,
      id: msgId,
      clientTs: save.clientTs,
      idempotencyKey: save.key,
    };
    this.channel.request(message, ACK_TIMEOUT_MS).then(
      (reply) => this.handleSaveReply(questionId, msgId, reply),
      (err: unknown) => this.handleSaveFailure(questionId, msgId, err),
    );
  }

  private isCurrent(questionId: string, msgId: string): boolean {
    return this.inflight.get(questionId)?.msgId === msgId;
  }

  private handleSaveReply(questionId: string, msgId: string, reply: ServerMessage): void {
    if (reply.type === 'error') {
      if (this.isCurrent(questionId, msgId)) this.inflight.delete(questionId);
      this.handleSocketError(questionId, reply.code, reply.message);
      return;
    }
    const flight = this.inflight.get(questionId);
    if (flight && flight.msgId === msgId) {
      // any reply but `saved` did not store it: it goes again
      if (reply.type === 'saved') this.acknowledge(questionId, flight.key);
      else this.inflight.delete(questionId);
    }
    this.pump();
  }

  private handleSaveFailure(questionId: string, msgId: string, err: unknown): void {
    // a closed socket already released its saves (handleClose)
    if (!this.isCurrent(questionId, msgId)) return;
    this.inflight.delete(questionId);
    // A late ack means a half-dead socket: reconnect and let HTTP carry the saves meanwhile.
    if (err instanceof ChannelError && err.reason === 'timeout') this.channel.drop();
    this.pump();
  }

  private handleOpen(): void {
    this.networkDown = false;
    this.pump();
    this.emit();
  }

  private handleClose(close: ChannelClose): void {
    if (close.wasOpen) this.socketDownSince = Date.now();
    for (const [qid, flight] of this.inflight) if (flight.via === 'ws') this.inflight.delete(qid);
    if (!close.local && close.code === CLOSE_KICKED) {
      this.kicked();
      return;
    }
    this.pump();
  }

  private handleSocketError(questionId: string | undefined, code: string, text: string): void {
    switch (code) {
      case 'TIME_UP':
        this.events.onSessionEnded('TIME_UP');
        return;
      case 'SESSION_CLOSED':
        this.events.onSessionEnded('SUBMITTED');
        return;
      case 'SESSION_REPLACED':
        this.kicked();
        return;
      case 'VALIDATION_FAILED':
      case 'NOT_FOUND':
        if (questionId) this.reject(questionId, text);
        return;
      case 'UNAUTHENTICATED':
        this.channel.reauthenticate();
        return;
      default:
        // RATE_LIMITED and the unexpected: the save stays pending and goes again shortly
        this.socketDownSince = Date.now();
    }
  }

  // ── over HTTP ─────────────────────────────────────────────────────────────────────

  private async sendHttp(batch: [string, PendingSave][]): Promise<void> {
    this.httpBusy = true;
    for (const [qid, save] of batch) this.inflight.set(qid, { key: save.key, via: 'http' });
    try {
      await this.deps.saveAnswers(
        batch.map(([questionId, save]) => ({
          questionId,
          answer: save.answer,
          clientTs: save.clientTs,
        })),
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
        this.kicked();
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
        this.httpRetryAt =
          Date.now() +
          (apiError?.retryAfterSeconds ? apiError.retryAfterSeconds * 1000 : this.httpBackoff);
        this.httpBackoff = Math.min(this.httpBackoff * 2, 15_000);
    }
  }
}
