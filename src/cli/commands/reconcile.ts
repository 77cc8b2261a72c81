import type { Command } from 'commander';
import { createApp, createAppLogger } from '../../app.js';
import { parseDate } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { formatReconcile, parseShare, runReconcile } from '../../mirror/mirror-commands.js';
import { processStopSignal } from '../signals.js';
import type { CommandResult } from '../main.js';
import { commandConfig } from '../command-config.js';

interface ReconcileFlags {
  from?: string;
  to?: string;
  maxDeleteShare?: string;
  db?: string;
}

export function registerReconcile(program: Command, done: (result: Promise<CommandResult>) => void) {
  program
    .command('reconcile')
    .description('list call ids again and remove calls Gong no longer serves (deleted, purged, erased) from every table; resumable')
    .option('--from <date>', 'start, YYYY-MM-DD or ISO date-time (default: the earliest call held)')
    .option('--to <date>', 'end, exclusive (default: now)')
    .option('--max-delete-share <share>', 'stop (exit 3, nothing removed there) when a window would lose more than this share of its calls (env GONG_RECONCILE_MAX_DELETE_SHARE)', process.env.GONG_RECONCILE_MAX_DELETE_SHARE ?? '0.2')
    .option('--db <file>', 'SQLite file or postgres:// URL (env GONG_DB, default ./gong.db)')
    .action((options: ReconcileFlags, command: Command) => done(reconcileCommand(options, command)));
}

async function reconcileCommand(options: ReconcileFlags, command: Command): Promise<CommandResult> {
  const from = options.from ? parseDate(options.from, '--from') : undefined;
  const to = options.to ? parseDate(options.to, '--to') : undefined;
  if (from && to && from >= to) throw new ConfigError(`--from ${options.from} must be before --to ${options.to}`);
  const maxDeleteShare = parseShare(options.maxDeleteShare, '--max-delete-share');
  const config = commandConfig(command, options);
  const app = await createApp(config, createAppLogger(config));
  try {
    const report = await runReconcile(app, { from, to, maxDeleteShare, signal: processStopSignal });
    return { exitCode: 0, stdout: config.quiet ? undefined : formatReconcile(report) };
  } finally {
    await app.close();
  }
}
