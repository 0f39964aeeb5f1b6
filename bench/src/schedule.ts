import { performance } from 'node:perf_hooks';

/** At most this many sends per event-loop turn, so replies keep being read (and timed) while catching up. */
const MAX_SENDS_PER_TURN = 64;

/**
 * The open-loop clock: event i is due at `start + i × window / count`, whether or not
 * earlier requests have been answered. `fire` gets the due time so latency is measured from
 * when the request *should* have left — a slow server cannot slow the schedule down and hide
 * its own latency (coordinated omission). When the generator itself falls behind, the events
 * leave late and the recorder's send-lag histogram says so.
 */
export function runOpenLoop(
  count: number,
  windowMs: number,
  fire: (index: number, scheduledAt: number) => void,
): Promise<void> {
  return new Promise((resolve) => {
    if (count <= 0) return resolve();
    const start = performance.now() + 2;
    const gap = count > 1 ? windowMs / count : 0;
    let next = 0;
    const tick = (): void => {
      const now = performance.now();
      let sentThisTurn = 0;
      while (next < count && sentThisTurn < MAX_SENDS_PER_TURN) {
        const due = start + next * gap;
        if (due > now) break;
        fire(next, due);
        next += 1;
        sentThisTurn += 1;
      }
      if (next >= count) return resolve();
      // Sleep even when the next send is under a millisecond away: spinning on setImmediate
      // burnt ~15% of a core in the generator. Sends leave in ~1 ms batches instead, and the
      // recorder's send lag shows that cost honestly.
      if (sentThisTurn >= MAX_SENDS_PER_TURN) setImmediate(tick);
      else setTimeout(tick, Math.max(1, Math.floor(start + next * gap - performance.now())));
    };
    tick();
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Closed-loop helper for set-up work (provisioning, soak logins): at most `concurrency` in flight. */
export async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next;
      next += 1;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
}
