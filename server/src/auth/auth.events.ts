import { topic } from '../platform/bus/index.js';
import type { LoginRevoked } from './login-registry.js';
import type { StaffAccessChange } from './staff-access.js';

/**
 * Auth's events on the bus. `origin` names the publishing process, which applied the change
 * already and ignores its own announcement.
 */
export const LoginRevokedTopic = topic<{ origin: string; event: LoginRevoked }>(
  'auth.login-revoked',
);
export const StaffAccessChangedTopic = topic<{ origin: string; change: StaffAccessChange }>(
  'auth.staff-access-changed',
);
