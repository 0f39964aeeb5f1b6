import type { InfraChannel } from '../bus/port.js';

/**
 * Every Redis key and channel name Examhall uses, built here and nowhere else (STYLE.md,
 * after BullMQ's queue-keys.ts). Two hash tags decide where keys live on Redis Cluster:
 *
 *  * `{L<n>}` — log shard n. A session's keys (meta, answers, save idempotency, the due
 *    index) live in the slot of the log shard its id hashes to, together with that shard's
 *    stream. On Cluster every key one script touches must share a slot, and the save script
 *    must append to the durable log in the same atomic step as it writes the answer — so the
 *    tag is the shard, not the session id. Sessions still spread over `shards` slots.
 *  * `{e:<examId>}` — one exam: the cached exam and its student → session index.
 *  * `{lb:<group>}` — one leaderboard group (an exam with its cohort boards, or a series).
 *
 * The exam+student → session mapping is arbitrated by PostgreSQL's UNIQUE (exam_id,
 * student_id): createSession writes through with INSERT … ON CONFLICT anyway, so racing
 * starts on different processes meet there, and no script needs keys of two slots. The
 * Redis index (`sessionIndex`) is only a cache of that answer for fast resumes.
 */
export const DEFAULT_PREFIX = 'examhall:';
export const DEFAULT_SHARDS = 16;

/** The consumer group every writer reads the log through. */
export const WRITER_GROUP = 'writers';

export class RedisKeys {
  constructor(
    readonly prefix: string = DEFAULT_PREFIX,
    readonly shards: number = DEFAULT_SHARDS,
  ) {
    // A brace in the prefix would become the hash tag and put everything in one slot.
    if (/[{}]/.test(prefix)) throw new Error(`Redis key prefix must not contain braces: ${prefix}`);
    if (!Number.isInteger(shards) || shards < 1 || shards > 1024)
      throw new Error(`Redis log shards must be 1..1024: ${shards}`);
  }

  /** The log shard of a session: stable across processes and restarts (FNV-1a of the id). */
  shardOf(sessionId: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < sessionId.length; i += 1) {
      h ^= sessionId.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h % this.shards;
  }

  allShards(): number[] {
    return Array.from({ length: this.shards }, (_, i) => i);
  }

  private shardTag(shard: number): string {
    return `{L${shard}}`;
  }

  // ── One session (slot of its log shard) ────────────────────────────────────────────

  /** Hash: id, examId, studentId, status, startedAt, endsAt, seq, lastLog, result, … */
  sessionMeta(sessionId: string): string {
    return `${this.prefix}session:${this.shardTag(this.shardOf(sessionId))}:${sessionId}`;
  }

  /** Hash: questionId → answer record JSON `{"seq","at","ts","on","a"}`. */
  sessionAnswers(sessionId: string): string {
    return `${this.prefix}answers:${this.shardTag(this.shardOf(sessionId))}:${sessionId}`;
  }

  /** String with a TTL: the first ack of a save carrying this Idempotency-Key. */
  savedKey(sessionId: string, idempotencyKey: string): string {
    return `${this.prefix}saved:${this.shardTag(this.shardOf(sessionId))}:${sessionId}:${idempotencyKey}`;
  }

  // ── One log shard ──────────────────────────────────────────────────────────────────

  /** Stream: the durable log of every session in this shard, drained into PostgreSQL. */
  log(shard: number): string {
    return `${this.prefix}log:${this.shardTag(shard)}`;
  }

  /** Stream: entries PostgreSQL refused for good (bad data), kept for an operator. */
  deadLetters(shard: number): string {
    return `${this.prefix}dead:${this.shardTag(shard)}`;
  }

  /** Sorted set: IN_PROGRESS sessions of this shard by endsAt, for the expiry sweeper. */
  due(shard: number): string {
    return `${this.prefix}due:${this.shardTag(shard)}`;
  }

  /** String with a TTL: which writer owns this shard (one at a time keeps it in order). */
  lease(shard: number): string {
    return `${this.prefix}lease:${this.shardTag(shard)}`;
  }

  // ── One exam ───────────────────────────────────────────────────────────────────────

  /** String: the CachedExam JSON. */
  exam(examId: string): string {
    return `${this.prefix}exam:{e:${examId}}`;
  }

  /** Hash: studentId → sessionId (a cache of PostgreSQL's unique exam+student). */
  sessionIndex(examId: string): string {
    return `${this.prefix}sessions:{e:${examId}}`;
  }

  // ── One leaderboard group (an exam and its cohort boards, or a series) ───────────────
  //
  // `{lb:<group>}` puts every board of a group in one slot, so a script may touch several of
  // them (and a board's staging copy) on Redis Cluster. Below the tag, `b:` holds boards and
  // `staging:` rebuilds in progress, so no board name can collide with a staging key.

  /** Set: the board names of a group that have keys, for clearing the group in one script. */
  leaderboardBoards(group: string): string {
    return `${this.leaderboardTag(group)}:boards`;
  }

  /**
   * What clear-1.lua puts before a board name and `:order` / `:entries` after it: the one
   * place outside this file that builds a key, because a group's boards are only known inside
   * the script (leaderboards/lua/clear-1.lua). Keep the two in step with leaderboard().
   */
  leaderboardBoardBase(group: string): string {
    return `${this.leaderboardTag(group)}:b:`;
  }

  /**
   * One board: `order` is a sorted set of `<submittedAt, 15 digits>:<studentId>` scored by
   * −score in hundredths; `entries` a hash studentId → `<version>|<order member>` (empty
   * member: removed at that version).
   */
  leaderboard(group: string, board: string): { order: string; entries: string } {
    const base = `${this.leaderboardBoardBase(group)}${board}`;
    return { order: `${base}:order`, entries: `${base}:entries` };
  }

  /** A board being rebuilt (with a TTL until it is renamed in), in the board's slot. */
  leaderboardStaging(group: string, token: string): { order: string; entries: string } {
    const base = `${this.leaderboardTag(group)}:staging:${token}`;
    return { order: `${base}:order`, entries: `${base}:entries` };
  }

  private leaderboardTag(group: string): string {
    // A brace in the group id would end or move the hash tag and split a group over slots.
    if (/[{}]/.test(group)) throw new Error(`leaderboard group must not contain braces: ${group}`);
    return `${this.prefix}lb:{lb:${group}}`;
  }

  // ── Process-wide ───────────────────────────────────────────────────────────────────

  /** String with a TTL: a remembered response (submit and other retried commands). */
  idempotent(key: string): string {
    return `${this.prefix}idem:${key}`;
  }

  /**
   * Failed attempts of one account, IP or student+exam (auth/login-limiter.ts): the count in
   * the current window, the lock and the locks so far. One script touches all three, so they
   * share a hash tag (the key may hold braces of its own: the tag ends at the first `}`,
   * which is the same in all three).
   */
  failures(scope: string, key: string): { count: string; lock: string; strikes: string } {
    const base = `${this.prefix}fail:{${scope}:${key}}`;
    return { count: `${base}:n`, lock: `${base}:lock`, strikes: `${base}:locks` };
  }

  /** Sorted set: writer consumer → last heartbeat, for sharing the shards fairly. */
  writers(): string {
    return `${this.prefix}writers`;
  }

  /** Hash: settings every process must agree on (the shard count). */
  settings(): string {
    return `${this.prefix}settings`;
  }

  // ── Pub/sub channels ───────────────────────────────────────────────────────────────

  channel(name: InfraChannel): string {
    return `${this.prefix}ch:${name}`;
  }

  /** Channel: a domain topic of the bus (`session.scored`, …). */
  topic(name: string): string {
    return `${this.prefix}ev:${name}`;
  }
}
