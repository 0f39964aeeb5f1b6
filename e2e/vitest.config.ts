import { defineConfig } from 'vitest/config';

/**
 * Browser tests: a real server (built web app, embedded PostgreSQL in a fresh DATA_DIR) and
 * Debian's Chromium driven by playwright-core. One file at a time: 2 cores are plenty busy.
 */
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    globalSetup: ['e2e/support/global-setup.ts'],
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    // the scenario's steps build on each other: the first failure is the one worth reading
    bail: 1,
    reporters: ['default'],
  },
});
