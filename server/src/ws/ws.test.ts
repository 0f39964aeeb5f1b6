import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ServerMessage } from '../../../contracts/ws.js';
import {
  bearer,
  createClass,
  createStaff,
  createStudent,
  createTestApp,
  login,
  type TestApp,
} from '../../test/harness.js';
import { createPublishedExam, type TestExam } from '../sessions/test-factories.js';

let t: TestApp;
let base: string;
let exam: TestExam;
let classId: string;

/** A client socket that queues what the server says, for `next()` to take in order. */
class Client {
  private readonly inbox: ServerMessage[] = [];
  private waiting: ((m: ServerMessage) => void) | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as ServerMessage;
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(m);
      } else this.inbox.push(m);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
  }
  static async open(token: string): Promise<Client> {
    const ws = new WebSocket(`${base}/api/v1/ws?token=${encodeURIComponent(token)}`);
    const client = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return client;
  }
  send(message: object | string) {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }
  next(timeoutMs = 5000): Promise<ServerMessage> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message from the server')), timeoutMs);
      this.waiting = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
    });
  }
}

async function startStudent() {
  const s = await createStudent(t.sql, { classId });
  const pair = await login(t.app, { nisn: s.nisn, password: s.password });
  const res = await t.app.inject({
    method: 'POST',
    url: `/api/v1/exams/${exam.id}/sessions`,
    headers: bearer(pair.accessToken),
    payload: { entryToken: exam.entryToken },
  });
  return { ...s, token: pair.accessToken, sessionId: res.json().sessionId as string };
}

beforeAll(async () => {
  t = await createTestApp({ ROLES: 'api' });
  base = (await t.app.listen({ port: 0, host: '127.0.0.1' })).replace(/^http/, 'ws');
  classId = (await createClass(t.sql)).id;
  exam = await createPublishedExam(t.sql, { targets: [{ type: 'CLASS', value: classId }] });
});
afterAll(async () => t?.close());

describe('the student WebSocket', () => {
  it('acks saves with their ids; the answers are in the session after a reconnect', async () => {
    const ana = await startStudent();
    const c = await Client.open(ana.token);
    const [single, multi] = exam.questionIds;
    c.send({ type: 'save', id: 'm1', sessionId: ana.sessionId, questionId: single, answer: 'B' });
    c.send({
      type: 'save',
      id: 'm2',
      sessionId: ana.sessionId,
      questionId: multi,
      answer: ['A', 'C'],
    });
    expect(await c.next()).toMatchObject({ type: 'saved', id: 'm1', questionId: single });
    expect(await c.next()).toMatchObject({
      type: 'saved',
      id: 'm2',
      questionId: multi,
      savedAt: expect.any(String),
    });
    c.send({ type: 'save', id: 'm3', sessionId: ana.sessionId, questionId: single, answer: 'Q' });
    expect(await c.next()).toMatchObject({ type: 'error', id: 'm3', code: 'VALIDATION_FAILED' });
    c.ws.terminate();

    const again = await Client.open(ana.token);
    const view = await t.app.inject({
      method: 'GET',
      url: `/api/v1/sessions/${ana.sessionId}`,
      headers: bearer(ana.token),
    });
    expect(view.json().answers).toEqual({ [single!]: 'B', [multi!]: ['A', 'C'] });
    again.send({ type: 'submit', id: 's1', sessionId: ana.sessionId });
    // The result, and (in either order) the notice every tab of this student gets.
    const replies = [await again.next(), await again.next()];
    expect(replies).toContainEqual(
      expect.objectContaining({
        type: 'result',
        id: 's1',
        sessionId: ana.sessionId,
        status: 'SCORED',
        score: 6,
      }),
    );
    expect(replies).toContainEqual({
      type: 'closed',
      sessionId: ana.sessionId,
      reason: 'SUBMITTED',
    });
    again.send({
      type: 'save',
      id: 'late',
      sessionId: ana.sessionId,
      questionId: single,
      answer: 'A',
    });
    expect(await again.next()).toMatchObject({ type: 'error', id: 'late', code: 'SESSION_CLOSED' });
    again.ws.close();
  });

  it('answers ping with pong and the server time', async () => {
    const ana = await startStudent();
    const c = await Client.open(ana.token);
    c.send({ type: 'ping', id: 42 });
    const pong = await c.next();
    expect(pong).toMatchObject({ type: 'pong', id: 42 });
    expect(
      Math.abs(Date.parse((pong as { serverNow: string }).serverNow) - Date.now()),
    ).toBeLessThan(5000);
    c.ws.close();
  });

  it('kicks the socket (4001) when the student logs in elsewhere', async () => {
    const ana = await startStudent();
    const c = await Client.open(ana.token);
    await login(t.app, { nisn: ana.nisn, password: ana.password });
    expect(await c.next()).toEqual({ type: 'kicked', reason: 'SESSION_REPLACED' });
    expect((await c.closed).code).toBe(4001);
    // The old token no longer opens a socket.
    await expect(Client.open(ana.token)).rejects.toThrow(/401/);
  });

  it('closes with 1009 on a message over 16 KiB', async () => {
    const ana = await startStudent();
    const c = await Client.open(ana.token);
    c.send({
      type: 'save',
      sessionId: ana.sessionId,
      questionId: exam.questionIds[2],
      answer: 'x'.repeat(17 * 1024),
    });
    expect((await c.closed).code).toBe(1009);
  });

  it('pushes the new deadline after an extension, and closed when another tab submits', async () => {
    const ana = await startStudent();
    const c = await Client.open(ana.token);
    const admin = await createStaff(t.sql);
    const staff = await login(t.app, { email: admin.email, password: admin.password });
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/sessions/${ana.sessionId}/extend`,
      headers: bearer(staff.accessToken),
      payload: { minutes: 5 },
    });
    expect(await c.next()).toEqual({
      type: 'time',
      sessionId: ana.sessionId,
      endsAt: res.json().endsAt,
      serverNow: expect.any(String),
    });
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${ana.sessionId}/submit`,
      headers: bearer(ana.token),
    });
    expect(await c.next()).toEqual({
      type: 'closed',
      sessionId: ana.sessionId,
      reason: 'SUBMITTED',
    });
    c.ws.close();
  });

  it('refuses a missing or bad token before upgrading', async () => {
    await expect(Client.open('')).rejects.toThrow(/401/);
    await expect(Client.open('abc.def.ghi')).rejects.toThrow(/401/);
  });

  it('accepts staff: ping answers, a student message is FORBIDDEN, a type nobody registered is VALIDATION_FAILED', async () => {
    const admin = await createStaff(t.sql);
    const staff = await login(t.app, { email: admin.email, password: admin.password });
    const c = await Client.open(staff.accessToken);
    c.send({ type: 'ping', id: 1 });
    expect(await c.next()).toMatchObject({ type: 'pong', id: 1, serverNow: expect.any(String) });
    c.send({
      type: 'save',
      id: 2,
      sessionId: exam.id,
      questionId: exam.questionIds[0],
      answer: 'A',
    });
    expect(await c.next()).toMatchObject({ type: 'error', id: 2, code: 'FORBIDDEN' });
    c.send({ type: 'monitor.watch', id: 3, examId: exam.id });
    expect(await c.next()).toMatchObject({
      type: 'error',
      id: 3,
      code: 'VALIDATION_FAILED',
      message: 'type must be one of ping, leaderboard.watch, leaderboard.unwatch',
    });
    c.ws.close();
  });

  it("cannot touch another student's session", async () => {
    const ana = await startStudent();
    const mallory = await startStudent();
    const c = await Client.open(mallory.token);
    c.send({
      type: 'save',
      id: 1,
      sessionId: ana.sessionId,
      questionId: exam.questionIds[0],
      answer: 'A',
    });
    expect(await c.next()).toMatchObject({ type: 'error', id: 1, code: 'NOT_FOUND' });
    c.ws.close();
  });
});
