import { parseDate } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { readStatus } from '../../status.js';
import { defineCommand } from '../command.js';
import { selectStreams } from '../stream-selection.js';
import { reportExitCode, formatSyncReport } from '../report-output.js';
import { runWithProgress } from '../run-with-progress.js';
import { connectionCheckOf } from './check.js';

interface BackfillFlags {
  from: string;
  to: string;
  streams?: string;
}

export default defineCommand<BackfillFlags>({
  description: 'load a past date range; resumable (run the same command again to continue); never moves the incremental bookmark',
  stop: 'graceful',
  db: {},
  declare: (command) =>
    command
      .requiredOption('--from <date>', 'start of the range, YYYY-MM-DD (inclusive)')
      .requiredOption('--to <date>', 'end of the range, YYYY-MM-DD (exclusive, not in the future)')
      .option('--streams <names>', 'comma-separated stream names (default: every date-based stream)'),
  async run(app, _args, flags) {
    const from = normalizeBound(flags.from, '--from');
    const to = normalizeBound(flags.to, '--to');
    if (parseDate(from, '--from').getTime() >= parseDate(to, '--to').getTime()) {
      throw new ConfigError(`--from ${from} must be before --to ${to}`);
    }
    const selected = selectStreams(flags.streams);
    const gong = await app.connect();
    const report = await runWithProgress(gong, selected, {
      command: 'backfill',
      backfill: { from, to },
      preflight: connectionCheckOf(gong),
    });
    const status = await readStatus(gong.database, selected, app.config.dailyBudget);
    const scope = `${from}..${to}`;
    const left = status.streams
      .map((s) => ({ stream: s.stream, backfill: s.backfills.find((b) => b.range === scope) }))
      .filter((s) => s.backfill)
      .map(
        (s) =>
          `  ${s.stream.padEnd(28)} ${s.backfill!.finished ? 'done' : `done up to ${s.backfill!.doneUpTo ?? 'nothing yet'}; left: ${s.backfill!.left}`}`,
      );
    const lines = [formatSyncReport(report), `backfill ${scope}:`, ...left];
    if (report.outcome === 'stopped') lines.push('run the same command again to continue where it stopped');
    return { exitCode: reportExitCode(report), stdout: app.config.quiet ? undefined : lines.join('\n') };
  },
});

/** `YYYY-MM-DD` stays as it is; a date-time becomes ISO UTC to the second. */
function normalizeBound(value: string, name: string): string {
  const date = parseDate(value, name);
  return /^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? value.trim() : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
