import os from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Two tiers (CONTRIBUTING.md, "Tests"). `fast`: unit, contract and in-process tests that need no
 * build, no PostgreSQL and no CLI process (`npm run test:fast`). `full`: everything else: the
 * spawned CLI (built dist/), the PostgreSQL server, crash campaigns. `npm test` runs both.
 */
const FAST = [
  'test/units.test.ts',
  'test/redact.test.ts',
  'test/schema-coverage.test.ts',
  'test/bad-input.test.ts',
  'test/command-line.test.ts',
  'test/mcp-text-masking.test.ts',
  'test/frozen-migrations.test.ts',
  'test/instants.test.ts',
  'test/media-redirects.test.ts',
  'test/stored-once.test.ts',
  'test/contract/gong-spec.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most tests wait on HTTP, child processes and timers rather than on a CPU (a whole run used about
    // 400 s of CPU in 840 s on 2 cores): four files at a time on a 2-core machine (vitest's default
    // there is one at a time). Timing-sensitive tests must pass beside four CPU burners anyway.
    maxWorkers: Math.max(4, os.availableParallelism() * 2),
    projects: [
      { extends: true, test: { name: 'fast', include: FAST } },
      {
        extends: true,
        test: {
          name: 'full',
          include: ['test/**/*.test.ts'],
          exclude: FAST,
          // One real PostgreSQL server for the run (PostgreSQL destination tests).
          globalSetup: ['./test/setup/postgres-global.ts'],
        },
      },
    ],
  },
});
