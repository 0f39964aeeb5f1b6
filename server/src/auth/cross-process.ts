import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { RedisBus } from '../platform/redis/pubsub.js';
import type { LoginRegistry, LoginRevoked } from './login-registry.js';
import type { StaffAccessCache, StaffAccessChange } from './staff-access.js';

/**
 * Auth's notices to the other processes (redis mode): a revoked login kicks that student's
 * sockets wherever they are; a staff or role change drops cached permissions everywhere.
 * Each process ignores its own announcements (it applied them already).
 */
export function connectLoginsAcrossProcesses(bus: RedisBus, logins: LoginRegistry, logger: Pick<Logger, 'warn'>): void {
  const origin = randomBytes(8).toString('hex');
  logins.publish = (event) => {
    bus.publish('logins', JSON.stringify({ origin, event })).catch((err: unknown) => {
      // PostgreSQL has the revocation: other processes still refuse the token once
      // their cached state is re-read; only the instant kick is lost.
      logger.warn({ err }, 'could not announce a login revocation');
    });
  };
  bus.on('logins', (message) => {
    const { origin: from, event } = JSON.parse(message) as { origin: string; event: LoginRevoked };
    if (from !== origin) logins.applyRemote(event);
  });
}

export function connectStaffAccessAcrossProcesses(bus: RedisBus, staffAccess: StaffAccessCache, logger: Pick<Logger, 'warn'>): void {
  const origin = randomBytes(8).toString('hex');
  staffAccess.publish = (change) => {
    bus.publish('staff', JSON.stringify({ origin, change })).catch((err: unknown) => {
      // The other processes' cached copies expire within their TTL anyway.
      logger.warn({ err }, 'could not announce a staff access change');
    });
  };
  bus.on('staff', (message) => {
    const { origin: from, change } = JSON.parse(message) as { origin: string; change: StaffAccessChange };
    if (from !== origin) staffAccess.applyRemote(change);
  });
}
