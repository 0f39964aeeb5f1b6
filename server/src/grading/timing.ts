/**
 * Server-authoritative time (ARCHITECTURE.md, "Start" and "Save"). All in epoch ms.
 */

/** A session ends when its duration runs out, but never after the exam's window closes. */
export function sessionEndsAt(
  startedAt: number,
  durationMinutes: number,
  scheduledEnd: number,
): number {
  return Math.min(startedAt + durationMinutes * 60_000, scheduledEnd);
}

/**
 * A save is accepted until endsAt + grace. The grace covers network delay only (an answer
 * clicked at 09:59:59.9 that arrives at 10:00:01), not extra thinking time.
 */
export function saveAllowed(now: number, endsAt: number, graceMs: number): boolean {
  return now <= endsAt + graceMs;
}

/** The sweeper may submit a session once no save could be accepted any more. */
export function isExpired(now: number, endsAt: number, graceMs: number): boolean {
  return !saveAllowed(now, endsAt, graceMs);
}

/** Starting is possible inside [scheduledStart, scheduledEnd). */
export function withinSchedule(now: number, scheduledStart: number, scheduledEnd: number): boolean {
  return now >= scheduledStart && now < scheduledEnd;
}
