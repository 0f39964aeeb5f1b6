import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import type { FailurePolicy, FailureScope } from '../../auth/login-limiter.js';
import { HotStoreError, type SessionState, type SubmitReason } from '../hotstore/types.js';
import { projectRoot } from '../paths.js';
import { decodeState, fieldsToMeta, fieldsToPairs, pairsToFields, type Fields } from './codec.js';
import { WRITER_GROUP, type RedisKeys } from './keys.js';

/**
 * The Lua scripts (lua/*.lua) and one typed wrapper per script that names its keys, so
 * no caller builds positional KEYS arrays. File names carry the key count
 * (`saveAnswers-4.lua`); `-- @include name` pulls in lua/includes/name.lua.
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

const REFUSALS: Record<ScriptError, HotStoreError> = {
  [ScriptError.NotFound]: new HotStoreError('NOT_FOUND', 'No such session'),
  [ScriptError.SessionClosed]: new HotStoreError('SESSION_CLOSED', 'This session has been submitted'),
  [ScriptError.TimeUp]: new HotStoreError('TIME_UP', 'Time is up for this session'),
  [ScriptError.Conflict]: new HotStoreError('CONFLICT', 'The session is not in a state that allows this'),
  [ScriptError.NotPersisted]: new HotStoreError('CONFLICT', 'The session is still being written to the database; retry'),
};

/** A script said no: `code` is one of ScriptError. */
export class ScriptRefusal extends Error {
  constructor(readonly code: ScriptError) {
    super(`script refused with ${code}`);
    this.name = 'ScriptRefusal';
  }

  /** The HotStore error the client sees (a fresh one, so stacks stay honest). */
  toHotStoreError(message?: string): HotStoreError {
    const known = REFUSALS[this.code];
    return new HotStoreError(known.code, message ?? known.message);
  }
}

const LUA_DIR = path.join(projectRoot, 'server/src/platform/redis/lua');

function loadLua(file: string): { source: string; numberOfKeys: number } {
  const match = /-(\d+)\.lua$/.exec(file);
  if (!match) throw new Error(`Lua script ${file} must end in -<number of keys>.lua`);
  const included = new Set<string>();
  const source = readFileSync(path.join(LUA_DIR, file), 'utf8').replace(/^-- @include (\w+)$/gm, (_line, name: string) => {
    if (included.has(name)) return '';
    included.add(name);
    return readFileSync(path.join(LUA_DIR, 'includes', `${name}.lua`), 'utf8');
  });
  return { source, numberOfKeys: Number(match[1]) };
}

class LuaScript {
  private readonly sha: string;
  private readonly source: string;
  private readonly numberOfKeys: number;

  constructor(readonly file: string) {
    ({ source: this.source, numberOfKeys: this.numberOfKeys } = loadLua(file));
    this.sha = createHash('sha1').update(this.source).digest('hex');
  }

  /** EVALSHA, falling back to EVAL once when Redis lost its script cache (restart, failover). */
  async run(redis: Redis, keys: string[], args: (string | number)[]): Promise<unknown> {
    if (keys.length !== this.numberOfKeys) throw new Error(`${this.file} takes ${this.numberOfKeys} keys, got ${keys.length}`);
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
  readSession: new LuaScript('readSession-2.lua'),
  loadSession: new LuaScript('loadSession-3.lua'),
  saveAnswers: new LuaScript('saveAnswers-4.lua'),
  submit: new LuaScript('submit-4.lua'),
  recordResult: new LuaScript('recordResult-2.lua'),
  extend: new LuaScript('extend-3.lua'),
  evictSession: new LuaScript('evictSession-3.lua'),
  putIdempotent: new LuaScript('putIdempotent-1.lua'),
  ackLog: new LuaScript('ackLog-1.lua'),
  deadLetter: new LuaScript('deadLetter-2.lua'),
  holdLease: new LuaScript('holdLease-1.lua'),
  releaseLease: new LuaScript('releaseLease-1.lua'),
  recordFailure: new LuaScript('recordFailure-3.lua'),
};

function tuple(reply: unknown, length: number): unknown[] {
  if (!Array.isArray(reply) || reply.length < length) throw new Error(`unexpected script reply: ${JSON.stringify(reply)}`);
  return reply;
}

/** One answer as the save script takes it (already JSON, already classified). */
export interface ScriptAnswer {
  questionId: string;
  answerJson: string;
  clientTs: string;
  answered: boolean;
}

export type Scripts = ReturnType<typeof createScripts>;

export function createScripts(redis: Redis, keys: RedisKeys) {
  const sessionKeys = (id: string) => ({ meta: keys.sessionMeta(id), answers: keys.sessionAnswers(id), shard: keys.shardOf(id) });

  return {
    /** The hot session, or null when it is not hot (rebuild from PostgreSQL). */
    async readSession(sessionId: string): Promise<SessionState | null> {
      const k = sessionKeys(sessionId);
      try {
        const [meta, answers] = tuple(await SCRIPTS.readSession.run(redis, [k.meta, k.answers], []), 2);
        return decodeState(meta, answers);
      } catch (err) {
        if (err instanceof ScriptRefusal && err.code === ScriptError.NotFound) return null;
        throw err;
      }
    },

    /** Loads a session unless one is hot; returns whichever copy is hot afterwards. */
    async loadSession(sessionId: string, meta: Fields, answers: Fields): Promise<{ loaded: boolean; state: SessionState }> {
      const k = sessionKeys(sessionId);
      const metaPairs = fieldsToPairs(meta);
      const args = [sessionId, metaPairs.length / 2, ...metaPairs, ...fieldsToPairs(answers)];
      const [loaded, m, a] = tuple(await SCRIPTS.loadSession.run(redis, [k.meta, k.answers, keys.due(k.shard)], args), 3);
      return { loaded: loaded === 1, state: decodeState(m, a) };
    },

    async saveAnswers(input: {
      sessionId: string;
      now: number;
      graceMs: number;
      idempotencyKey: string | undefined;
      idempotencyTtlMs: number;
      answers: ScriptAnswer[];
    }): Promise<{ saved: number; savedAt: number }> {
      const k = sessionKeys(input.sessionId);
      const idemKey = keys.savedKey(input.sessionId, input.idempotencyKey ?? '');
      const args: (string | number)[] = [input.now, input.graceMs, input.idempotencyKey === undefined ? '' : input.idempotencyTtlMs, input.sessionId];
      for (const a of input.answers) args.push(a.questionId, a.answerJson, a.clientTs, a.answered ? '1' : '0');
      const [saved, savedAt] = tuple(await SCRIPTS.saveAnswers.run(redis, [k.meta, k.answers, idemKey, keys.log(k.shard)], args), 2);
      return { saved: Number(saved), savedAt: Number(savedAt) };
    },

    async submit(input: { sessionId: string; now: number; reason: SubmitReason; onlyIfDueGraceMs: number | undefined }) {
      const k = sessionKeys(input.sessionId);
      const args = [input.sessionId, input.now, input.reason, input.onlyIfDueGraceMs ?? ''];
      const reply = await SCRIPTS.submit.run(redis, [k.meta, k.answers, keys.due(k.shard), keys.log(k.shard)], args);
      const [first, meta, answers] = tuple(reply, 3);
      return { firstSubmit: first === 1, state: decodeState(meta, answers), lastLog: pairsToFields(meta)['lastLog'] ?? '' };
    },

    async recordResult(input: { sessionId: string; resultJson: string; status: string }) {
      const k = sessionKeys(input.sessionId);
      const reply = await SCRIPTS.recordResult.run(redis, [k.meta, keys.log(k.shard)], [input.sessionId, input.resultJson, input.status]);
      const [recorded, resultJson, lastLog] = tuple(reply, 3);
      return { recorded: recorded === 1, resultJson: String(resultJson), lastLog: String(lastLog) };
    },

    async extend(input: { sessionId: string; endsAt: number; expectEndsAt: number | undefined }) {
      const k = sessionKeys(input.sessionId);
      const args = [input.sessionId, input.endsAt, input.expectEndsAt ?? ''];
      const reply = await SCRIPTS.extend.run(redis, [k.meta, keys.due(k.shard), keys.log(k.shard)], args);
      const [applied, meta, lastLog, previous] = tuple(reply, 4);
      return { applied: applied === 1, meta: fieldsToMeta(pairsToFields(meta)), lastLog: String(lastLog), previousEndsAt: Number(previous) };
    },

    /** True when a hot copy was dropped. Refusals: CONFLICT, NOT_PERSISTED. */
    async evictSession(sessionId: string): Promise<boolean> {
      const k = sessionKeys(sessionId);
      return (await SCRIPTS.evictSession.run(redis, [k.meta, k.answers, keys.log(k.shard)], [])) === 1;
    },

    async putIdempotent(key: string, valueJson: string, ttlMs: number): Promise<string> {
      return String(await SCRIPTS.putIdempotent.run(redis, [keys.idempotent(key)], [valueJson, Math.max(1, Math.round(ttlMs))]));
    },

    /** After COMMIT only: acknowledges and deletes the entries. */
    async ackLog(shard: number, ids: string[]): Promise<number> {
      if (ids.length === 0) return 0;
      return Number(await SCRIPTS.ackLog.run(redis, [keys.log(shard)], [WRITER_GROUP, ...ids]));
    },

    async deadLetter(shard: number, id: string, reason: string): Promise<void> {
      await SCRIPTS.deadLetter.run(redis, [keys.log(shard), keys.deadLetters(shard)], [WRITER_GROUP, id, reason.slice(0, 500)]);
    },

    async holdLease(shard: number, owner: string, ttlMs: number): Promise<boolean> {
      return (await SCRIPTS.holdLease.run(redis, [keys.lease(shard)], [owner, ttlMs])) === 1;
    },

    async releaseLease(shard: number, owner: string): Promise<void> {
      await SCRIPTS.releaseLease.run(redis, [keys.lease(shard)], [owner]);
    },

    /** Returns the failures within the window, this one included. */
    async recordFailure(scope: FailureScope, key: string, policy: FailurePolicy): Promise<number> {
      const k = keys.failures(scope, key);
      const args = [policy.limit, policy.windowSeconds * 1000, policy.lockSeconds * 1000, policy.maxLockSeconds * 1000, policy.memorySeconds * 1000];
      return Number(await SCRIPTS.recordFailure.run(redis, [k.count, k.lock, k.strikes], args));
    },
  };
}
