import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { projectRoot } from '../platform/paths.js';
import type { RedisKeys } from '../platform/redis/keys.js';
import { LuaScript, tuple } from '../platform/redis/scripts.js';
import {
  checkVersion,
  latestPerStudent,
  rankRows,
  toStored,
  type BoardEntry,
  type BoardRank,
  type BoardRef,
  type BoardRow,
  type IndexChange,
  type LeaderboardIndex,
  type StoredEntry,
} from './index-port.js';

/**
 * The redis adapter: one sorted set per board orders it and ranks it at once.
 *
 * Board order is (score desc, submittedAt asc, studentId asc), more than a double can pack
 * into one sorted-set score. So the score is −(score in hundredths) — ascending order is
 * score descending, and equal scores are equal exactly — and the tie-breaks live in the
 * member, `<submittedAt, 15 digits>:<studentId>`: Redis orders equal scores by member bytes,
 * which is earlier submission, then studentId. Competition rank is then 1 + ZCOUNT of
 * stored scores strictly below the student's (exclusive bound), `below` the ZCOUNT strictly
 * above, and "around" is ZRANK plus a ZRANGE. A hash maps studentId → version and member,
 * so the member (and the version guard) is found from the student alone.
 *
 * Every change is one Lua script on keys of the group's hash slot (`{lb:<group>}`).
 */

// From the sources, as the platform's scripts are: the build does not copy .lua files.
const LUA = path.join(projectRoot, 'server/src/leaderboards/lua');

const SCRIPTS = {
  put: new LuaScript(LUA, 'put-3.lua'),
  putBoards: new LuaScript(LUA, 'putBoards-1.lua'),
  remove: new LuaScript(LUA, 'remove-3.lua'),
  get: new LuaScript(LUA, 'get-2.lua'),
  rank: new LuaScript(LUA, 'rank-2.lua'),
  around: new LuaScript(LUA, 'around-2.lua'),
  swap: new LuaScript(LUA, 'swap-5.lua'),
  clear: new LuaScript(LUA, 'clear-1.lua'),
};

/** A rebuild's staging keys outlive a crashed rebuild by this much, then Redis drops them. */
const STAGING_TTL_MS = 10 * 60_000;
/** Members per command while staging a rebuild: big enough to be quick, small enough not to stall Redis. */
const STAGING_CHUNK = 1000;

const SUBMITTED_AT_DIGITS = 15;

function memberOf(entry: StoredEntry): string {
  return `${String(entry.submittedAt).padStart(SUBMITTED_AT_DIGITS, '0')}:${entry.studentId}`;
}

function studentOf(member: string): string {
  return member.slice(SUBMITTED_AT_DIGITS + 1);
}

/** The stored score: negated hundredths (written so 0 is "0", never "-0"). */
function storedScore(cents: number): string {
  return cents === 0 ? '0' : String(-cents);
}

function centsOf(stored: unknown): number {
  return -Number(stored) || 0;
}

function change(reply: unknown): IndexChange {
  if (reply === 'applied' || reply === 'unchanged' || reply === 'stale') return reply;
  throw new Error(`unexpected leaderboard script reply: ${JSON.stringify(reply)}`);
}

/** Flat `member, score, member, score, …` (ZRANGE WITHSCORES) as rows. */
function pairs(flat: readonly unknown[]): { studentId: string; cents: number }[] {
  const rows: { studentId: string; cents: number }[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2)
    rows.push({ studentId: studentOf(String(flat[i])), cents: centsOf(flat[i + 1]) });
  return rows;
}

export class RedisLeaderboardIndex implements LeaderboardIndex {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  private boardKeys(ref: BoardRef) {
    return {
      ...this.keys.leaderboard(ref.group, ref.board),
      boards: this.keys.leaderboardBoards(ref.group),
    };
  }

  async put(ref: BoardRef, input: BoardEntry): Promise<IndexChange> {
    const entry = toStored(input);
    const k = this.boardKeys(ref);
    const reply = await SCRIPTS.put.run(
      this.redis,
      [k.order, k.entries, k.boards],
      [entry.studentId, entry.version, memberOf(entry), storedScore(entry.cents), ref.board],
    );
    return change(reply);
  }

  async putBoards(
    group: string,
    boards: readonly string[],
    input: BoardEntry,
  ): Promise<IndexChange[]> {
    if (boards.length === 0) return [];
    const entry = toStored(input);
    const reply = await SCRIPTS.putBoards.run(
      this.redis,
      [this.keys.leaderboardBoards(group)],
      [
        this.keys.leaderboardBoardBase(group),
        entry.studentId,
        entry.version,
        memberOf(entry),
        storedScore(entry.cents),
        ...boards,
      ],
    );
    if (!Array.isArray(reply) || reply.length !== boards.length)
      throw new Error(`unexpected leaderboard script reply: ${JSON.stringify(reply)}`);
    return reply.map(change);
  }

  async remove(ref: BoardRef, studentId: string, version?: number): Promise<IndexChange> {
    if (version !== undefined) checkVersion(version);
    const k = this.boardKeys(ref);
    const reply = await SCRIPTS.remove.run(
      this.redis,
      [k.order, k.entries, k.boards],
      [studentId, version ?? '', ref.board],
    );
    return change(reply);
  }

  async get(ref: BoardRef, studentId: string): Promise<BoardEntry | null> {
    const k = this.boardKeys(ref);
    const reply = await SCRIPTS.get.run(this.redis, [k.order, k.entries], [studentId]);
    if (reply === null) return null;
    const [version, member, stored] = tuple(reply, 3);
    return {
      studentId,
      score: centsOf(stored) / 100,
      submittedAt: Number(String(member).slice(0, SUBMITTED_AT_DIGITS)),
      version: Number(version),
    };
  }

  async rank(ref: BoardRef, studentId: string): Promise<BoardRank | null> {
    const k = this.boardKeys(ref);
    const reply = await SCRIPTS.rank.run(this.redis, [k.order, k.entries], [studentId]);
    if (reply === null) return null;
    const [rank, total, below, stored] = tuple(reply, 4);
    return {
      rank: Number(rank),
      total: Number(total),
      below: Number(below),
      score: centsOf(stored) / 100,
    };
  }

  async top(ref: BoardRef, n: number): Promise<BoardRow[]> {
    const count = Math.floor(n);
    if (!(count > 0)) return [];
    // One command: a consistent read, and the first row of a board is rank 1 by definition.
    const flat = await this.redis.zrange(
      this.keys.leaderboard(ref.group, ref.board).order,
      '0',
      String(count - 1),
      'WITHSCORES',
    );
    return rankRows(pairs(flat), 0, 1);
  }

  async around(ref: BoardRef, studentId: string, k: number): Promise<BoardRow[] | null> {
    const keys = this.boardKeys(ref);
    const side = Math.max(0, Math.floor(k));
    const reply = await SCRIPTS.around.run(
      this.redis,
      [keys.order, keys.entries],
      [studentId, side],
    );
    if (reply === null) return null;
    const [first, firstRank, ...flat] = tuple(reply, 4);
    return rankRows(pairs(flat), Number(first), Number(firstRank));
  }

  async count(ref: BoardRef): Promise<number> {
    return this.redis.zcard(this.keys.leaderboard(ref.group, ref.board).order);
  }

  async boards(group: string): Promise<string[]> {
    return this.redis.smembers(this.keys.leaderboardBoards(group));
  }

  async replaceAll(ref: BoardRef, input: readonly BoardEntry[]): Promise<void> {
    const entries = latestPerStudent(input);
    const k = this.boardKeys(ref);
    const staging = this.keys.leaderboardStaging(ref.group, randomBytes(8).toString('hex'));
    try {
      // Built aside in chunks (readers keep the old board meanwhile), swapped in by one script.
      for (let i = 0; i < entries.length; i += STAGING_CHUNK) {
        const chunk = entries.slice(i, i + STAGING_CHUNK);
        const zadd: string[] = [];
        const hset: string[] = [];
        for (const entry of chunk) {
          const member = memberOf(entry);
          zadd.push(storedScore(entry.cents), member);
          hset.push(entry.studentId, `${entry.version}|${member}`);
        }
        const replies = await this.redis
          .multi()
          .zadd(staging.order, ...zadd)
          .hset(staging.entries, ...hset)
          .pexpire(staging.order, STAGING_TTL_MS)
          .pexpire(staging.entries, STAGING_TTL_MS)
          .exec();
        // MULTI reports a failed command in its reply instead of rejecting.
        const failed = replies?.find(([err]) => err)?.[0];
        if (!replies || failed) throw failed ?? new Error('leaderboard staging was aborted');
      }
      await SCRIPTS.swap.run(
        this.redis,
        [k.order, k.entries, staging.order, staging.entries, k.boards],
        [ref.board, entries.length],
      );
    } finally {
      // Gone after a swap already; after a failure, not left for the TTL.
      await this.redis.del(staging.order, staging.entries);
    }
  }

  async clear(group: string): Promise<void> {
    await SCRIPTS.clear.run(
      this.redis,
      [this.keys.leaderboardBoards(group)],
      [this.keys.leaderboardBoardBase(group)],
    );
  }

  /** The connection belongs to the caller (the Redis platform), so it stays open. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function createRedisLeaderboardIndex(input: {
  redis: Redis;
  keys: RedisKeys;
}): LeaderboardIndex {
  return new RedisLeaderboardIndex(input.redis, input.keys);
}
