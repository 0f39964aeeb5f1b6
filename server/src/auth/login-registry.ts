import { EventEmitter } from 'node:events';
import type { Sql } from '../platform/postgres.js';

export type RevokedReason = 'LOGOUT' | 'REPLACED' | 'REUSE' | 'RESET' | 'DISABLED';
export type LoginState = 'LIVE' | RevokedReason;

export interface LoginRevoked {
  loginId: string;
  userKind: 'student' | 'staff';
  userId: string;
  reason: RevokedReason;
}

/**
 * Whether a login (a token family) is still live, asked on every authenticated request.
 * PostgreSQL holds the truth (so a restart signs nobody out); this process caches the
 * answer. Revocations are applied here at once and announced to listeners (WebSocket kicks)
 * and, with Redis, to the other processes through `publish`.
 */
export class LoginRegistry {
  private readonly states = new Map<string, LoginState>();
  private readonly events = new EventEmitter();
  /** Set by the Redis lane to fan revocations out to other processes. */
  publish: ((event: LoginRevoked) => void) | undefined;

  constructor(
    private readonly sql: Sql,
    private readonly maxEntries = 500_000,
  ) {
    this.events.setMaxListeners(0);
  }

  async state(loginId: string): Promise<LoginState> {
    const cached = this.states.get(loginId);
    if (cached) return cached;
    const [row] = await this.sql<{ revokedReason: RevokedReason | null }[]>`
      SELECT revoked_reason AS "revokedReason", revoked_at FROM logins WHERE id = ${loginId}`;
    const state: LoginState = !row ? 'LOGOUT' : (row.revokedReason ?? 'LIVE');
    this.remember(loginId, state);
    return state;
  }

  remember(loginId: string, state: LoginState): void {
    if (this.states.size >= this.maxEntries) {
      // Drop the oldest entry (Map keeps insertion order); it is re-read on demand.
      const oldest = this.states.keys().next().value;
      if (oldest !== undefined) this.states.delete(oldest);
    }
    this.states.set(loginId, state);
  }

  /** Apply a revocation made in this process (already written to PostgreSQL). */
  revoked(events: LoginRevoked[]): void {
    for (const e of events) {
      this.applyRemote(e);
      this.publish?.(e);
    }
  }

  /** Apply a revocation announced by another process. */
  applyRemote(e: LoginRevoked): void {
    this.remember(e.loginId, e.reason);
    this.events.emit('revoked', e);
  }

  onRevoked(listener: (e: LoginRevoked) => void): () => void {
    this.events.on('revoked', listener);
    return () => this.events.off('revoked', listener);
  }
}
