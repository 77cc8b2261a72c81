import { Command, CommanderError } from 'commander';
import { ConfigError, GongSyncError, describeError } from '../errors.js';
import { registerSync } from './commands/sync.js';
import { registerMigrate } from './commands/migrate.js';
import { registerStatus } from './commands/status.js';
import { registerDemo } from './commands/demo.js';
import { registerGet } from './commands/get.js';
import { registerDownload } from './commands/download.js';
import { registerExecute } from './commands/execute.js';
import { registerBackfill } from './commands/backfill.js';
import { registerQuery } from './commands/query.js';
import { registerSchedule } from './commands/schedule.js';
import { registerExport } from './commands/export.js';

export interface CommandResult {
  exitCode: 0 | 1 | 2 | 3;
  stdout?: string;
}

/**
 * The composition root: parses flags, runs one command, maps what happened to an exit code
 * (0 done, 1 failed, 2 bad usage or configuration, 3 stopped early on purpose with state saved).
 */
export async function main(argv: string[]): Promise<number> {
  // Everything gong-sync creates (database, media) is readable by its owner only.
  process.umask(0o077);
  let pending: Promise<CommandResult> | undefined;
  const done = (result: Promise<CommandResult>) => {
    pending = result;
  };
  const program = new Command('gong-sync')
    .description("Copies a company's Gong data into a local SQLite database, incrementally.")
    .option('--log-format <format>', 'text or json (default: text on a terminal, json otherwise)')
    .option('--quiet', 'print warnings and errors only')
    .exitOverride()
    .showHelpAfterError('(run gong-sync --help for usage)')
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerSync(program, done);
  registerBackfill(program, done);
  registerSchedule(program, done);
  registerQuery(program, done);
  registerMigrate(program, done);
  registerStatus(program, done);
  registerDemo(program, done);
  registerGet(program, done);
  registerDownload(program, done);
  registerExecute(program, done);
  registerExport(program, done);
  for (const command of program.commands) command.exitOverride();

  try {
    await program.parseAsync(argv, { from: 'user' });
    if (!pending) {
      program.outputHelp();
      return argv.length === 0 ? 2 : 0;
    }
    const result = await pending;
    if (result.stdout) process.stdout.write(result.stdout + '\n');
    return result.exitCode;
  } catch (error) {
    return reportFailure(error);
  }
}

function reportFailure(error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
    return 2; // commander already printed what was wrong
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`error: ${error.message}\n`);
    return 2;
  }
  if (error instanceof GongSyncError) {
    process.stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
  process.stderr.write(`error: unexpected failure: ${describeError(error)}\n`);
  if (process.env.GONG_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
  return 1;
}
