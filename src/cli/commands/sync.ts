import type { Command } from 'commander';
import { createApp, createAppLogger } from '../../app.js';
import { selectStreams } from '../stream-selection.js';
import { exitCodeOf, formatSyncReport } from '../report-output.js';
import { runWithProgress } from '../run-with-progress.js';
import type { CommandResult } from '../main.js';
import { connectionCheckOf } from './check.js';
import { commandConfig } from '../command-config.js';


export function registerSync(program: Command, done: (result: Promise<CommandResult>) => void) {
  program
    .command('sync')
    .description('incremental sync of all (or the named) streams into the SQLite database')
    .option('--streams <names>', 'comma-separated stream names (default: all but the opt-in media streams)')
    .option('--db <file>', 'SQLite file or postgres:// URL (env GONG_DB, default ./gong.db)')
    .option('--force-refresh', 'also read slow-changing streams (settings, library, workspaces, coaching) refreshed recently')
    .action((options: SyncFlags, command: Command) => done(syncCommand(options, command)));
}

interface SyncFlags {
  streams?: string;
  db?: string;
  forceRefresh?: boolean;
}

async function syncCommand(options: SyncFlags, command: Command): Promise<CommandResult> {
  const config = commandConfig(command, options);
  const selected = selectStreams(options.streams);
  const logger = createAppLogger(config);
  const app = await createApp(config, logger);
  try {
    const report = await runWithProgress(app, selected, { command: 'sync', ignoreRefreshIntervals: options.forceRefresh, preflight: connectionCheckOf(app) });
    if (report.error) logger.error(report.error.message);
    return { exitCode: exitCodeOf(report), stdout: config.quiet ? undefined : formatSyncReport(report) };
  } finally {
    await app.close();
  }
}
