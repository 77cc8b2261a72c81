import { defineCommand } from '../command.js';
import { selectStreams } from '../stream-selection.js';
import { reportExitCode, formatSyncReport } from '../report-output.js';
import { runWithProgress } from '../run-with-progress.js';
import { connectionCheckOf } from './check.js';

interface SyncFlags {
  streams?: string;
  forceRefresh?: boolean;
}

export default defineCommand<SyncFlags>({
  description: 'incremental sync of all (or the named) streams into the database (SQLite or PostgreSQL)',
  stop: 'graceful',
  db: {},
  declare: (command) =>
    command
      .option('--streams <names>', 'comma-separated stream names (default: all but the opt-in media streams)')
      .option('--force-refresh', 'also read slow-changing streams (settings, library, workspaces, coaching) refreshed recently'),
  async run(app, _args, flags) {
    const { config } = app;
    const selected = selectStreams(flags.streams);
    const gong = await app.connect();
    const report = await runWithProgress(gong, selected, {
      command: 'sync',
      ignoreRefreshIntervals: flags.forceRefresh,
      preflight: connectionCheckOf(gong),
    });
    if (report.error) app.logger.error(report.error.message);
    return { exitCode: reportExitCode(report), stdout: config.quiet ? undefined : formatSyncReport(report) };
  },
});
