import type { App } from '../app.js';
import { syncOptions } from '../app.js';
import { runSync, type SyncOptions, type SyncReport } from '../runner/sync.js';
import type { StreamDefinition } from '../../streams/types.js';
import { terminalProgress } from './progress.js';
import { withStopSignals } from './signals.js';

/** Runs a sync (or backfill) for a command: signals stop it cleanly, a terminal shows live progress. */
export async function runWithProgress(app: App, streams: StreamDefinition[], extra: Partial<SyncOptions>): Promise<SyncReport> {
  const showProgress = Boolean(process.stderr.isTTY) && !app.config.quiet && app.config.logFormat === 'text';
  const progress = showProgress ? terminalProgress(process.stderr, () => app.client.stats.requests, extra.backfill) : undefined;
  try {
    return await withStopSignals((signal) => runSync(syncOptions(app, streams, { ...extra, signal, progress })));
  } finally {
    progress?.finish();
  }
}
