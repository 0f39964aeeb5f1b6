/**
 * What other features use of auth: who is calling (principals), the route guards and
 * named policies, password hashing, failed-attempt counters and login revocations.
 */
export {
  principalOf,
  staffOf,
  studentOf,
  type Principal,
  type StaffPrincipal,
  type StudentPrincipal,
} from './principal.js';
export { bearerToken, createGuards, type Guards } from './guards.js';
export { canReadExam, canWrite, hasPermission } from './policy.js';
export { hashPassword } from './passwords.js';
export { createFailureCounters, type FailureCounter, type FailureScope } from './login-limiter.js';
export { LoginRegistry, type LoginRevoked } from './login-registry.js';
export type { AuthService } from './auth.service.js';
