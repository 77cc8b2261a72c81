import type { Command } from 'commander';
import { createApp, createAppLogger } from '../../app.js';
import { parseDate } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { readStatus } from '../../status.js';
import { selectStreams } from '../stream-selection.js';
import { exitCodeOf, formatSyncReport } from '../report-output.js';
import { runWithProgress } from '../run-with-progress.js';
import type { CommandResult } from '../main.js';
import { connectionCheckOf } from './check.js';
import { commandConfig } from '../command-config.js';

interface BackfillFlags {
  from?: string;
  to?: string;
  streams?: string;
  db?: string;
}

export function registerBackfill(program: Command, done: (result: Promise<CommandResult>) => void) {
  program
    .command('backfill')
    .description('load a past date range; resumable (run the same command again to continue); never moves the incremental bookmark')
    .requiredOption('--from <date>', 'start of the range, YYYY-MM-DD (inclusive)')
    .requiredOption('--to <date>', 'end of the range, YYYY-MM-DD (exclusive, not in the future)')
    .option('--streams <names>', 'comma-separated stream names (default: every date-based stream)')
    .option('--db <file>', 'SQLite file or postgres:// URL (env GONG_DB, default ./gong.db)')
    .action((options: BackfillFlags, command: Command) => done(backfillCommand(options, command)));
}

/** `YYYY-MM-DD` stays as it is; a date-time becomes ISO UTC to the second. */
function normalizeBound(value: string, name: string): string {
  const date = parseDate(value, name);
  return /^\d{4}-\d{2}-\d{2}$/.test(value.trim()) ? value.trim() : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

async function backfillCommand(options: BackfillFlags, command: Command): Promise<CommandResult> {
  const from = normalizeBound(options.from!, '--from');
  const to = normalizeBound(options.to!, '--to');
  if (parseDate(from, '--from').getTime() >= parseDate(to, '--to').getTime()) {
    throw new ConfigError(`--from ${from} must be before --to ${to}`);
  }
  const selected = selectStreams(options.streams);
  const config = commandConfig(command, options);
  const app = await createApp(config, createAppLogger(config));
  try {
    const report = await runWithProgress(app, selected, { command: 'backfill', backfill: { from, to }, preflight: connectionCheckOf(app) });
    const status = await readStatus(app.database, selected, config.dailyBudget);
    const scope = `${from}..${to}`;
    const left = status.streams
      .map((s) => ({ stream: s.stream, backfill: s.backfills.find((b) => b.range === scope) }))
      .filter((s) => s.backfill)
      .map((s) => `  ${s.stream.padEnd(28)} ${s.backfill!.finished ? 'done' : `done up to ${s.backfill!.doneUpTo ?? 'nothing yet'}; left: ${s.backfill!.left}`}`);
    const lines = [formatSyncReport(report), `backfill ${scope}:`, ...left];
    if (report.outcome === 'stopped') lines.push('run the same command again to continue where it stopped');
    return { exitCode: exitCodeOf(report), stdout: config.quiet ? undefined : lines.join('\n') };
  } finally {
    await app.close();
  }
}
