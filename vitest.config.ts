import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One real PostgreSQL server for the run (PostgreSQL destination tests).
    globalSetup: ['./test/setup/postgres-global.ts'],
  },
});
