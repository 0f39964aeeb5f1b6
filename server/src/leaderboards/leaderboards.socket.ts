import type { Cohort } from '../../../contracts/leaderboards.js';
import {
  UnwatchMessage,
  WatchMessage,
  type LeaderboardServerMessage,
} from '../../../contracts/ws/leaderboards.js';
import type { MessageId } from '../../../contracts/ws/gateway.js';
import type { StaffPrincipal, StudentPrincipal } from '../auth/index.js';
import { AppError } from '../platform/errors.js';
import type { Peer, SocketGateway } from '../ws/index.js';
import type { LeaderboardsService } from './leaderboards.service.js';

type Viewer = StudentPrincipal | StaffPrincipal;

interface Watch {
  peer: Peer<Viewer>;
  examId: string;
  cohort: Cohort;
  id?: MessageId;
}

/** A socket watches a handful of boards at most (a page, a second tab's worth). */
const MAX_WATCHES_PER_SOCKET = 10;

/**
 * `leaderboard.watch` / `leaderboard.unwatch` on the one socket (API.md): an immediate
 * `leaderboard.update` echoing the watch's id, then one whenever the exam's boards changed,
 * at most one a second per watch — changes are collected and flushed by a one-second tick,
 * so a submit burst of thousands costs each watcher one frame a second.
 */
export function registerLeaderboardSocket(
  gateway: SocketGateway,
  leaderboards: LeaderboardsService,
  options: { intervalMs?: number; logger?: { warn(o: object, m: string): void } } = {},
) {
  const byExam = new Map<string, Set<Watch>>();
  const byPeer = new Map<Peer<Viewer>, Set<Watch>>();
  const dirty = new Set<string>();
  let timer: NodeJS.Timeout | undefined;

  const same = (w: Watch, examId: string, cohort: Cohort) =>
    w.examId === examId && w.cohort === cohort;

  function remove(watch: Watch): void {
    byExam.get(watch.examId)?.delete(watch);
    if (byExam.get(watch.examId)?.size === 0) byExam.delete(watch.examId);
    byPeer.get(watch.peer)?.delete(watch);
    if (byPeer.get(watch.peer)?.size === 0) byPeer.delete(watch.peer);
  }

  async function push(watch: Watch): Promise<void> {
    if (watch.peer.closed) return remove(watch);
    try {
      const board = await leaderboards.watchBoard(watch.peer.principal, watch.examId, watch.cohort);
      watch.peer.send({ type: 'leaderboard.update', ...board } satisfies LeaderboardServerMessage);
    } catch (err) {
      // Access ended (the board was switched off, or made staff-only): the watch ends too.
      if (err instanceof AppError) {
        watch.peer.send({ type: 'error', code: err.code, message: err.message });
        remove(watch);
      } else options.logger?.warn({ err, examId: watch.examId }, 'leaderboard push failed');
    }
  }

  let flushing = false;
  async function flush(): Promise<void> {
    // A slow flush is not overlapped: what changed meanwhile waits for the next tick.
    if (flushing) return;
    flushing = true;
    try {
      const exams = [...dirty];
      dirty.clear();
      for (const examId of exams) {
        const watches = byExam.get(examId);
        if (watches) await Promise.all([...watches].map(push));
      }
    } finally {
      flushing = false;
    }
  }

  const stopListening = leaderboards.onChange((group) => {
    if (byExam.has(group)) dirty.add(group);
  });

  gateway.handle<Viewer, WatchMessage>({
    type: 'leaderboard.watch',
    schema: WatchMessage,
    from: ['student', 'staff'],
    async run(m, peer) {
      const cohort = m.cohort ?? 'exam';
      const board = await leaderboards.watchBoard(peer.principal, m.examId, cohort);
      let mine = byPeer.get(peer);
      if (![...(mine ?? [])].some((w) => same(w, m.examId, cohort))) {
        if ((mine?.size ?? 0) >= MAX_WATCHES_PER_SOCKET)
          throw new AppError(
            'RATE_LIMITED',
            `A socket watches at most ${MAX_WATCHES_PER_SOCKET} boards`,
          );
        const watch: Watch = {
          peer,
          examId: m.examId,
          cohort,
          ...(m.id !== undefined ? { id: m.id } : {}),
        };
        if (!mine) byPeer.set(peer, (mine = new Set()));
        mine.add(watch);
        let watching = byExam.get(m.examId);
        if (!watching) byExam.set(m.examId, (watching = new Set()));
        watching.add(watch);
      }
      return { type: 'leaderboard.update', ...board } satisfies LeaderboardServerMessage;
    },
  });

  gateway.handle<Viewer, UnwatchMessage>({
    type: 'leaderboard.unwatch',
    schema: UnwatchMessage,
    from: ['student', 'staff'],
    async run(m, peer) {
      const cohort = m.cohort ?? 'exam';
      for (const w of [...(byPeer.get(peer) ?? [])]) if (same(w, m.examId, cohort)) remove(w);
      return {
        type: 'leaderboard.unwatched',
        examId: m.examId,
        cohort,
      } satisfies LeaderboardServerMessage;
    },
  });

  gateway.onDisconnect((peer) => {
    for (const w of [...(byPeer.get(peer as Peer<Viewer>) ?? [])]) remove(w);
  });

  return {
    start(): void {
      timer ??= setInterval(() => void flush(), options.intervalMs ?? 1000);
      timer.unref();
    },
    stop(): void {
      if (timer) clearInterval(timer);
      timer = undefined;
      stopListening();
    },
    /** For tests: send what is due now instead of waiting for the tick. */
    flush,
    watching: () => [...byPeer.values()].reduce((n, s) => n + s.size, 0),
  };
}
