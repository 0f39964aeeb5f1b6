import path from 'node:path';
import type { Redis } from 'ioredis';
import { AppError } from '../../platform/errors.js';
import { projectRoot } from '../../platform/paths.js';
import type { RedisKeys } from '../../platform/redis/keys.js';
import { LuaScript, ScriptError, ScriptRefusal, tuple } from '../../platform/redis/scripts.js';
import {
  decodeState,
  fieldsToMeta,
  fieldsToPairs,
  pairsToFields,
  type Fields,
} from './redis-codec.js';
import type { SessionState, SubmitReason } from './types.js';

/**
 * The session store's Lua scripts (lua/*.lua beside this file) and one typed wrapper per
 * script that names its keys. Every multi-step change of a session is one script on keys
 * of one hash slot (the session's log shard), so the same scripts run on Redis Cluster.
 */

// From the sources, as the platform's scripts are: the build does not copy .lua files.
const LUA = path.join(projectRoot, 'server/src/sessions/store/lua');

const SCRIPTS = {
  readSession: new LuaScript(LUA, 'readSession-2.lua'),
  loadSession: new LuaScript(LUA, 'loadSession-3.lua'),
  saveAnswers: new LuaScript(LUA, 'saveAnswers-4.lua'),
  submit: new LuaScript(LUA, 'submit-4.lua'),
  recordResult: new LuaScript(LUA, 'recordResult-3.lua'),
  extend: new LuaScript(LUA, 'extend-3.lua'),
  evictSession: new LuaScript(LUA, 'evictSession-3.lua'),
};

const REFUSALS: Record<ScriptError, [AppError['code'], string]> = {
  [ScriptError.NotFound]: ['NOT_FOUND', 'No such session'],
  [ScriptError.SessionClosed]: ['SESSION_CLOSED', 'This session has been submitted'],
  [ScriptError.TimeUp]: ['TIME_UP', 'Time is up for this session'],
  [ScriptError.Conflict]: ['CONFLICT', 'The session is not in a state that allows this'],
  [ScriptError.NotPersisted]: [
    'CONFLICT',
    'The session is still being written to the database; retry',
  ],
};

/** The error the client sees for a session script's refusal (a fresh one, so stacks stay honest). */
export function refusalError(refusal: ScriptRefusal, message?: string): AppError {
  const [code, known] = REFUSALS[refusal.code];
  return new AppError(code, message ?? known);
}

/** One answer as the save script takes it (already JSON, already classified). */
export interface ScriptAnswer {
  questionId: string;
  answerJson: string;
  clientTs: string;
  answered: boolean;
}

export type SessionScripts = ReturnType<typeof createSessionScripts>;

export function createSessionScripts(redis: Redis, keys: RedisKeys) {
  const sessionKeys = (id: string) => ({
    meta: keys.sessionMeta(id),
    answers: keys.sessionAnswers(id),
    shard: keys.shardOf(id),
  });

  return {
    /** The hot session, or null when it is not hot (rebuild from PostgreSQL). */
    async readSession(sessionId: string): Promise<SessionState | null> {
      const k = sessionKeys(sessionId);
      try {
        const [meta, answers] = tuple(
          await SCRIPTS.readSession.run(redis, [k.meta, k.answers], []),
          2,
        );
        return decodeState(meta, answers);
      } catch (err) {
        if (err instanceof ScriptRefusal && err.code === ScriptError.NotFound) return null;
        throw err;
      }
    },

    /** Loads a session unless one is hot; returns whichever copy is hot afterwards. */
    async loadSession(
      sessionId: string,
      meta: Fields,
      answers: Fields,
    ): Promise<{ loaded: boolean; state: SessionState }> {
      const k = sessionKeys(sessionId);
      const metaPairs = fieldsToPairs(meta);
      const args = [sessionId, metaPairs.length / 2, ...metaPairs, ...fieldsToPairs(answers)];
      const [loaded, m, a] = tuple(
        await SCRIPTS.loadSession.run(redis, [k.meta, k.answers, keys.due(k.shard)], args),
        3,
      );
      return { loaded: loaded === 1, state: decodeState(m, a) };
    },

    async saveAnswers(input: {
      sessionId: string;
      now: number;
      graceMs: number;
      idempotencyKey: string | undefined;
      idempotencyTtlMs: number;
      studentId: string | undefined;
      answers: ScriptAnswer[];
    }): Promise<{ saved: number; savedAt: number }> {
      const k = sessionKeys(input.sessionId);
      const idemKey = keys.savedKey(input.sessionId, input.idempotencyKey ?? '');
      const args: (string | number)[] = [
        input.now,
        input.graceMs,
        input.idempotencyKey === undefined ? '' : input.idempotencyTtlMs,
        input.sessionId,
        input.studentId ?? '',
      ];
      for (const a of input.answers)
        args.push(a.questionId, a.answerJson, a.clientTs, a.answered ? '1' : '0');
      const [saved, savedAt] = tuple(
        await SCRIPTS.saveAnswers.run(redis, [k.meta, k.answers, idemKey, keys.log(k.shard)], args),
        2,
      );
      return { saved: Number(saved), savedAt: Number(savedAt) };
    },

    async submit(input: {
      sessionId: string;
      now: number;
      reason: SubmitReason;
      onlyIfDueGraceMs: number | undefined;
    }) {
      const k = sessionKeys(input.sessionId);
      const args = [input.sessionId, input.now, input.reason, input.onlyIfDueGraceMs ?? ''];
      const reply = await SCRIPTS.submit.run(
        redis,
        [k.meta, k.answers, keys.due(k.shard), keys.log(k.shard)],
        args,
      );
      const [first, meta, answers] = tuple(reply, 3);
      return {
        firstSubmit: first === 1,
        state: decodeState(meta, answers),
        lastLog: pairsToFields(meta)['lastLog'] ?? '',
      };
    },

    /** First writer wins; returns the winning result and the frozen session it belongs to. */
    async recordResult(input: { sessionId: string; resultJson: string; status: string }) {
      const k = sessionKeys(input.sessionId);
      const reply = await SCRIPTS.recordResult.run(
        redis,
        [k.meta, k.answers, keys.log(k.shard)],
        [input.sessionId, input.resultJson, input.status],
      );
      const [recorded, resultJson, lastLog, meta, answers] = tuple(reply, 5);
      return {
        recorded: recorded === 1,
        resultJson: String(resultJson),
        lastLog: String(lastLog),
        state: decodeState(meta, answers),
      };
    },

    async extend(input: { sessionId: string; endsAt: number; expectEndsAt: number | undefined }) {
      const k = sessionKeys(input.sessionId);
      const args = [input.sessionId, input.endsAt, input.expectEndsAt ?? ''];
      const reply = await SCRIPTS.extend.run(
        redis,
        [k.meta, keys.due(k.shard), keys.log(k.shard)],
        args,
      );
      const [applied, meta, lastLog, previous] = tuple(reply, 4);
      return {
        applied: applied === 1,
        meta: fieldsToMeta(pairsToFields(meta)),
        lastLog: String(lastLog),
        previousEndsAt: Number(previous),
      };
    },

    /** True when a hot copy was dropped. Refusals: CONFLICT, NOT_PERSISTED. */
    async evictSession(sessionId: string): Promise<boolean> {
      const k = sessionKeys(sessionId);
      return (
        (await SCRIPTS.evictSession.run(redis, [k.meta, k.answers, keys.log(k.shard)], [])) === 1
      );
    },
  };
}
