import { Command, CommanderError } from 'commander';
import { ConfigError, GongSyncError, describeError } from '../errors.js';
import { redactProcessOutput } from '../redact.js';
import { describeDatabaseFailure } from '../db/database.js';
import { installStopSignals, setStopMode } from './signals.js';
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
import { registerMcp } from './commands/mcp.js';
import { registerCheck } from './commands/check.js';
import { packageVersion } from './version.js';
import { registerSimulator } from './commands/simulator.js';
import { registerReconcile } from './commands/reconcile.js';
import { registerForget } from './commands/forget.js';
import { registerRepair } from './commands/repair.js';
import { defaultLogFormat, stderrLine } from '../logger.js';

export interface CommandResult {
  exitCode: 0 | 1 | 2 | 3;
  stdout?: string;
}

/**
 * The composition root: parses flags, runs one command, maps what happened to an exit code
 * (0 done, 1 failed, 2 bad usage or configuration, 3 stopped early on purpose with state saved).
 */
/** Commands that stop cleanly on SIGINT/SIGTERM (exit 3, state saved); the others end at once. */
const GRACEFUL_COMMANDS = new Set(['sync', 'backfill', 'schedule', 'demo', 'migrate', 'get', 'download', 'execute', 'check', 'reconcile', 'repair']);

export async function main(argv: string[]): Promise<number> {
  // Before anything can open a database: a signal from now on is handled, never a half-done step.
  installStopSignals();
  // Nothing that leaves the process carries a secret, whoever writes it.
  redactProcessOutput();
  // Everything gong-sync creates (database, media) is readable by its owner only.
  process.umask(0o077);
  let pending: Promise<CommandResult> | undefined;
  const done = (result: Promise<CommandResult>) => {
    pending = result;
  };
  const program = new Command('gong-sync')
    .description("Copies a company's Gong data into a local SQLite database, incrementally.")
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--log-format <format>', 'text or json (default: text on a terminal, json otherwise)')
    .option('--quiet', 'print warnings and errors only')
    .exitOverride()
    .showHelpAfterError(USAGE_HINT)
    .configureOutput({ writeErr: writeCommanderError })
    .hook('preAction', (_program, actionCommand) => setStopMode(GRACEFUL_COMMANDS.has(actionCommand.name()) ? 'graceful' : 'immediate'));
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
  registerMcp(program, done);
  registerCheck(program, done);
  registerSimulator(program, done);
  registerReconcile(program, done);
  registerForget(program, done);
  registerRepair(program, done);
  for (const command of program.commands) command.exitOverride();

  try {
    await program.parseAsync(argv, { from: 'user' });
    if (!pending) {
      // No command: the help goes where an error would, and the exit says nothing was done.
      program.outputHelp({ error: true });
      return 2;
    }
    const result = await pending;
    if (result.stdout) process.stdout.write(result.stdout + '\n');
    return result.exitCode;
  } catch (error) {
    return reportFailure(error);
  }
}

const USAGE_HINT = '(run gong-sync --help for usage)';

/** Usage errors are log lines too: one JSON object each without a terminal (the hint goes inside); help stays text. */
function writeCommanderError(text: string): void {
  if (defaultLogFormat() !== 'json') {
    process.stderr.write(text);
  } else if (text.startsWith('error:')) {
    stderrLine('error', text.replace(/^error:\s*/, '').trim(), { event: 'usage_error', hint: USAGE_HINT.slice(1, -1) });
  } else if (!text.startsWith(USAGE_HINT)) {
    process.stderr.write(text);
  }
}

function reportFailure(error: unknown): number {
  if (error instanceof CommanderError) {
    // Help asked for (--help, help) is a success; help shown because no command was given is not.
    if (error.code === 'commander.help') return error.exitCode === 0 ? 0 : 2;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    return 2; // commander already printed what was wrong
  }
  if (error instanceof ConfigError) {
    stderrLine('error', error.message, { event: 'configuration_error' });
    return 2;
  }
  if (error instanceof GongSyncError) {
    stderrLine('error', error.message);
    return error.exitCode;
  }
  const database = describeDatabaseFailure(error);
  if (database) {
    stderrLine('error', database.message, { event: 'database_error' });
    return database.exitCode;
  }
  stderrLine('error', `unexpected failure: ${describeError(error)}`);
  if (process.env.GONG_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
  return 1;
}
