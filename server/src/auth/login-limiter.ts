import {
  createMemoryFailureCounter,
  type FailureCounter,
  type FailurePolicy,
} from '../platform/failure-counter.js';

export {
  createMemoryFailureCounter,
  lockSecondsFor,
  type FailureCounter,
  type FailurePolicy,
} from '../platform/failure-counter.js';

/** What a key's failures are counted for; each has its own policy and its own keys. */
export type FailureScope = 'account' | 'ip' | 'entry';

const DAY_SECONDS = 24 * 60 * 60;
const WINDOW_SECONDS = 15 * 60;

/**
 * Per account: ten in a row (API.md) → 1 min, doubling, at most 15 min. Per IP: a generous
 * cap on failures only; past it failures are answered 429 but a correct password still
 * signs in (auth.service.ts). Entry tokens: ten wrong guesses per student and exam → 5 min,
 * doubling, at most 15 min — the token is short and a hall shares it.
 */
export function failurePolicies(limits: {
  perAccount: number;
  perIp: number;
}): Record<FailureScope, FailurePolicy> {
  return {
    account: {
      limit: limits.perAccount,
      windowSeconds: WINDOW_SECONDS,
      lockSeconds: 60,
      maxLockSeconds: 15 * 60,
      memorySeconds: DAY_SECONDS,
    },
    ip: {
      limit: limits.perIp,
      windowSeconds: WINDOW_SECONDS,
      lockSeconds: WINDOW_SECONDS,
      maxLockSeconds: WINDOW_SECONDS,
      memorySeconds: 0,
    },
    entry: {
      limit: 10,
      windowSeconds: WINDOW_SECONDS,
      lockSeconds: 5 * 60,
      maxLockSeconds: 15 * 60,
      memorySeconds: DAY_SECONDS,
    },
  };
}

/**
 * Every counter a process needs: shared through Redis when `shared` is given (otherwise an
 * attacker gets `limit` tries per process), in this process's memory when not.
 */
export function createFailureCounters(
  limits: { perAccount: number; perIp: number },
  shared?: (scope: FailureScope, policy: FailurePolicy) => FailureCounter,
): Record<FailureScope, FailureCounter> {
  const policies = failurePolicies(limits);
  const make = (scope: FailureScope) =>
    shared?.(scope, policies[scope]) ?? createMemoryFailureCounter(policies[scope]);
  return { account: make('account'), ip: make('ip'), entry: make('entry') };
}
