import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { ServerMessage } from '../../../contracts/ws.js';
import type { StudentPrincipal } from '../auth/index.js';
import { AppError } from '../platform/errors.js';
import { SocketGateway, type PeerSocket } from '../ws/index.js';
import { registerSessionSocket } from './sessions.socket.js';

/** An in-memory socket: what the server sent, and how it was closed. */
class FakeSocket implements PeerSocket {
  sent: ServerMessage[] = [];
  closedWith: number | undefined;
  pings = 0;
  terminated = false;
  send(text: string) {
    this.sent.push(JSON.parse(text) as ServerMessage);
  }
  close(code: number) {
    this.closedWith = code;
  }
  ping() {
    this.pings += 1;
  }
  terminate() {
    this.terminated = true;
  }
}

const student = (id: string, loginId = `login-${id}`): StudentPrincipal => ({
  kind: 'student',
  id,
  loginId,
  classId: null,
  name: id,
});
const SID = '11111111-1111-4111-8111-111111111111';
const QID = '22222222-2222-4222-8222-222222222222';

/** The gateway with the exam runner's messages on it, over fake session actions. */
function makeHub(clock = { t: 1_000_000 }) {
  const calls: string[] = [];
  const hub = new SocketGateway(pino({ level: 'silent' }), {
    now: () => clock.t,
    heartbeatMs: 25_000,
    silentMs: 60_000,
  });
  const socket = registerSessionSocket(
    hub,
    {
      save: async (_s, _sessionId, inputs) => {
        calls.push(`save:${String(inputs[0]!.answer)}`);
        if (inputs[0]!.answer === 'late') throw new AppError('TIME_UP', 'Time is up');
        await new Promise((r) => setTimeout(r, inputs[0]!.answer === 'slow' ? 20 : 0));
        return { saved: 1, savedAt: new Date(clock.t).toISOString() };
      },
      submit: async (_s, sessionId) => {
        calls.push('submit');
        return {
          sessionId,
          status: 'SCORED',
          submittedAt: new Date(clock.t).toISOString(),
          score: 1,
        };
      },
      signal: async () => {
        calls.push('signal');
      },
    },
    () => clock.t,
  );
  return { hub, calls, clock, notify: socket.notify };
}

describe('the exam runner on the socket gateway', () => {
  it('answers ping with pong and the id; saves with saved; errors with the HTTP codes', async () => {
    const { hub } = makeHub();
    const socket = new FakeSocket();
    const peer = hub.connect(socket, student('s1'));
    await peer.receive(JSON.stringify({ type: 'ping', id: 7 }));
    await peer.receive(
      JSON.stringify({ type: 'save', id: 'a', sessionId: SID, questionId: QID, answer: 'B' }),
    );
    await peer.receive(
      JSON.stringify({ type: 'save', id: 'b', sessionId: SID, questionId: QID, answer: 'late' }),
    );
    expect(socket.sent).toEqual([
      { type: 'pong', id: 7, serverNow: expect.any(String) },
      { type: 'saved', id: 'a', questionId: QID, savedAt: expect.any(String) },
      { type: 'error', id: 'b', code: 'TIME_UP', message: 'Time is up' },
    ]);
  });

  it('validates messages by type and names the field', async () => {
    const { hub, calls } = makeHub();
    const socket = new FakeSocket();
    const peer = hub.connect(socket, student('s1'));
    await peer.receive('not json');
    await peer.receive(JSON.stringify({ type: 'dance', id: 1 }));
    await peer.receive(
      JSON.stringify({ type: 'save', id: 2, sessionId: SID, questionId: 'nope', answer: 'A' }),
    );
    await peer.receive(JSON.stringify({ type: 'submit', id: 3, sessionId: SID, extra: 1 }));
    const errors = socket.sent as Extract<ServerMessage, { type: 'error' }>[];
    expect(errors.map((e) => [e.id, e.code])).toEqual([
      [undefined, 'VALIDATION_FAILED'],
      [1, 'VALIDATION_FAILED'],
      [2, 'VALIDATION_FAILED'],
      [3, 'VALIDATION_FAILED'],
    ]);
    expect(errors[2]!.message).toContain('questionId');
    expect(errors[3]!.message).toContain('extra');
    expect(calls).toEqual([]);
  });

  it('refuses text PostgreSQL could never store (NUL, lone surrogates) before any handler runs', async () => {
    const { hub, calls } = makeHub();
    const socket = new FakeSocket();
    const peer = hub.connect(socket, student('s1'));
    // JSON.stringify escapes both, so the frame is valid JSON that parses back to the bad text.
    await peer.receive(
      JSON.stringify({ type: 'save', id: 1, sessionId: SID, questionId: QID, answer: 'a\u0000b' }),
    );
    await peer.receive(
      JSON.stringify({ type: 'save', id: 2, sessionId: SID, questionId: QID, answer: 'x\ud800y' }),
    );
    await peer.receive(
      JSON.stringify({ type: 'save', id: 3, sessionId: SID, questionId: QID, answer: '\udc00' }),
    );
    await peer.receive(
      JSON.stringify({
        type: 'save',
        id: 4,
        sessionId: SID,
        questionId: QID,
        answer: 'ok \ud83d\ude00',
      }),
    );
    const sent = socket.sent as { type: string; id: number; code?: string; message?: string }[];
    expect(sent.map((m) => [m.id, m.type, m.code])).toEqual([
      [1, 'error', 'VALIDATION_FAILED'],
      [2, 'error', 'VALIDATION_FAILED'],
      [3, 'error', 'VALIDATION_FAILED'],
      [4, 'saved', undefined],
    ]);
    expect(sent[0]!.message).toMatch(/^answer contains a NUL/);
    expect(calls).toEqual(['save:ok \ud83d\ude00']);
  });

  it('runs a socket’s saves and submit in the order they were sent', async () => {
    const { hub, calls } = makeHub();
    const socket = new FakeSocket();
    const peer = hub.connect(socket, student('s1'));
    await Promise.all([
      peer.receive(
        JSON.stringify({ type: 'save', id: 1, sessionId: SID, questionId: QID, answer: 'slow' }),
      ),
      peer.receive(
        JSON.stringify({ type: 'save', id: 2, sessionId: SID, questionId: QID, answer: 'fast' }),
      ),
      peer.receive(JSON.stringify({ type: 'submit', id: 3, sessionId: SID })),
    ]);
    expect(calls).toEqual(['save:slow', 'save:fast', 'submit']);
    expect(socket.sent.at(-1)).toMatchObject({ type: 'result', id: 3, sessionId: SID, score: 1 });
  });

  it('answers RATE_LIMITED beyond 50 messages a second, then recovers', async () => {
    const { hub, clock } = makeHub();
    const socket = new FakeSocket();
    const peer = hub.connect(socket, student('s1'));
    for (let i = 0; i < 60; i += 1) await peer.receive(JSON.stringify({ type: 'ping', id: i }));
    const limited = socket.sent.filter((m) => m.type === 'error' && m.code === 'RATE_LIMITED');
    expect(limited).toHaveLength(10);
    expect(limited[0]).toMatchObject({ id: 50 });
    clock.t += 1000;
    await peer.receive(JSON.stringify({ type: 'ping', id: 'again' }));
    expect(socket.sent.at(-1)).toMatchObject({ type: 'pong', id: 'again' });
  });

  it('pushes time and closed notices to that student’s sockets only', () => {
    const { hub, notify } = makeHub();
    const [a1, a2, b] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    hub.connect(a1, student('a', 'la1'));
    hub.connect(a2, student('a', 'la2'));
    hub.connect(b, student('b'));
    notify({ type: 'time', sessionId: SID, studentId: 'a', endsAt: 5_000 });
    notify({ type: 'closed', sessionId: SID, studentId: 'a', reason: 'TIME_UP' });
    for (const s of [a1, a2]) {
      expect(s.sent).toEqual([
        {
          type: 'time',
          sessionId: SID,
          endsAt: new Date(5_000).toISOString(),
          serverNow: expect.any(String),
        },
        { type: 'closed', sessionId: SID, reason: 'TIME_UP' },
      ]);
    }
    expect(b.sent).toEqual([]);
  });

  it('kicks (4001) only the sockets of the revoked login', () => {
    const { hub } = makeHub();
    const [old, fresh] = [new FakeSocket(), new FakeSocket()];
    hub.connect(old, student('a', 'old'));
    hub.connect(fresh, student('a', 'new'));
    hub.revoke({ loginId: 'old', userKind: 'student', userId: 'a', reason: 'REPLACED' });
    expect(old.sent).toEqual([{ type: 'kicked', reason: 'SESSION_REPLACED' }]);
    expect(old.closedWith).toBe(4001);
    expect(fresh.closedWith).toBeUndefined();
    expect(hub.size).toBe(1);
  });

  it('pings live peers on each beat and drops peers silent for 60 s', () => {
    const { hub, clock } = makeHub();
    const [quiet, chatty] = [new FakeSocket(), new FakeSocket()];
    hub.connect(quiet, student('q'));
    const peer = hub.connect(chatty, student('c'));
    clock.t += 25_000;
    hub.beat();
    expect([quiet.pings, chatty.pings]).toEqual([1, 1]);
    clock.t += 25_000;
    peer.alive();
    clock.t += 25_000;
    hub.beat();
    expect(quiet.terminated).toBe(true);
    expect(chatty.terminated).toBe(false);
    expect(hub.size).toBe(1);
  });
});
