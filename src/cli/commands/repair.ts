import type { Command } from 'commander';
import { createApp, createAppLogger } from '../../app.js';
import { parseDate } from '../../config.js';
import { formatRepair, runRepair } from '../../mirror/mirror-commands.js';
import { processStopSignal } from '../signals.js';
import type { CommandResult } from '../main.js';
import { commandConfig } from '../command-config.js';

interface RepairFlags {
  transcripts?: boolean;
  from?: string;
  db?: string;
}

export function registerRepair(program: Command, done: (result: Promise<CommandResult>) => void) {
  program
    .command('repair')
    .description('re-read, by id, exactly the calls call_completeness shows as incomplete (no extensive data, no transcript)')
    .option('--transcripts', 'only transcripts')
    .option('--from <date>', 'only calls that started on or after this date')
    .option('--db <file>', 'SQLite file or postgres:// URL (env GONG_DB, default ./gong.db)')
    .action((options: RepairFlags, command: Command) => done(repairCommand(options, command)));
}

async function repairCommand(options: RepairFlags, command: Command): Promise<CommandResult> {
  const from = options.from ? parseDate(options.from, '--from') : undefined;
  const config = commandConfig(command, options);
  const app = await createApp(config, createAppLogger(config));
  try {
    const report = await runRepair(app, { transcriptsOnly: options.transcripts, from, signal: processStopSignal });
    return { exitCode: 0, stdout: config.quiet ? undefined : formatRepair(report) };
  } finally {
    await app.close();
  }
}
