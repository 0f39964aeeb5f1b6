import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../api/api-error';
import type { ClientMessage, ServerMessage } from '../../../api/types';
import { SocketChannel } from '../../../lib/socket-channel';
import { fakeNetwork, fakeWebSockets, memoryStorage } from '../../../test/fakes';
import { AnswerSync, type AnswerUpload, type SyncEvents } from './answer-sync';
import { readPending } from './pending-store';

const SID = '7f0c2f8e-8a55-4c3e-9d7e-2b1b9b0f1a01';

/** The HTTP lane (`PUT …/answers`): each call waits until the test answers it. */
function fakeAnswersEndpoint() {
  const calls: {
    answers: AnswerUpload[];
    key: string;
    ok: () => void;
    fail: (err: unknown) => void;
  }[] = [];
  const saveAnswers = (answers: AnswerUpload[], key: string) =>
    new Promise<unknown>((resolve, reject) =>
      calls.push({ answers, key, ok: () => resolve({}), fail: reject }),
    );
  return { saveAnswers, calls };
}

function setup(options: { online?: boolean; storage?: ReturnType<typeof memoryStorage> } = {}) {
  const ws = fakeWebSockets();
  const network = fakeNetwork(options.online ?? true);
  const storage = options.storage ?? memoryStorage();
  const http = fakeAnswersEndpoint();
  const refreshAuth = vi.fn(async () => true);
  const channel = new SocketChannel<ClientMessage, ServerMessage>({
    url: async () => 'ws://exam.test/api/v1/ws?token=t',
    WebSocket: ws.WebSocket,
    network,
    refreshAuth,
  });
  const events = {
    onClockOffset: vi.fn(),
    onDeadline: vi.fn(),
    onKicked: vi.fn(),
    onSessionEnded: vi.fn(),
    onRejected: vi.fn(),
  } satisfies SyncEvents;
  const sync = new AnswerSync(SID, events, {
    channel,
    saveAnswers: http.saveAnswers,
    storage,
    network,
  });
  const saves = () => ws.sockets.flatMap((s) => s.sent.filter((m) => m.type === 'save'));
  return { ws, network, storage, http, events, sync, saves };
}

const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('AnswerSync over the socket', () => {
  it('sends each answer as a save and forgets it once the server acknowledged it', async () => {
    const { ws, sync, saves, storage } = setup();
    sync.start();
    await settle();
    ws.last().accept();
    sync.set('q1', ['B']);
    expect(sync.getState()).toMatchObject({ mode: 'saving', pendingCount: 1, socketOpen: true });
    expect(readPending(SID, storage)).toEqual({ q1: ['B'] });

    const [save] = saves();
    expect(save).toMatchObject({
      type: 'save',
      sessionId: SID,
      questionId: 'q1',
      answer: ['B'],
      idempotencyKey: expect.any(String),
    });
    ws.last().deliver({
      type: 'saved',
      id: save!.id,
      questionId: 'q1',
      savedAt: new Date().toISOString(),
    });
    await settle();
    expect(sync.getState()).toMatchObject({ mode: 'saved', pendingCount: 0 });
    expect(sync.getState().lastSavedAt).not.toBeNull();
    expect(readPending(SID, storage)).toEqual({});
    sync.stop();
  });

  it('sends an answer again on the new socket when the old one closed before the ack', async () => {
    const { ws, http, sync, saves } = setup();
    sync.start();
    await settle();
    ws.last().accept();
    sync.set('q1', ['A']);
    const first = saves()[0]!;
    ws.last().hangUp(1006);
    // reconnects after 1 s: before HTTP takes over (1.5 s)
    await vi.advanceTimersByTimeAsync(1_000);
    expect(ws.sockets).toHaveLength(2);
    ws.last().accept();
    const again = ws.last().sent.find((m) => m.type === 'save')!;
    expect(again.idempotencyKey).toBe(first.idempotencyKey);
    expect(again.id).not.toBe(first.id);
    ws.last().deliver({
      type: 'saved',
      id: again.id,
      questionId: 'q1',
      savedAt: new Date().toISOString(),
    });
    await settle();
    expect(sync.getState().mode).toBe('saved');
    expect(http.calls).toHaveLength(0);
    sync.stop();
  });

  it('passes on what the server pushes: extra time, the end of the session, the server clock', async () => {
    const { ws, events, sync } = setup();
    sync.start();
    await settle();
    ws.last().accept();
    ws.last().deliver({
      type: 'time',
      sessionId: SID,
      endsAt: '2026-03-02T09:10:00.000Z',
      serverNow: '2026-03-02T08:30:00.000Z',
    });
    ws.last().deliver({ type: 'time', sessionId: 'another-session', endsAt: 'x', serverNow: 'y' });
    ws.last().deliver({ type: 'closed', sessionId: SID, reason: 'TIME_UP' });
    const ping = ws.last().sent.find((m) => m.type === 'ping')!;
    ws.last().deliver({
      type: 'pong',
      id: ping.id,
      serverNow: new Date(Date.now() + 3_000).toISOString(),
    });
    await settle();
    expect(events.onDeadline).toHaveBeenCalledTimes(1);
    expect(events.onDeadline).toHaveBeenCalledWith(
      '2026-03-02T09:10:00.000Z',
      '2026-03-02T08:30:00.000Z',
    );
    expect(events.onSessionEnded).toHaveBeenCalledWith('TIME_UP');
    expect(events.onClockOffset).toHaveBeenCalledTimes(1);
    sync.stop();
  });

  it('stops for good when the student signs in elsewhere (kicked message or close 4001)', async () => {
    for (const how of ['message', 'close'] as const) {
      const { ws, events, sync } = setup();
      sync.start();
      await settle();
      ws.last().accept();
      if (how === 'message') ws.last().deliver({ type: 'kicked', reason: 'SESSION_REPLACED' });
      else ws.last().hangUp(4001);
      expect(events.onKicked).toHaveBeenCalledTimes(1);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(ws.sockets).toHaveLength(1);
      sync.stop();
    }
  });

  it('drops an answer the server refuses for good, and tells the runner', async () => {
    const { ws, events, sync, saves, storage } = setup();
    sync.start();
    await settle();
    ws.last().accept();
    sync.set('q1', ['Z']);
    ws.last().deliver({
      type: 'error',
      id: saves()[0]!.id,
      code: 'VALIDATION_FAILED',
      message: 'no option Z',
    });
    await settle();
    expect(events.onRejected).toHaveBeenCalledWith('q1', 'no option Z');
    expect(sync.getState().pendingCount).toBe(0);
    expect(readPending(SID, storage)).toEqual({});
    sync.stop();
  });
});

describe('AnswerSync offline', () => {
  it('keeps answers in the browser while offline, through a reload, and sends them when the network is back', async () => {
    const storage = memoryStorage();
    const before = setup({ online: false, storage });
    before.sync.start();
    await settle();
    before.sync.set('q1', ['A']);
    before.sync.set('q2', ['C', 'D']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(before.ws.sockets).toHaveLength(0);
    expect(before.http.calls).toHaveLength(0);
    expect(before.sync.getState()).toMatchObject({ mode: 'offline', pendingCount: 2 });
    before.sync.stop();

    // the page reloads, still offline: nothing is lost
    const after = setup({ online: false, storage });
    expect(after.sync.getState()).toMatchObject({ mode: 'offline', pendingCount: 2 });
    after.sync.start();
    after.network.set(true);
    await settle();
    after.ws.last().accept();
    const sent = after.saves();
    expect(sent.map((m) => [m.questionId, m.answer])).toEqual([
      ['q1', ['A']],
      ['q2', ['C', 'D']],
    ]);
    for (const m of sent)
      after.ws.last().deliver({
        type: 'saved',
        id: m.id,
        questionId: m.questionId,
        savedAt: new Date().toISOString(),
      });
    await settle();
    expect(after.sync.getState()).toMatchObject({ mode: 'saved', pendingCount: 0 });
    expect(readPending(SID, storage)).toEqual({});
    after.sync.stop();
  });
});

describe('AnswerSync falls back to HTTP', () => {
  it('when the socket cannot connect: the pending answers go in one PUT once it has been down 1.5 s', async () => {
    const { ws, http, sync } = setup();
    sync.start();
    await settle();
    ws.last().hangUp(1011); // a proxy that breaks WebSockets
    sync.set('q1', ['A']);
    sync.set('q2', ['B']);
    // the pump looks once a second: at 1 s the socket has not been down 1.5 s yet
    await vi.advanceTimersByTimeAsync(1_000);
    expect(http.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(http.calls).toHaveLength(1);
    const [call] = http.calls;
    expect(call!.answers.map((a) => [a.questionId, a.answer])).toEqual([
      ['q1', ['A']],
      ['q2', ['B']],
    ]);
    call!.ok();
    await settle();
    expect(sync.getState()).toMatchObject({ mode: 'saved', pendingCount: 0 });
    sync.stop();
  });

  it('when the ack is late: the socket is dropped and HTTP carries the save', async () => {
    const { ws, http, sync, saves } = setup();
    sync.start();
    await settle();
    ws.last().accept();
    sync.set('q1', ['A']);
    const wsSave = saves()[0]!;
    await vi.advanceTimersByTimeAsync(6_000);
    expect(ws.sockets[0]!.closedWith).toEqual({ code: 1000, reason: 'reconnecting' });
    // the new socket is refused too; HTTP takes over
    await vi.advanceTimersByTimeAsync(1_000);
    ws.last().hangUp(1006);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(http.calls).toHaveLength(1);
    // the same version: one key, so a save that did land is stored once
    expect(http.calls[0]!.key).toBe(wsSave.idempotencyKey);
    http.calls[0]!.ok();
    await settle();
    expect(sync.getState().mode).toBe('saved');
    sync.stop();
  });

  it('retries a failed PUT with the same key, backing off, and waits as long as Retry-After says', async () => {
    const { ws, http, sync } = setup();
    sync.start();
    await settle();
    ws.last().hangUp(1006);
    await settle();
    // later attempts to connect are refused as well
    const refuse = setInterval(
      () => ws.sockets.filter((s) => !s.closedWith).forEach((s) => s.hangUp(1006)),
      100,
    );
    sync.set('q1', ['A']);
    sync.set('q2', ['B']);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(http.calls).toHaveLength(1);

    http.calls[0]!.fail(new ApiError(0, 'NETWORK', 'The server could not be reached.'));
    await settle();
    expect(sync.getState().mode).toBe('offline'); // the socket is down too
    await vi.advanceTimersByTimeAsync(1_000);
    expect(http.calls).toHaveLength(2);
    http.calls[1]!.fail(new ApiError(0, 'NETWORK', 'The server could not be reached.'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(http.calls).toHaveLength(2); // 2 s this time
    await vi.advanceTimersByTimeAsync(1_000);
    expect(http.calls).toHaveLength(3);

    http.calls[2]!.fail(new ApiError(503, 'UNAVAILABLE', 'busy', 5));
    await vi.advanceTimersByTimeAsync(4_000);
    expect(http.calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(http.calls).toHaveLength(4);
    expect(new Set(http.calls.map((c) => c.key))).toEqual(new Set([http.calls[0]!.key]));
    http.calls[3]!.ok();
    await settle();
    expect(sync.getState()).toMatchObject({ mode: 'saved', pendingCount: 0 });
    clearInterval(refuse);
    sync.stop();
  });

  it('finds the one answer the server refuses by sending the batch one at a time', async () => {
    const { ws, http, events, sync } = setup();
    sync.start();
    await settle();
    ws.last().hangUp(1006);
    const refuse = setInterval(
      () => ws.sockets.filter((s) => !s.closedWith).forEach((s) => s.hangUp(1006)),
      100,
    );
    sync.set('q1', ['A']);
    sync.set('q2', ['nonsense']);
    sync.set('q3', ['C']);
    await vi.advanceTimersByTimeAsync(2_000);
    // the server refuses any batch with q2 in it
    for (let answered = 0; answered < http.calls.length; answered++) {
      const call = http.calls[answered]!;
      if (call.answers.some((a) => a.questionId === 'q2'))
        call.fail(new ApiError(400, 'VALIDATION_FAILED', 'no such option'));
      else call.ok();
      await vi.advanceTimersByTimeAsync(1_000);
    }
    // q2 is given up only once it was sent on its own; the others were stored
    const alone = http.calls
      .filter((c) => c.answers.length === 1)
      .map((c) => c.answers[0]!.questionId);
    expect(alone).toContain('q2');
    expect(events.onRejected).toHaveBeenCalledTimes(1);
    expect(events.onRejected).toHaveBeenCalledWith('q2', 'no such option');
    expect(sync.getState()).toMatchObject({ mode: 'saved', pendingCount: 0 });
    clearInterval(refuse);
    sync.stop();
  });

  it('ends the session when HTTP says time is up', async () => {
    const { ws, http, events, sync } = setup();
    sync.start();
    await settle();
    ws.last().hangUp(1006);
    sync.set('q1', ['A']);
    await vi.advanceTimersByTimeAsync(2_000);
    http.calls[0]!.fail(new ApiError(409, 'TIME_UP', 'time is up'));
    await settle();
    expect(events.onSessionEnded).toHaveBeenCalledWith('TIME_UP');
    sync.stop();
  });

  it('flush() lets HTTP carry the rest at once, without waiting for the socket', async () => {
    const { ws, http, sync } = setup();
    sync.start();
    await settle();
    ws.last().hangUp(1006);
    await vi.advanceTimersByTimeAsync(1_000);
    ws.last().accept();
    ws.last().hangUp(1006); // it had just opened: HTTP would normally wait 1.5 s
    sync.set('q1', ['A']);
    const flushed = sync.flush(5_000);
    await settle();
    expect(http.calls).toHaveLength(1);
    http.calls[0]!.ok();
    await vi.advanceTimersByTimeAsync(200);
    await expect(flushed).resolves.toBe(true);
    sync.stop();
  });
});

describe('AnswerSync keeps answers in order', () => {
  it('never has two versions of one answer in flight: the newer goes after the older is acknowledged', async () => {
    const { ws, sync, saves, storage } = setup();
    sync.start();
    await settle();
    ws.last().accept();
    sync.set('q1', ['A']);
    sync.set('q1', ['B']);
    sync.set('q2', ['C']);
    expect(saves().map((m) => [m.questionId, m.answer])).toEqual([
      ['q1', ['A']],
      ['q2', ['C']],
    ]);
    const [a] = saves();
    ws.last().deliver({
      type: 'saved',
      id: a!.id,
      questionId: 'q1',
      savedAt: new Date().toISOString(),
    });
    await settle();
    // A's ack does not clear B, which goes now
    expect(readPending(SID, storage).q1).toEqual(['B']);
    const b = saves()[2]!;
    expect([b.questionId, b.answer]).toEqual(['q1', ['B']]);
    expect(b.idempotencyKey).not.toBe(a!.idempotencyKey);
    ws.last().deliver({
      type: 'saved',
      id: b.id,
      questionId: 'q1',
      savedAt: new Date().toISOString(),
    });
    await settle();
    expect(sync.getState().pendingCount).toBe(1); // q2 still waits for its ack
    sync.stop();
  });

  it('over HTTP too: a change made while a PUT is out goes in the next one, under a new key', async () => {
    const { ws, http, sync, storage } = setup();
    sync.start();
    await settle();
    ws.last().hangUp(1006);
    const refuse = setInterval(
      () => ws.sockets.filter((s) => !s.closedWith).forEach((s) => s.hangUp(1006)),
      100,
    );
    sync.set('q1', ['A']);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(http.calls).toHaveLength(1);
    sync.set('q1', ['B']);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(http.calls).toHaveLength(1); // one PUT at a time
    http.calls[0]!.ok();
    await settle();
    expect(readPending(SID, storage)).toEqual({ q1: ['B'] });
    expect(http.calls).toHaveLength(2);
    expect(http.calls[1]!.answers[0]!.answer).toEqual(['B']);
    expect(http.calls[1]!.key).not.toBe(http.calls[0]!.key);
    http.calls[1]!.ok();
    await settle();
    expect(sync.getState().pendingCount).toBe(0);
    clearInterval(refuse);
    sync.stop();
  });
});
