import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { ResultBody, WsServerMessage } from './contract.js';
import type { Answer, KeyedQuestion } from './grading.js';
import type { StudentLogin } from './provision.js';
import type { PhaseRecorder } from './stats.js';

/** What the runner knows about each save it sent, indexed by the student's save number. */
export const SaveState = { UNSENT: 0, IN_FLIGHT: 1, ACKED: 2, REFUSED: 3 } as const;

export type SubmitState = 'none' | 'ok' | 'refused' | 'unknown';

/** One simulated student: credentials, tokens, session, socket and what the server acknowledged. */
export interface Student {
  login: StudentLogin;
  accessToken: string | undefined;
  refreshToken: string | undefined;
  sessionId: string | undefined;
  /** the exam's questions in this session's (shuffled) order */
  questionOrder: KeyedQuestion[];
  socket: StudentSocket | undefined;
  /** SaveState per save number; a save left IN_FLIGHT at the end is "maybe applied" */
  saves: Uint8Array;
  savesSent: number;
  submitState: SubmitState;
  result: ResultBody | undefined;
}

export function newStudent(login: StudentLogin): Student {
  return {
    login,
    accessToken: undefined,
    refreshToken: undefined,
    sessionId: undefined,
    questionOrder: [],
    socket: undefined,
    saves: new Uint8Array(0),
    savesSent: 0,
    submitState: 'none',
    result: undefined,
  };
}

const enum PendingKind {
  Save,
  Submit,
  Ping,
}

interface Pending {
  kind: PendingKind;
  scheduledAt: number;
  seq: number;
  recorder: PhaseRecorder;
}

/**
 * One WebSocket per student (API.md `GET /api/v1/ws?token=`). Messages carry an `id`; the
 * reply echoes it, which is how each acknowledgement is matched to its scheduled send time.
 * Kept lean on purpose: a string prefix per socket instead of building an object per save.
 */
export class StudentSocket {
  private ws: WebSocket | undefined;
  private readonly pending = new Map<string, Pending>();
  private nextId = 0;
  private savePrefix = '';
  closeCode: number | undefined;
  kicked = false;
  serverClosedSession = false;

  constructor(private readonly student: Student | undefined) {}

  get open(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  /** Resolves when open; rejects with a short code (HTTP status of a refused upgrade, or the socket error). */
  connect(url: string, localAddress: string | undefined, timeoutMs: number): Promise<void> {
    if (this.student?.sessionId) {
      this.savePrefix = `{"type":"save","sessionId":${JSON.stringify(this.student.sessionId)},"questionId":`;
    }
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        // Off: compression costs the generator and the server CPU for ~100-byte frames.
        perMessageDeflate: false,
        skipUTF8Validation: true,
        handshakeTimeout: timeoutMs,
        ...(localAddress ? { localAddress } : {}),
      });
      this.ws = ws;
      let settled = false;
      ws.once('open', () => {
        settled = true;
        resolve();
      });
      ws.once('unexpected-response', (_req, res) => {
        settled = true;
        reject(new Error(`HTTP_${res.statusCode ?? 0}`));
        ws.terminate();
      });
      ws.once('error', (err: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        reject(new Error(err.code ?? 'WS_ERROR'));
      });
      ws.on('message', (data: Buffer) => this.onMessage(data));
      ws.once('close', (code) => {
        this.closeCode = code;
        this.failAllPending('SOCKET_CLOSED');
      });
    });
  }

  /** Sends the student's `seq`-th save; false (and a recorded failure) when the socket is gone. */
  save(
    question: KeyedQuestion,
    answer: Answer,
    seq: number,
    scheduledAt: number,
    recorder: PhaseRecorder,
  ): void {
    const now = performance.now();
    recorder.sent(scheduledAt, now);
    if (!this.open || !this.ws) {
      recorder.failed(this.kicked ? 'KICKED' : 'SOCKET_CLOSED', now);
      if (this.student) this.student.saves[seq] = SaveState.REFUSED;
      return;
    }
    const id = String(this.nextId++);
    this.pending.set(id, { kind: PendingKind.Save, scheduledAt, seq, recorder });
    if (this.student) this.student.saves[seq] = SaveState.IN_FLIGHT;
    this.ws.send(
      `${this.savePrefix}${JSON.stringify(question.id)},"answer":${JSON.stringify(answer)},"id":"${id}"}`,
    );
  }

  submit(sessionId: string, scheduledAt: number, recorder: PhaseRecorder): void {
    this.sendTracked(PendingKind.Submit, { type: 'submit', sessionId }, scheduledAt, recorder);
  }

  ping(scheduledAt: number, recorder: PhaseRecorder): void {
    this.sendTracked(PendingKind.Ping, { type: 'ping' }, scheduledAt, recorder);
  }

  private sendTracked(
    kind: PendingKind,
    message: Record<string, string>,
    scheduledAt: number,
    recorder: PhaseRecorder,
  ): void {
    const now = performance.now();
    recorder.sent(scheduledAt, now);
    if (!this.open || !this.ws) {
      recorder.failed(this.kicked ? 'KICKED' : 'SOCKET_CLOSED', now);
      if (kind === PendingKind.Submit && this.student) this.student.submitState = 'refused';
      return;
    }
    const id = String(this.nextId++);
    this.pending.set(id, { kind, scheduledAt, seq: -1, recorder });
    this.ws.send(JSON.stringify({ ...message, id }));
  }

  /** At the end of a drain: whatever is still unanswered is counted, and stays "maybe applied". */
  failAllPending(code: string): void {
    const now = performance.now();
    for (const p of this.pending.values()) {
      p.recorder.failed(code, now);
      if (p.kind === PendingKind.Submit && this.student) this.student.submitState = 'unknown';
    }
    this.pending.clear();
  }

  close(): void {
    this.ws?.close(1000);
  }

  terminate(): void {
    this.ws?.terminate();
  }

  private onMessage(data: Buffer): void {
    const now = performance.now();
    let message: WsServerMessage;
    try {
      message = JSON.parse(data.toString()) as WsServerMessage;
    } catch {
      return;
    }
    switch (message.type) {
      case 'kicked':
        this.kicked = true;
        return;
      case 'closed':
        this.serverClosedSession = true;
        return;
      case 'time':
        return;
    }
    if (message.id === undefined || message.id === null) return;
    const id = String(message.id);
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (message.type === 'error') {
      p.recorder.failed(message.code, now);
      if (!this.student) return;
      if (p.kind === PendingKind.Save) this.student.saves[p.seq] = SaveState.REFUSED;
      if (p.kind === PendingKind.Submit) this.student.submitState = 'refused';
      return;
    }
    p.recorder.succeeded(p.scheduledAt, now);
    if (!this.student) return;
    if (p.kind === PendingKind.Save && message.type === 'saved')
      this.student.saves[p.seq] = SaveState.ACKED;
    if (p.kind === PendingKind.Submit && message.type === 'result') {
      this.student.submitState = 'ok';
      this.student.result = message;
    }
  }
}
