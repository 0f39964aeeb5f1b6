import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus } from '../platform/bus/index.js';
import { LoginRevokedTopic, StaffAccessChangedTopic } from './auth.events.js';
import type { LoginRegistry } from './login-registry.js';
import type { StaffAccessCache } from './staff-access.js';

/**
 * Auth's notices to the other processes, over the bus: a revoked login kicks that user's
 * sockets wherever they are; a staff or role change drops cached permissions everywhere.
 * PostgreSQL has both changes already, so a lost event only costs latency: the other
 * processes re-read when their cached copy expires.
 */
export function connectLoginsAcrossProcesses(
  bus: Bus,
  logins: LoginRegistry,
  logger: Pick<Logger, 'warn'>,
): void {
  const origin = randomBytes(8).toString('hex');
  logins.publish = (event) => {
    bus
      .publish(LoginRevokedTopic, { origin, event })
      .catch((err: unknown) => logger.warn({ err }, 'could not announce a login revocation'));
  };
  bus.subscribe(LoginRevokedTopic, ({ origin: from, event }) => {
    if (from !== origin) logins.applyRemote(event);
  });
}

export function connectStaffAccessAcrossProcesses(
  bus: Bus,
  staffAccess: StaffAccessCache,
  logger: Pick<Logger, 'warn'>,
): void {
  const origin = randomBytes(8).toString('hex');
  staffAccess.publish = (change) => {
    bus
      .publish(StaffAccessChangedTopic, { origin, change })
      .catch((err: unknown) => logger.warn({ err }, 'could not announce a staff access change'));
  };
  bus.subscribe(StaffAccessChangedTopic, ({ origin: from, change }) => {
    if (from !== origin) staffAccess.applyRemote(change);
  });
}
