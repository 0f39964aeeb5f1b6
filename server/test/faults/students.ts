import { randomUUID } from 'node:crypto';
import { fetch as fetchVia, type Dispatcher } from 'undici';
import WebSocket from 'ws';
import type { ServerMessage } from '../../../contracts/ws.js';
import type { Sql } from '../../src/platform/postgres.js';
import { createClass, createStaff, createStudent } from '../harness.js';

/**
 * Students and staff as real clients over HTTP and WebSocket, for multi-process tests.
 * A client behaves as the web app does: a save whose outcome is unknown (connection cut,
 * 503) is resent with the same idempotency key — to another process if its own is gone —
 * until it is acknowledged or refused. So every save ends acknowledged or refused, and the
 * test knows exactly which answer must be in PostgreSQL.
 */
export interface Question {
  id: string;
  correct: string;
  points: number;
}

export interface PublishedExam {
  examId: string;
  entryToken: string;
  questions: Question[];
  classId: string;
  staffToken: string;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`HTTP ${status} ${code}`);
  }
}

/**
 * One request; throws HttpError for non-2xx, lets network errors through. `via` sends it
 * over that connection (deployment.ts, connectionsToEachWorker) instead of fetch's pool.
 */
export async function call<T>(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
  via?: Dispatcher,
): Promise<T> {
  const init = {
    method,
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(20_000),
  };
  const res = via
    ? await fetchVia(`${base}${path}`, { ...init, dispatcher: via })
    : await fetch(`${base}${path}`, init);
  const text = await res.text();
  if (!res.ok)
    throw new HttpError(
      res.status,
      (JSON.parse(text || '{}') as { error?: { code?: string } }).error?.code ?? 'UNKNOWN',
    );
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A teacher builds single-choice questions and an exam for one class, and publishes it. */
export async function publishExam(
  base: string,
  sql: Sql,
  options: { questions?: number; durationMinutes?: number } = {},
): Promise<PublishedExam> {
  const teacher = await createStaff(sql, { role: 'Teacher' });
  const { accessToken } = await call<{ accessToken: string }>(
    base,
    'POST',
    '/api/v1/auth/login',
    undefined,
    { email: teacher.email, password: teacher.password },
  );
  const { id: classId } = await createClass(sql);
  const questions: Question[] = [];
  for (let i = 0; i < (options.questions ?? 6); i += 1) {
    const correct = 'ABCD'[i % 4]!;
    const points = 1 + (i % 3);
    const q = await call<{ id: string }>(base, 'POST', '/api/v1/admin/questions', accessToken, {
      kind: 'single',
      text: `<p>Question ${i + 1}</p>`,
      options: ['A', 'B', 'C', 'D'].map((id) => ({ id, text: `Option ${id}` })),
      correct: [correct],
      points,
    });
    questions.push({ id: q.id, correct, points });
  }
  const now = Date.now();
  const exam = await call<{ id: string }>(base, 'POST', '/api/v1/admin/exams', accessToken, {
    title: 'Fault drill',
    scheduledStart: new Date(now - 60_000).toISOString(),
    scheduledEnd: new Date(now + 3_600_000).toISOString(),
    durationMinutes: options.durationMinutes ?? 60,
    targets: [{ type: 'CLASS', value: classId }],
    questions: questions.map((q) => ({ questionId: q.id })),
  });
  await call(base, 'POST', `/api/v1/admin/exams/${exam.id}/publish`, accessToken);
  const { entryToken } = await call<{ entryToken: string }>(
    base,
    'GET',
    `/api/v1/admin/exams/${exam.id}`,
    accessToken,
  );
  return { examId: exam.id, entryToken, questions, classId, staffToken: accessToken };
}

const isOutcomeUnknown = (err: unknown) =>
  !(err instanceof HttpError) || err.status === 503 || err.status === 502;

export class Student {
  token = '';
  sessionId = '';
  /** questionId → the last answer the server acknowledged */
  readonly acked = new Map<string, string>();
  socket: Socket | undefined;
  /** every save tried once (trySave), in order, with what became of it */
  readonly tried: {
    questionId: string;
    answer: string;
    outcome: 'acked' | 'refused' | 'unknown';
  }[] = [];
  private turn = 0;

  private constructor(
    readonly nisn: string,
    readonly password: string,
    /** the servers this student may reach; it moves on when one stops answering */
    readonly bases: string[],
    /** the connection its HTTP requests to the first server take (a worker of its own) */
    private readonly via: Dispatcher | undefined,
  ) {}

  static async enrol(
    sql: Sql,
    exam: PublishedExam,
    bases: string[],
    via?: Dispatcher,
  ): Promise<Student> {
    const s = await createStudent(sql, { classId: exam.classId });
    return new Student(s.nisn, s.password, bases, via);
  }

  /** One HTTP request of this student's (its own connection to the first server, if it has one). */
  private http<T>(
    base: string,
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    return call<T>(
      base,
      method,
      path,
      token,
      body,
      headers,
      base === this.bases[0] ? this.via : undefined,
    );
  }

  get base(): string {
    return this.bases[this.turn % this.bases.length]!;
  }

  /** Retries an idempotent request on the next server while the outcome is unknown. */
  async retrying<T>(attempt: (base: string) => Promise<T>, timeoutMs = 45_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return await attempt(this.base);
      } catch (err) {
        if (!isOutcomeUnknown(err) || Date.now() > deadline) throw err;
        this.turn += 1;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async login(): Promise<void> {
    const r = await this.retrying((b) =>
      this.http<{ accessToken: string }>(b, 'POST', '/api/v1/auth/login', undefined, {
        nisn: this.nisn,
        password: this.password,
      }),
    );
    this.token = r.accessToken;
  }

  async start(exam: PublishedExam): Promise<void> {
    const view = await this.retrying((b) =>
      this.http<{ sessionId: string }>(
        b,
        'POST',
        `/api/v1/exams/${exam.examId}/sessions`,
        this.token,
        { entryToken: exam.entryToken },
      ),
    );
    this.sessionId = view.sessionId;
  }

  /** PUT one answer; resolves acknowledged, rejects with HttpError when refused. */
  async saveHttp(questionId: string, answer: string): Promise<void> {
    const key = randomUUID();
    await this.retrying((b) =>
      this.http(
        b,
        'PUT',
        `/api/v1/sessions/${this.sessionId}/answers`,
        this.token,
        { questionId, answer },
        { 'idempotency-key': key },
      ),
    );
    this.acked.set(questionId, answer);
  }

  async openSocket(): Promise<Socket> {
    this.socket = await this.retrying((b) => Socket.open(b, this.token));
    return this.socket;
  }

  /** Save over the socket; a cut socket is reopened (elsewhere if need be) and the save resent. */
  async saveWs(questionId: string, answer: string): Promise<void> {
    const idempotencyKey = randomUUID();
    await this.retrying(async () => {
      if (!this.socket || this.socket.isClosed) await this.openSocket();
      const reply = await this.socket!.request({
        type: 'save',
        sessionId: this.sessionId,
        questionId,
        answer,
        idempotencyKey,
      });
      if (reply.type === 'error')
        throw new HttpError(reply.code === 'UNAVAILABLE' ? 503 : 409, reply.code);
    });
    this.acked.set(questionId, answer);
  }

  /**
   * One save, no retry (for tests that take servers away): 'unknown' when the connection
   * broke or the server was closing — it may or may not have landed.
   */
  async trySave(
    transport: 'http' | 'ws',
    questionId: string,
    answer: string,
  ): Promise<'acked' | 'refused' | 'unknown'> {
    let outcome: 'acked' | 'refused' | 'unknown';
    try {
      if (transport === 'http') {
        await this.http(
          this.base,
          'PUT',
          `/api/v1/sessions/${this.sessionId}/answers`,
          this.token,
          { questionId, answer },
        );
      } else {
        if (!this.socket || this.socket.isClosed) throw new Error('socket closed');
        const reply = await this.socket.request({
          type: 'save',
          sessionId: this.sessionId,
          questionId,
          answer,
        });
        if (reply.type === 'error')
          throw new HttpError(reply.code === 'UNAVAILABLE' ? 503 : 409, reply.code);
      }
      outcome = 'acked';
      this.acked.set(questionId, answer);
    } catch (err) {
      outcome = isOutcomeUnknown(err) ? 'unknown' : 'refused';
    }
    this.tried.push({ questionId, answer, outcome });
    return outcome;
  }

  /**
   * Problems with PostgreSQL's answers against what this student was told: per question
   * the last acknowledged answer, or one sent after it whose outcome is unknown.
   */
  durableMismatches(durable: Map<string, string>): string[] {
    const problems: string[] = [];
    const questions = new Set([...this.tried.map((t) => t.questionId), ...durable.keys()]);
    for (const qid of questions) {
      const tries = this.tried.filter((t) => t.questionId === qid);
      const lastAcked = tries.map((t) => t.outcome).lastIndexOf('acked');
      const allowed = new Set<string | undefined>(
        lastAcked < 0 ? [undefined] : [tries[lastAcked]!.answer],
      );
      for (const t of tries.slice(lastAcked + 1))
        if (t.outcome === 'unknown') allowed.add(t.answer);
      if (!allowed.has(durable.get(qid)))
        problems.push(`${qid}: stored ${durable.get(qid)}, allowed ${[...allowed].join('/')}`);
    }
    return problems;
  }

  async submitHttp(): Promise<SubmitView> {
    const key = randomUUID();
    return this.retrying((b) =>
      this.http<SubmitView>(
        b,
        'POST',
        `/api/v1/sessions/${this.sessionId}/submit`,
        this.token,
        undefined,
        { 'idempotency-key': key },
      ),
    );
  }

  async submitWs(): Promise<SubmitView> {
    return this.retrying(async () => {
      if (!this.socket || this.socket.isClosed) await this.openSocket();
      const reply = await this.socket!.request({ type: 'submit', sessionId: this.sessionId });
      if (reply.type === 'error')
        throw new HttpError(reply.code === 'UNAVAILABLE' ? 503 : 409, reply.code);
      return reply as unknown as SubmitView;
    });
  }

  /** What the score must be: the points of every question whose last acked answer is right. */
  expectedScore(questions: Question[]): number {
    return questions.reduce(
      (sum, q) => sum + (this.acked.get(q.id) === q.correct ? q.points : 0),
      0,
    );
  }
}

export interface SubmitView {
  sessionId: string;
  status: string;
  submittedAt: string;
  score: number;
  maxScore: number;
}

/** A student's WebSocket: replies matched by id, pushed messages kept in order. */
export class Socket {
  readonly pushed: ServerMessage[] = [];
  closeCode: number | undefined;
  private readonly waiting = new Map<
    string,
    { resolve: (m: ServerMessage) => void; reject: (e: Error) => void }
  >();
  private next = 0;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as ServerMessage;
      const id = 'id' in m && m.id !== undefined ? String(m.id) : undefined;
      const waiter = id === undefined ? undefined : this.waiting.get(id);
      if (!waiter) {
        this.pushed.push(m);
        return;
      }
      this.waiting.delete(id!);
      waiter.resolve(m);
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const w of this.waiting.values()) w.reject(new Error(`socket closed (${code})`));
      this.waiting.clear();
    });
  }

  static open(base: string, token: string): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(
        `${base.replace(/^http/, 'ws')}/api/v1/ws?token=${encodeURIComponent(token)}`,
      );
      const socket = new Socket(ws);
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
    });
  }

  get isClosed(): boolean {
    return this.closeCode !== undefined || this.ws.readyState !== WebSocket.OPEN;
  }

  request(message: Record<string, unknown>, timeoutMs = 20_000): Promise<ServerMessage> {
    const id = String((this.next += 1));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error('no reply'));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.ws.send(JSON.stringify({ ...message, id }));
    });
  }

  /** Resolves once a pushed message matches (or rejects after a while). */
  async pushedMatching(
    match: (m: ServerMessage) => boolean,
    timeoutMs = 10_000,
  ): Promise<ServerMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.pushed.find(match);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no pushed message matched; got ${JSON.stringify(this.pushed)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  close(): void {
    this.ws.close();
  }
}

/** What PostgreSQL holds for a session: its answers and its one result. */
export async function durableSession(sql: Sql, sessionId: string) {
  const [session] = await sql<
    {
      status: string;
      score: string | null;
      result: { score: number; submittedAt: number } | null;
    }[]
  >`
    SELECT status, score, result FROM exam_sessions WHERE id = ${sessionId}`;
  const rows = await sql<{ questionId: string; answer: string }[]>`
    SELECT question_id AS "questionId", answer FROM session_answers WHERE session_id = ${sessionId}`;
  return { session, answers: new Map(rows.map((r) => [r.questionId, r.answer])) };
}
