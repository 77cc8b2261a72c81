/**
 * The runner and `execute` in-process, against a simulator over HTTP and a real database (a
 * SQLite file or a PostgreSQL URL): what the CLI builds, without spawning it.
 */
import { createApp, syncOptions, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/logger.js';
import { runSync, type SyncReport } from '../../src/runner/sync.js';
import { execute } from '../../src/api/gong.js';
import { streams as allStreams } from '../../streams/index.js';
import type { GongSimulator } from '../../src/simulator/server.js';
import { simEnv } from './cli.js';

/** An app (client, database, media) pointed at the simulator; close it when done. */
export async function appFor(sim: GongSimulator, db: string, env: Record<string, string | undefined> = {}): Promise<App> {
  return createApp(loadConfig(simEnv(sim, db, { GONG_LOG_FORMAT: 'text', ...env })), silentLogger);
}

/** One `sync` of the named streams (default: every stream but the downloads), in-process. */
export async function syncInProcess(
  sim: GongSimulator,
  db: string,
  options: { streams?: string[]; env?: Record<string, string | undefined>; backfill?: { from: string; to: string } } = {},
): Promise<SyncReport> {
  const app = await appFor(sim, db, options.env);
  try {
    const names = options.streams ?? allStreams.filter((s) => !s.download).map((s) => s.name);
    const chosen = allStreams.filter((s) => names.includes(s.name));
    const report = await runSync(syncOptions(app, chosen, { backfill: options.backfill, command: options.backfill ? 'backfill' : 'sync' }));
    if (report.outcome !== 'succeeded') {
      const failed = report.streams.filter((s) => s.outcome === 'failed').map((s) => `${s.stream}: ${s.message}`);
      throw new Error(`sync ${report.outcome}: ${report.error?.message ?? ''} ${failed.join('; ')}`);
    }
    return report;
  } finally {
    await app.close();
  }
}

/** One `execute` action, in-process. */
export async function executeInProcess(
  sim: GongSimulator,
  db: string,
  entity: string,
  action: string,
  params: Record<string, unknown> = {},
) {
  const app = await appFor(sim, db);
  try {
    return await execute(app.client, { entity, action, params });
  } finally {
    await app.close();
  }
}
