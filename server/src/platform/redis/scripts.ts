import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { FailurePolicy } from '../failure-counter.js';
import { projectRoot } from '../paths.js';
import { WRITER_GROUP, type RedisKeys } from './keys.js';

/**
 * The Lua loader, and the platform's own scripts (lua/*.lua: the durable log, shard leases,
 * idempotency records, failure counters) with one typed wrapper per script that names its
 * keys, so no caller builds positional KEYS arrays. File names carry the key count
 * (`ackLog-1.lua`). Features keep their scripts beside their code and load them with
 * LuaScript (sessions/store/lua/).
 */

/** The refusal codes of lua/includes/codes.lua. */
export const ScriptError = {
  NotFound: -1,
  SessionClosed: -2,
  TimeUp: -3,
  Conflict: -4,
  NotPersisted: -5,
} as const;
export type ScriptError = (typeof ScriptError)[keyof typeof ScriptError];

/** A script said no: `code` is one of ScriptError; the owning feature says what it means. */
export class ScriptRefusal extends Error {
  constructor(readonly code: ScriptError) {
    super(`script refused with ${code}`);
    this.name = 'ScriptRefusal';
  }
}

const PLATFORM_LUA = path.join(projectRoot, 'server/src/platform/redis/lua');

/**
 * A script file of `dir`; `-- @include name` takes `dir/includes/name.lua`, or the
 * platform's shared `lua/includes/name.lua` (codes) when the feature has none of that name.
 */
function loadLua(dir: string, file: string): { source: string; numberOfKeys: number } {
  const match = /-(\d+)\.lua$/.exec(file);
  if (!match) throw new Error(`Lua script ${file} must end in -<number of keys>.lua`);
  const included = new Set<string>();
  const include = (name: string) => {
    for (const base of [dir, PLATFORM_LUA]) {
      try {
        return readFileSync(path.join(base, 'includes', `${name}.lua`), 'utf8');
      } catch {
        // not in this folder: the next one
      }
    }
    throw new Error(`Lua include ${name} not found for ${file}`);
  };
  const source = readFileSync(path.join(dir, file), 'utf8').replace(
    /^-- @include (\w+)$/gm,
    (_line, name: string) => {
      if (included.has(name)) return '';
      included.add(name);
      return include(name);
    },
  );
  return { source, numberOfKeys: Number(match[1]) };
}

/** One script, loaded once; features keep theirs beside their code (`new LuaScript(dir, file)`). */
export class LuaScript {
  private readonly sha: string;
  private readonly source: string;
  private readonly numberOfKeys: number;

  constructor(
    dir: string,
    readonly file: string,
  ) {
    ({ source: this.source, numberOfKeys: this.numberOfKeys } = loadLua(dir, file));
    this.sha = createHash('sha1').update(this.source).digest('hex');
  }

  /** EVALSHA, falling back to EVAL once when Redis lost its script cache (restart, failover). */
  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    if (keys.length !== this.numberOfKeys)
      throw new Error(`${this.file} takes ${this.numberOfKeys} keys, got ${keys.length}`);
    let reply: unknown;
    try {
      reply = await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      if (!String((err as Error).message).startsWith('NOSCRIPT')) throw err;
      reply = await redis.eval(this.source, keys.length, ...keys, ...args);
    }
    if (typeof reply === 'number' && reply < 0) throw new ScriptRefusal(reply as ScriptError);
    return reply;
  }
}

const SCRIPTS = {
  putIdempotent: new LuaScript(PLATFORM_LUA, 'putIdempotent-1.lua'),
  ackLog: new LuaScript(PLATFORM_LUA, 'ackLog-1.lua'),
  deadLetter: new LuaScript(PLATFORM_LUA, 'deadLetter-2.lua'),
  holdLease: new LuaScript(PLATFORM_LUA, 'holdLease-1.lua'),
  releaseLease: new LuaScript(PLATFORM_LUA, 'releaseLease-1.lua'),
  recordFailure: new LuaScript(PLATFORM_LUA, 'recordFailure-3.lua'),
};

/** A script's reply as the array it promised, or a clear error. */
export function tuple(reply: unknown, length: number): unknown[] {
  if (!Array.isArray(reply) || reply.length < length)
    throw new Error(`unexpected script reply: ${JSON.stringify(reply)}`);
  return reply;
}

export type Scripts = ReturnType<typeof createScripts>;

export function createScripts(redis: Redis, keys: RedisKeys) {
  return {
    async putIdempotent(key: string, valueJson: string, ttlMs: number): Promise<string> {
      return String(
        await SCRIPTS.putIdempotent.run(
          redis,
          [keys.idempotent(key)],
          [valueJson, Math.max(1, Math.round(ttlMs))],
        ),
      );
    },

    /** After COMMIT only: acknowledges and deletes the entries. */
    async ackLog(shard: number, ids: string[]): Promise<number> {
      if (ids.length === 0) return 0;
      return Number(await SCRIPTS.ackLog.run(redis, [keys.log(shard)], [WRITER_GROUP, ...ids]));
    },

    async deadLetter(shard: number, id: string, reason: string): Promise<void> {
      await SCRIPTS.deadLetter.run(
        redis,
        [keys.log(shard), keys.deadLetters(shard)],
        [WRITER_GROUP, id, reason.slice(0, 500)],
      );
    },

    async holdLease(shard: number, owner: string, ttlMs: number): Promise<boolean> {
      return (await SCRIPTS.holdLease.run(redis, [keys.lease(shard)], [owner, ttlMs])) === 1;
    },

    async releaseLease(shard: number, owner: string): Promise<void> {
      await SCRIPTS.releaseLease.run(redis, [keys.lease(shard)], [owner]);
    },

    /** Returns the failures within the window, this one included. */
    async recordFailure(scope: string, key: string, policy: FailurePolicy): Promise<number> {
      const k = keys.failures(scope, key);
      const args = [
        policy.limit,
        policy.windowSeconds * 1000,
        policy.lockSeconds * 1000,
        policy.maxLockSeconds * 1000,
        policy.memorySeconds * 1000,
      ];
      return Number(await SCRIPTS.recordFailure.run(redis, [k.count, k.lock, k.strikes], args));
    },
  };
}
