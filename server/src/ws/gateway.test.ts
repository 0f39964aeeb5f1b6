import { pino } from 'pino';
import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { Strict } from '../../../contracts/common.js';
import { MessageId } from '../../../contracts/ws/gateway.js';
import { AppError } from '../platform/errors.js';
import { SocketGateway, type PeerSocket } from './gateway.js';

class FakeSocket implements PeerSocket {
  sent: Record<string, unknown>[] = [];
  closedWith: number | undefined;
  send(text: string) {
    this.sent.push(JSON.parse(text) as Record<string, unknown>);
  }
  close(code: number) {
    this.closedWith = code;
  }
  ping() {}
  terminate() {}
}

/**
 * What a new feature does to put a message type on the socket — all of it in the feature's
 * folder and its contracts/ws/<feature>.ts: a schema, and a handler registered on the
 * gateway. Nothing in ws/ changes. (A tiny "demo" feature, for this test.)
 */
const DemoEcho = Strict({
  type: Type.Literal('demo.echo'),
  id: Type.Optional(MessageId),
  text: Type.String({ maxLength: 20 }),
});
function registerDemoFeature(gateway: SocketGateway) {
  gateway.handle<{ kind: 'staff' | 'student'; id: string }, { type: 'demo.echo'; text: string }>({
    type: 'demo.echo',
    schema: DemoEcho,
    from: ['staff'],
    async run(m, peer) {
      if (m.text === 'boom') throw new AppError('CONFLICT', 'not now');
      return { type: 'demo.echoed', text: m.text, by: peer.principal.id };
    },
  });
}

describe('SocketGateway', () => {
  const gateway = () => new SocketGateway(pino({ level: 'silent' }));

  it('dispatches a feature’s message type to its handler, validated by its schema, reply echoing the id', async () => {
    const g = gateway();
    registerDemoFeature(g);
    const socket = new FakeSocket();
    const peer = g.connect(socket, { kind: 'staff', id: 'teacher-1' });
    await peer.receive(JSON.stringify({ type: 'demo.echo', id: 'a', text: 'hello' }));
    await peer.receive(JSON.stringify({ type: 'demo.echo', id: 'b', text: 'x'.repeat(21) }));
    await peer.receive(JSON.stringify({ type: 'demo.echo', id: 'c', text: 'hi', extra: true }));
    await peer.receive(JSON.stringify({ type: 'demo.echo', id: 'd', text: 'boom' }));
    expect(socket.sent).toEqual([
      { type: 'demo.echoed', id: 'a', text: 'hello', by: 'teacher-1' },
      {
        type: 'error',
        id: 'b',
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('text'),
      },
      {
        type: 'error',
        id: 'c',
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('extra'),
      },
      { type: 'error', id: 'd', code: 'CONFLICT', message: 'not now' },
    ]);
  });

  it('refuses a type its principal may not send (FORBIDDEN) and a type nobody registered (VALIDATION_FAILED)', async () => {
    const g = gateway();
    registerDemoFeature(g);
    const socket = new FakeSocket();
    const peer = g.connect(socket, { kind: 'student', id: 's1' });
    await peer.receive(JSON.stringify({ type: 'demo.echo', id: 1, text: 'hi' }));
    await peer.receive(JSON.stringify({ type: 'live.answer', id: 2 }));
    await peer.receive(JSON.stringify({ type: 'ping', id: 3 }));
    await peer.receive(JSON.stringify({ type: 'ping', id: 4, extra: true }));
    expect(socket.sent).toEqual([
      { type: 'error', id: 1, code: 'FORBIDDEN', message: 'A student cannot send demo.echo' },
      { type: 'error', id: 2, code: 'VALIDATION_FAILED', message: 'type must be one of ping' },
      { type: 'pong', id: 3, serverNow: expect.any(String) },
      {
        type: 'error',
        id: 4,
        code: 'VALIDATION_FAILED',
        message: expect.stringContaining('extra'),
      },
    ]);
  });

  it('gives every message type one owner', () => {
    const g = gateway();
    registerDemoFeature(g);
    expect(() => registerDemoFeature(g)).toThrow(/has a handler already/);
    expect(() =>
      g.handle({ type: 'ping', schema: DemoEcho, from: ['staff'], run: async () => undefined }),
    ).toThrow();
  });

  it('tells features of each socket and its end, and kicks the sockets of a revoked login of either kind', () => {
    const g = gateway();
    const seen: string[] = [];
    g.onConnect((p) => seen.push(`+${p.principal.id}`));
    g.onDisconnect((p) => seen.push(`-${p.principal.id}`));
    const [staffOld, staffNew, student] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    g.connect(staffOld, { kind: 'staff', id: 'u1', loginId: 'old' });
    g.connect(staffNew, { kind: 'staff', id: 'u1', loginId: 'new' });
    g.connect(student, { kind: 'student', id: 'u1', loginId: 'old' });
    g.revoke({ userKind: 'staff', userId: 'u1', loginId: 'old', reason: 'LOGOUT' });
    expect(staffOld.sent).toEqual([{ type: 'kicked', reason: 'SIGNED_OUT' }]);
    expect(staffOld.closedWith).toBe(4001);
    expect([staffNew.closedWith, student.closedWith]).toEqual([undefined, undefined]);
    expect(seen).toEqual(['+u1', '+u1', '+u1', '-u1']);
    expect(g.size).toBe(2);
  });
});
