import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { projectRoot } from './paths.js';
import type { Sql } from './postgres.js';

export const migrationsDir = path.join(projectRoot, 'server', 'migrations');

/** Any 64-bit constant works; it only has to be the same in every process. */
const MIGRATION_LOCK = 7_402_113_551;

/**
 * Applies server/migrations/NNNN_name.sql in order, each in its own transaction, under a
 * session advisory lock: processes starting together on an empty database take turns,
 * and a re-run applies nothing.
 */
export async function migrate(sql: Sql, log: Logger): Promise<string[]> {
  const files = (await fs.readdir(migrationsDir)).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
  const reserved = await sql.reserve();
  try {
    await reserved`SELECT pg_advisory_lock(${MIGRATION_LOCK})`;
    await reserved`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`;
    const done = new Set(
      (await reserved<{ name: string }[]>`SELECT name FROM schema_migrations`).map((r) => r.name),
    );
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      const text = await fs.readFile(path.join(migrationsDir, file), 'utf8');
      await reserved.unsafe('BEGIN');
      try {
        await reserved.unsafe(text);
        await reserved`INSERT INTO schema_migrations (name) VALUES (${file})`;
        await reserved.unsafe('COMMIT');
      } catch (err) {
        await reserved.unsafe('ROLLBACK');
        throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(file);
      log.info({ migration: file }, 'migration applied');
    }
    return applied;
  } finally {
    await reserved`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.catch(() => {});
    reserved.release();
  }
}
