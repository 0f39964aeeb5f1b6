import postgres from 'postgres';

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

/**
 * One pool per process. Seed 000: keep it near cores × 4 — more connections only add
 * context switching. Timestamps come back as Date; bigint counts as numbers.
 */
export function createSql(url: string, options: { max?: number } = {}): Sql {
  return postgres(url, {
    max: options.max ?? 16,
    idle_timeout: 30,
    connect_timeout: 10,
    onnotice: () => {},
    types: {
      // COUNT(*) and bigint ids fit comfortably in a double for our sizes.
      bigint: {
        to: 20,
        from: [20],
        serialize: (n: number) => String(n),
        parse: (s: string) => Number(s),
      },
    },
    transform: { undefined: null },
  });
}

/**
 * PostgreSQL refusing the data itself (SQLSTATE class 22 data exception, 23 integrity) will
 * refuse it again on every retry; anything else (connection lost, shutdown, deadlock,
 * timeouts) is an outage to wait out.
 */
export function isRefusedForGood(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23)[0-9A-Z]{3}$/.test(code);
}
