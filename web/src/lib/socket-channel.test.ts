import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeNetwork, fakeWebSockets } from '../test/fakes';
import { ChannelError, SocketChannel, type ChannelClose } from './socket-channel';

type Out = { type: 'echo'; id?: string; text: string } | { type: 'note'; text: string };
type In =
  | { type: 'echoed'; id?: string; text: string }
  | { type: 'news'; text: string }
  | { type: 'error'; id?: string; code: string };

function setup(options: { url?: () => Promise<string | null> } = {}) {
  const ws = fakeWebSockets();
  const network = fakeNetwork();
  const refreshAuth = vi.fn(async () => true);
  const channel = new SocketChannel<Out, In>({
    url: options.url ?? (async () => 'ws://exam.test/api/v1/ws?token=t'),
    WebSocket: ws.WebSocket,
    network,
    refreshAuth,
  });
  return { ws, network, refreshAuth, channel };
}

/** lets the channel's awaited url() and promise callbacks run */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SocketChannel', () => {
  it('connects to the url it is given and matches replies to requests by id', async () => {
    const { ws, channel } = setup();
    const opened = vi.fn();
    channel.onOpen(opened);
    channel.start();
    await settle();
    expect(ws.last().url).toBe('ws://exam.test/api/v1/ws?token=t');
    expect(channel.isOpen).toBe(false);
    ws.last().accept();
    expect(channel.isOpen).toBe(true);
    expect(opened).toHaveBeenCalledTimes(1);

    const first = channel.request({ type: 'echo', text: 'a' }, 5_000);
    const second = channel.request({ type: 'echo', id: 'mine', text: 'b' }, 5_000);
    const sent = ws.last().sent.filter((m) => m.type === 'echo');
    expect(sent.map((m) => m.text)).toEqual(['a', 'b']);
    expect(sent[0]!.id).toEqual(expect.any(String));
    expect(sent[1]!.id).toBe('mine');
    // replies in the other order still find their request
    ws.last().deliver({ type: 'echoed', id: 'mine', text: 'B' });
    ws.last().deliver({ type: 'error', id: sent[0]!.id, code: 'VALIDATION_FAILED' });
    await expect(second).resolves.toEqual({ type: 'echoed', id: 'mine', text: 'B' });
    await expect(first).resolves.toMatchObject({ type: 'error', code: 'VALIDATION_FAILED' });
    channel.stop();
  });

  it('hands messages that answer no request to the handlers of their type', async () => {
    const { ws, channel } = setup();
    const news = vi.fn();
    const echoed = vi.fn();
    const unsubscribe = channel.onPush('news', news);
    channel.onPush('echoed', echoed);
    channel.start();
    await settle();
    ws.last().accept();
    ws.last().deliver({ type: 'news', text: 'time extended' });
    ws.last().deliver({ type: 'echoed', id: 'nobody-asked', text: 'late' });
    ws.last().deliver('not json at all');
    expect(news).toHaveBeenCalledWith({ type: 'news', text: 'time extended' });
    expect(echoed).toHaveBeenCalledWith({ type: 'echoed', id: 'nobody-asked', text: 'late' });
    unsubscribe();
    ws.last().deliver({ type: 'news', text: 'again' });
    expect(news).toHaveBeenCalledTimes(1);
    channel.stop();
  });

  it('rejects a request when the socket is not open, when no reply comes in time, and when it closes first', async () => {
    const { ws, channel } = setup();
    await expect(channel.request({ type: 'echo', text: 'x' }, 1_000)).rejects.toEqual(
      new ChannelError('not-open'),
    );
    channel.start();
    await settle();
    ws.last().accept();

    const late = channel.request({ type: 'echo', text: 'late' }, 1_000);
    const lateResult = late.catch((err: unknown) => err);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(((await lateResult) as ChannelError).reason).toBe('timeout');

    const cut = channel.request({ type: 'echo', text: 'cut' }, 10_000).catch((err: unknown) => err);
    ws.last().hangUp(1006);
    expect(((await cut) as ChannelError).reason).toBe('closed');
    expect(channel.isOpen).toBe(false);
    channel.stop();
  });

  it('reconnects with a doubling backoff up to 15 s, renewing the token when the upgrade is refused', async () => {
    const { ws, refreshAuth, channel } = setup();
    const closes: ChannelClose[] = [];
    channel.onClose((close) => closes.push(close));
    channel.start();
    await settle();
    expect(ws.sockets).toHaveLength(1);

    // refused before opening, five times: 1, 2, 4, 8, then 15 s (not 16) between attempts
    const waits: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      ws.last().hangUp(1006);
      const before = ws.sockets.length;
      let waited = 0;
      while (ws.sockets.length === before) {
        await vi.advanceTimersByTimeAsync(500);
        waited += 500;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 15_000]);
    expect(refreshAuth).toHaveBeenCalledTimes(5);
    expect(closes.every((c) => !c.wasOpen && !c.local)).toBe(true);

    // once open, the backoff starts again from 1 s, and a server close needs no new token
    ws.last().accept();
    ws.last().hangUp(1001);
    expect(closes.at(-1)).toEqual({ code: 1001, wasOpen: true, local: false });
    await vi.advanceTimersByTimeAsync(999);
    expect(ws.sockets).toHaveLength(6);
    await vi.advanceTimersByTimeAsync(1);
    expect(ws.sockets).toHaveLength(7);
    expect(refreshAuth).toHaveBeenCalledTimes(5);
    channel.stop();
  });

  it('drops the socket when the device goes offline and connects at once when it is back', async () => {
    const { ws, network, channel } = setup();
    channel.start();
    await settle();
    ws.last().accept();
    network.set(false);
    expect(ws.last().closedWith).toEqual({ code: 1000, reason: 'offline' });
    expect(channel.isOpen).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ws.sockets).toHaveLength(1);
    network.set(true);
    await settle();
    expect(ws.sockets).toHaveLength(2);
    channel.stop();
  });

  it('drop() gives up on a silent socket and reconnects after the backoff', async () => {
    const { ws, channel } = setup();
    const closes: ChannelClose[] = [];
    channel.onClose((close) => closes.push(close));
    channel.start();
    await settle();
    ws.last().accept();
    channel.drop();
    expect(ws.last().closedWith).toEqual({ code: 1000, reason: 'reconnecting' });
    expect(closes).toEqual([{ code: 1000, wasOpen: true, local: true }]);
    channel.drop(); // a second drop while waiting does not stretch the wait
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ws.sockets).toHaveLength(2);
    channel.stop();
  });

  it('stays down when a close listener stops it (signed in elsewhere)', async () => {
    const { ws, refreshAuth, channel } = setup();
    channel.onClose((close) => {
      if (close.code === 4001) channel.stop();
    });
    channel.start();
    await settle();
    ws.last().accept();
    ws.last().hangUp(4001);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ws.sockets).toHaveLength(1);
    expect(refreshAuth).not.toHaveBeenCalled();
  });

  it('does not connect while signed out (no url), and stop() closes the socket for good', async () => {
    let token: string | null = null;
    const { ws, channel } = setup({
      url: async () => (token ? `ws://exam.test/ws?token=${token}` : null),
    });
    channel.start();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(ws.sockets).toHaveLength(0);
    token = 'fresh';
    channel.reconnectNow();
    await settle();
    ws.last().accept();
    channel.stop();
    expect(ws.last().closedWith).toEqual({ code: 1000, reason: 'bye' });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ws.sockets).toHaveLength(1);
  });

  it('reauthenticate() renews the token before it connects again', async () => {
    const { ws, refreshAuth, channel } = setup();
    channel.start();
    await settle();
    ws.last().accept();
    channel.reauthenticate();
    expect(ws.last().closedWith).not.toBeNull();
    expect(refreshAuth).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ws.sockets).toHaveLength(2);
    channel.stop();
  });

  it('a send that throws drops the socket and rejects the request as closed', async () => {
    const { ws, channel } = setup();
    channel.start();
    await settle();
    const socket = ws.last();
    socket.accept();
    socket.send = () => {
      throw new Error('INVALID_STATE_ERR');
    };
    const failed = channel.request({ type: 'echo', text: 'x' }, 5_000).catch((err: unknown) => err);
    expect(((await failed) as ChannelError).reason).toBe('closed');
    expect(socket.closedWith).not.toBeNull();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ws.sockets).toHaveLength(2);
    channel.stop();
  });

  it('pings on open and every 20 s, and reports the server clock from quick pongs', async () => {
    const { ws, channel } = setup();
    const offsets: number[] = [];
    channel.onClock((offset) => offsets.push(offset));
    channel.start();
    await settle();
    const socket = ws.last();
    socket.accept();
    const pings = () => socket.sent.filter((m) => m.type === 'ping');
    expect(pings()).toHaveLength(1);

    // the server's clock runs 5 s ahead; the pong comes 100 ms later
    await vi.advanceTimersByTimeAsync(100);
    socket.deliver({
      type: 'pong',
      id: pings()[0]!.id,
      serverNow: new Date(Date.now() + 5_000 - 50).toISOString(),
    });
    await settle();
    expect(offsets).toHaveLength(1);
    expect(Math.abs(offsets[0]! - 5_000)).toBeLessThanOrEqual(1);

    await vi.advanceTimersByTimeAsync(20_000);
    expect(pings()).toHaveLength(2);
    // a slow round trip says little about the clock: ignored
    await vi.advanceTimersByTimeAsync(2_500);
    socket.deliver({ type: 'pong', id: pings()[1]!.id, serverNow: new Date().toISOString() });
    await settle();
    expect(offsets).toHaveLength(1);
    channel.stop();
  });
});
