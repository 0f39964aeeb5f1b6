import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/api-error';
import type { ClientMessage, Leaderboard, ServerMessage } from '../../api/types';
import { SocketChannel } from '../../lib/socket-channel';
import { fakeNetwork, fakeWebSockets, type FakeSocket } from '../../test/fakes';
import { LiveBoard, type LiveBoardState } from './live-board';

function board(patch: Partial<Leaderboard> = {}): Leaderboard {
  return {
    examId: 'e-1',
    title: 'Matematika',
    cohort: 'class',
    cohortLabel: 'X IPA 2',
    total: 1,
    updatedAt: '2025-05-01T08:00:00.000Z',
    visibility: 'students',
    top: [{ rank: 1, name: 'Rina', score: 9, percentage: 90, me: true }],
    ...patch,
  };
}
const at = (seconds: number) => new Date(Date.UTC(2025, 4, 1, 8, 0, seconds)).toISOString();

/** resolves pending promises and the channel's awaited url() */
const settle = () => vi.advanceTimersByTimeAsync(0);

function setup(options: { reloadOnFrame?: boolean; socket?: boolean } = {}) {
  const ws = fakeWebSockets();
  const channel = new SocketChannel<ClientMessage, ServerMessage>({
    url: async () => 'ws://exam.test/api/v1/ws?token=t',
    WebSocket: ws.WebSocket,
    network: fakeNetwork(),
    refreshAuth: async () => true,
    pingEveryMs: 60_000,
  });
  const answers: (Leaderboard | Error)[] = [];
  const load = vi.fn(async () => {
    const next = answers.shift() ?? board();
    if (next instanceof Error) throw next;
    return next;
  });
  const states: LiveBoardState[] = [];
  const live = new LiveBoard({
    load,
    channel: options.socket === false ? null : channel,
    watch: options.socket === false ? null : { examId: 'e-1', cohort: 'class' },
    reloadOnFrame: options.reloadOnFrame,
    pollMs: 10_000,
    onState: (state) => states.push(state),
  });
  const last = () => states.at(-1)!;
  /** the watch the board sent on this socket */
  const watchOf = (socket: FakeSocket) => socket.sent.find((m) => m.type === 'leaderboard.watch');
  return { ws, channel, load, answers, live, states, last, watchOf };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('LiveBoard', () => {
  it('paints from the GET, then watches and takes every frame of its own board', async () => {
    const { ws, channel, live, last, watchOf, load } = setup();
    channel.start();
    live.start();
    await settle();
    expect(load).toHaveBeenCalledTimes(1);
    expect(last()).toMatchObject({ board: board(), loading: false, live: false });

    ws.last().accept();
    const watch = watchOf(ws.last());
    expect(watch).toMatchObject({ type: 'leaderboard.watch', examId: 'e-1', cohort: 'class' });
    ws.last().deliver({
      type: 'leaderboard.update',
      id: watch!.id,
      ...board({ total: 2, updatedAt: at(1) }),
    });
    await settle();
    expect(last()).toMatchObject({ live: true, board: { total: 2 } });

    ws.last().deliver({ type: 'leaderboard.update', ...board({ total: 3, updatedAt: at(2) }) });
    // another watch on the same socket: not this board
    ws.last().deliver({
      type: 'leaderboard.update',
      ...board({ cohort: 'exam', total: 99, updatedAt: at(3) }),
    });
    expect(last().board?.total).toBe(3);
    // live: no polling
    await vi.advanceTimersByTimeAsync(30_000);
    expect(load).toHaveBeenCalledTimes(1);
    live.stop();
    channel.stop();
  });

  it('an older GET answering after a newer frame does not undo it', async () => {
    const { ws, channel, live, last, watchOf } = setup();
    channel.start();
    await settle();
    ws.last().accept();
    live.start();
    await settle();
    const watch = watchOf(ws.last());
    ws.last().deliver({
      type: 'leaderboard.update',
      id: watch!.id,
      ...board({ total: 5, updatedAt: at(10) }),
    });
    await settle();
    expect(last().board?.total).toBe(5);
    await live.reload(); // answers with the default board, stamped earlier
    expect(last().board?.total).toBe(5);
    live.stop();
    channel.stop();
  });

  it('without a socket it repeats the GET, and stops once a watch is accepted', async () => {
    const { ws, channel, live, load, last, watchOf } = setup();
    live.start();
    await settle();
    expect(load).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(load).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(load).toHaveBeenCalledTimes(3);

    channel.start();
    await settle();
    ws.last().accept();
    const watch = watchOf(ws.last());
    ws.last().deliver({
      type: 'leaderboard.update',
      id: watch!.id,
      ...board({ updatedAt: at(4) }),
    });
    await settle();
    expect(last().live).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(load).toHaveBeenCalledTimes(3);

    // the socket drops: back to polling, and the watch is sent again on the next socket
    ws.last().hangUp();
    expect(last().live).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(load).toHaveBeenCalledTimes(4);
    await vi.advanceTimersByTimeAsync(5_000);
    ws.last().accept();
    expect(watchOf(ws.last())).toBeDefined();
    live.stop();
    channel.stop();
  });

  it('a refused watch leaves the board on the GET, repeated', async () => {
    const { ws, channel, live, load, last, watchOf } = setup();
    channel.start();
    live.start();
    await settle();
    ws.last().accept();
    const watch = watchOf(ws.last());
    ws.last().deliver({ type: 'error', id: watch!.id, code: 'FORBIDDEN', message: 'no' });
    await settle();
    expect(last()).toMatchObject({ live: false, error: null });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(load).toHaveBeenCalledTimes(2);
    live.stop();
    channel.stop();
  });

  it('says why the GET failed, does not ask again by itself, and clears it once the board comes', async () => {
    const { live, answers, last, load } = setup({ socket: false });
    const forbidden = new ApiError(403, 'FORBIDDEN', 'not yet');
    answers.push(forbidden);
    live.start();
    await settle();
    expect(last()).toMatchObject({ board: null, error: forbidden, loading: false });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(load).toHaveBeenCalledTimes(1);
    await live.reload();
    expect(last()).toMatchObject({ board: board(), error: null });
    live.stop();
  });

  it('a network failure is retried on the polling beat', async () => {
    const { live, answers, last, load } = setup({ socket: false });
    answers.push(new ApiError(0, 'NETWORK', 'offline'));
    live.start();
    await settle();
    expect(last().error).toBeInstanceOf(ApiError);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(load).toHaveBeenCalledTimes(2);
    expect(last()).toMatchObject({ board: board(), error: null });
    live.stop();
  });

  it('a narrowed staff board is fetched again on each frame of the exam board', async () => {
    const { ws, channel, live, load, last, watchOf, answers } = setup({ reloadOnFrame: true });
    channel.start();
    live.start();
    await settle();
    ws.last().accept();
    const watch = watchOf(ws.last());
    answers.push(board({ total: 7, updatedAt: at(20) }));
    ws.last().deliver({
      type: 'leaderboard.update',
      id: watch!.id,
      ...board({ total: 40, updatedAt: at(20) }),
    });
    await settle();
    expect(load).toHaveBeenCalledTimes(2);
    expect(last().board?.total).toBe(7);
    live.stop();
    channel.stop();
  });

  it('stop unwatches and ignores whatever answers later', async () => {
    const { ws, channel, live, states } = setup();
    channel.start();
    live.start();
    await settle();
    ws.last().accept();
    await settle();
    live.stop();
    const seen = states.length;
    expect(ws.last().sent.at(-1)).toEqual({
      type: 'leaderboard.unwatch',
      examId: 'e-1',
      cohort: 'class',
    });
    ws.last().deliver({ type: 'leaderboard.update', ...board({ total: 9, updatedAt: at(30) }) });
    await live.reload();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(states.length).toBe(seen);
    channel.stop();
  });
});
