import type { ErrorCode } from './types';

/** Every failed call becomes an ApiError carrying API.md's stable code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The request never got an answer (offline, DNS, connection reset). */
  get isNetwork(): boolean {
    return this.code === 'NETWORK';
  }
}
