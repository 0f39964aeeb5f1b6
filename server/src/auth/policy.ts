import type { StaffPrincipal } from './principal.js';

/**
 * Named authorization rules (Outline's policies): routes ask these, never an `if` on raw
 * permission strings in a handler.
 */
export function hasPermission(staff: StaffPrincipal, code: string): boolean {
  return staff.superAdmin || staff.permissions.has(code);
}

/**
 * `<area>:write_all` covers everyone's rows; `<area>:write_own` only rows the staff member
 * authored. `area` is e.g. "exams" or "questions".
 */
export function canWrite(staff: StaffPrincipal, area: string, authorId: string | null): boolean {
  if (hasPermission(staff, `${area}:write_all`)) return true;
  return hasPermission(staff, `${area}:write_own`) && authorId === staff.id;
}

/** Reading an exam's sessions and results: its author, or anyone who may see every exam. */
export function canReadExam(staff: StaffPrincipal, authorId: string | null): boolean {
  return hasPermission(staff, 'exams:read_all') || canWrite(staff, 'exams', authorId);
}
