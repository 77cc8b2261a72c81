import type { Command } from 'commander';
import { createAppLogger, openMigratedDatabase } from '../../app.js';
import { formatForget, runForget } from '../../mirror/mirror-commands.js';
import type { CommandResult } from '../main.js';
import { commandConfig } from '../command-config.js';

interface ForgetFlags {
  email?: string;
  phone?: string;
  dryRun?: boolean;
  includeUser?: boolean;
  db?: string;
}

export function registerForget(program: Command, done: (result: Promise<CommandResult>) => void) {
  program
    .command('forget')
    .description('erase a person: every call and row that mentions the address, no byte of it left in the database files; proof in _erasures')
    .option('--email <address>', 'the e-mail address to erase')
    .option('--phone <number>', 'the phone number to erase (any formatting)')
    .option('--dry-run', 'list what would be removed, change nothing')
    .option('--include-user', 'also when the address is a Gong user of the account (removes every call they took part in)')
    .option('--db <file>', 'SQLite file or postgres:// URL (env GONG_DB, default ./gong.db)')
    .action((options: ForgetFlags, command: Command) => done(forgetCommand(options, command)));
}

/** Works on the database alone: no Gong credentials needed, no request made. */
async function forgetCommand(options: ForgetFlags, command: Command): Promise<CommandResult> {
  const config = commandConfig(command, options);
  const logger = createAppLogger(config);
  const database = await openMigratedDatabase(config.dbFile, logger, config.dbSchema);
  try {
    const report = await runForget(database, { ...options, mediaDir: config.mediaDir, logger });
    return { exitCode: 0, stdout: config.quiet ? undefined : formatForget(report) };
  } finally {
    await database.close();
  }
}
