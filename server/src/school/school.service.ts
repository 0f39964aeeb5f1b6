import type { AuthService } from '../auth/auth.service.js';
import type { Sql } from '../platform/postgres.js';

export function createSchoolService(_deps: { sql: Sql; auth: AuthService; bcryptCost: { staff: number; student: number } }) {
  return {};
}
export type SchoolService = ReturnType<typeof createSchoolService>;
