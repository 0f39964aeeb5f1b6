import { performance } from 'node:perf_hooks';
import { submittedAt } from './leaderboard.js';
import type { ResultBody, SessionView, TokenPair } from './contract.js';
import { answerFor, type KeyedQuestion } from './grading.js';
import { TransportError, type ApiClient } from './http.js';
import type { ExamUnderTest } from './provision.js';
import { runOpenLoop, sleep } from './schedule.js';
import { PhaseRecorder, failureLabel } from './stats.js';
import { StudentSocket, type Student } from './student.js';

export interface DayContext {
  api: ApiClient;
  exam: ExamUnderTest;
  students: Student[];
  /** ws://host:port */
  wsBase: string;
  requestTimeoutMs: number;
  log: (line: string) => void;
}

function transportFailure(recorder: PhaseRecorder, err: unknown): void {
  recorder.failed(err instanceof TransportError ? err.code : 'CLIENT_ERROR');
}

/**
 * Runs one open-loop HTTP phase: request i leaves at its scheduled time, and the phase ends
 * when every request has been answered (or has timed out).
 */
async function httpPhase(
  name: string,
  targets: Student[],
  windowSec: number,
  send: (
    student: Student,
  ) => Promise<{ status: number; errorCode: string | undefined; accept: () => void }>,
): Promise<PhaseRecorder> {
  const recorder = new PhaseRecorder(name);
  recorder.setWindow(windowSec);
  const inFlight: Promise<void>[] = [];
  await runOpenLoop(targets.length, windowSec * 1000, (i, scheduledAt) => {
    const student = targets[i] as Student;
    recorder.sent(scheduledAt);
    inFlight.push(
      send(student).then(
        (r) => {
          if (r.status >= 200 && r.status < 300) {
            recorder.succeeded(scheduledAt);
            r.accept();
          } else {
            recorder.failed(failureLabel(r.status, r.errorCode));
          }
        },
        (err: unknown) => transportFailure(recorder, err),
      ),
    );
  });
  await Promise.all(inFlight);
  return recorder;
}

/** Login rush: every student signs in once, spread over the window (the 08:00 herd). */
export function loginRush(ctx: DayContext, windowSec: number): Promise<PhaseRecorder> {
  return httpPhase('login rush', ctx.students, windowSec, async (student) => {
    const r = await ctx.api.call<TokenPair>('POST', '/api/v1/auth/login', {
      json: { nisn: student.login.nisn, password: student.login.password },
    });
    return {
      status: r.status,
      errorCode: r.errorCode,
      accept: () => {
        student.accessToken = r.body?.accessToken;
        student.refreshToken = r.body?.refreshToken;
      },
    };
  });
}

/** Start burst: every signed-in student presses Start with the entry token. */
export async function startBurst(ctx: DayContext, windowSec: number): Promise<PhaseRecorder> {
  const byId = new Map(ctx.exam.questions.map((q) => [q.id, q]));
  const ready = ctx.students.filter((s) => s.accessToken);
  let unknownQuestions = 0;
  const recorder = await httpPhase('start burst', ready, windowSec, async (student) => {
    const r = await ctx.api.call<SessionView>('POST', `/api/v1/exams/${ctx.exam.examId}/sessions`, {
      token: student.accessToken,
      json: { entryToken: ctx.exam.entryToken },
    });
    return {
      status: r.status,
      errorCode: r.errorCode,
      accept: () => {
        const view = r.body;
        if (!view) return;
        student.sessionId = view.sessionId;
        student.questionOrder = view.questions
          .map((q) => byId.get(q.id))
          .filter((q): q is KeyedQuestion => q !== undefined);
        unknownQuestions += view.questions.length - student.questionOrder.length;
      },
    };
  });
  if (unknownQuestions > 0)
    ctx.log(`warning: session views named ${unknownQuestions} questions the exam does not have`);
  return recorder;
}

/** One WebSocket per started student, opened on an open-loop schedule too. */
export async function connectSockets(
  ctx: DayContext,
  windowSec: number,
  sourceAddresses: number,
): Promise<PhaseRecorder> {
  const recorder = new PhaseRecorder('ws connect');
  recorder.setWindow(windowSec);
  const targets = ctx.students.filter((s) => s.sessionId && s.accessToken);
  const opening: Promise<void>[] = [];
  await runOpenLoop(targets.length, windowSec * 1000, (i, scheduledAt) => {
    const student = targets[i] as Student;
    const socket = new StudentSocket(student);
    recorder.sent(scheduledAt);
    const url = `${ctx.wsBase}/api/v1/ws?token=${encodeURIComponent(student.accessToken ?? '')}`;
    opening.push(
      socket.connect(url, sourceAddress(i, sourceAddresses), ctx.requestTimeoutMs).then(
        () => {
          recorder.succeeded(scheduledAt);
          student.socket = socket;
        },
        (err: Error) => recorder.failed(err.message),
      ),
    );
  });
  await Promise.all(opening);
  return recorder;
}

/** Spreads sockets over 127.0.0.1..127.0.0.k: each source address has its own ~28k ephemeral ports. */
export function sourceAddress(i: number, count: number): string | undefined {
  return count <= 1 ? undefined : `127.0.0.${1 + (i % count)}`;
}

/** Waits until no socket has anything unanswered, or the drain time is up; then counts the rest as NO_ACK. */
export async function drainSockets(sockets: StudentSocket[], drainSec: number): Promise<number> {
  const deadline = performance.now() + drainSec * 1000;
  for (;;) {
    let outstanding = 0;
    for (const socket of sockets) outstanding += socket.inFlight;
    if (outstanding === 0) return 0;
    if (performance.now() > deadline) {
      for (const socket of sockets) socket.failAllPending('NO_ACK');
      return outstanding;
    }
    await sleep(50);
  }
}

/**
 * Steady autosave: every connected student saves every `intervalSec` over its socket, the
 * students evenly phase-shifted, so the server sees a flat `students ÷ interval` saves/s.
 * Save n of a student answers question n mod Q of its session, so successive saves to one
 * question are Q intervals apart and "latest value" is unambiguous.
 */
export async function steadyAutosave(
  ctx: DayContext,
  intervalSec: number,
  durationSec: number,
  drainSec: number,
): Promise<PhaseRecorder> {
  const recorder = new PhaseRecorder('steady autosave');
  const savers = ctx.students.filter((s) => s.socket?.open && s.questionOrder.length > 0);
  const savesEach = Math.max(1, Math.floor(durationSec / intervalSec));
  for (const s of savers) {
    s.saves = new Uint8Array(savesEach);
    s.savesSent = 0;
  }
  const total = savers.length * savesEach;
  const windowMs = savesEach * intervalSec * 1000;
  recorder.setWindow(windowMs / 1000);
  ctx.log(
    `steady: ${savers.length} sockets × ${savesEach} saves, every ${intervalSec.toFixed(3)} s → ${(savers.length / intervalSec).toFixed(0)} saves/s offered`,
  );
  await runOpenLoop(total, windowMs, (j, scheduledAt) => {
    const student = savers[j % savers.length] as Student;
    const seq = Math.floor(j / savers.length);
    const question = student.questionOrder[seq % student.questionOrder.length] as KeyedQuestion;
    student.savesSent = seq + 1;
    (student.socket as StudentSocket).save(
      question,
      answerFor(question, student.login.index, seq),
      seq,
      scheduledAt,
      recorder,
    );
  });
  const unanswered = await drainSockets(
    savers.map((s) => s.socket as StudentSocket),
    drainSec,
  );
  if (unanswered > 0)
    ctx.log(`steady: ${unanswered} saves still unacknowledged after the ${drainSec} s drain`);
  return recorder;
}

/** Submit burst: every started student submits once (HTTP with an Idempotency-Key, or the socket). */
export async function submitBurst(
  ctx: DayContext,
  windowSec: number,
  via: 'http' | 'ws',
  drainSec: number,
): Promise<PhaseRecorder> {
  const started = ctx.students.filter((s) => s.sessionId);
  if (via === 'ws') {
    const recorder = new PhaseRecorder('submit burst (ws)');
    recorder.setWindow(windowSec);
    await runOpenLoop(started.length, windowSec * 1000, (i, scheduledAt) => {
      const student = started[i] as Student;
      if (student.socket) student.socket.submit(student.sessionId as string, scheduledAt, recorder);
      else {
        recorder.sent(scheduledAt);
        recorder.failed('NO_SOCKET');
      }
    });
    await drainSockets(
      started.flatMap((s) => (s.socket ? [s.socket] : [])),
      drainSec,
    );
    return recorder;
  }
  return httpPhase('submit burst', started, windowSec, async (student) => {
    const r = await ctx.api
      .call<ResultBody>('POST', `/api/v1/sessions/${student.sessionId}/submit`, {
        token: student.accessToken,
        headers: { 'idempotency-key': `bench-submit-${student.sessionId}` },
      })
      .catch((err: unknown) => {
        // No answer: the submit may or may not have landed; integrity finds out which.
        student.submitState = 'unknown';
        throw err;
      });
    if (r.status < 200 || r.status >= 300) student.submitState = 'refused';
    return {
      status: r.status,
      errorCode: r.errorCode,
      accept: () => {
        student.submitState = 'ok';
        student.result = r.body;
        submittedAt.set(student, performance.now());
      },
    };
  });
}

export function closeSockets(students: Student[]): void {
  for (const s of students) s.socket?.close();
}
