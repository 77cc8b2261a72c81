import { Command, CommanderError } from 'commander';
import { AppRoot } from '../app.js';
import { parseLogFormat } from '../config.js';
import { ConfigError, GongSyncError, describeError, type ExitCode } from '../errors.js';
import { redactProcessOutput } from '../redact.js';
import { installStopSignals, setStopMode, stopWhenParentEnds } from './signals.js';
import { packageVersion } from './version.js';
import { commandName } from '../command-name.js';
import { defaultLogFormat, stderrLine } from '../logger.js';
import { COMMANDS } from './commands/index.js';
import { databaseOptionHelp, type CliCommand, type CommandResult } from './command.js';

export type { CommandResult } from './command.js';

/**
 * The CLI's entry: parses flags, runs one command over one app root, and maps what happened to an
 * exit code (0 done, 1 failed, 2 bad usage or configuration, 3 stopped early on purpose with state saved).
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  // Before anything can open a database: a signal from now on is handled, never a half-done step.
  const stopSignal = installStopSignals();
  stopWhenParentEnds(env);
  // Nothing that leaves the process carries a secret, whoever writes it.
  redactProcessOutput();
  // Everything gong-sync creates (database, media) is readable by its owner only.
  process.umask(0o077);
  let app: AppRoot | undefined;
  let pending: Promise<CommandResult> | undefined;
  const program = new Command('gong-sync')
    .description("Copies a company's Gong data into a local SQLite database (or PostgreSQL), incrementally.")
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--log-format <format>', 'text or json (default: text on a terminal, json otherwise)')
    .option('--quiet', 'print warnings and errors only')
    .exitOverride()
    .showHelpAfterError(USAGE_HINT)
    .configureOutput({ writeErr: writeCommanderError });
  const run = (command: CliCommand, args: string[], flags: Record<string, unknown>, globals: { logFormat?: string; quiet?: boolean }) => {
    setStopMode(command.stop);
    // Checked before anything runs, also for commands that never read the rest of the configuration.
    if (globals.logFormat !== undefined) parseLogFormat(globals.logFormat);
    app = new AppRoot(env, { db: flags.db as string | undefined, logFormat: globals.logFormat, quiet: globals.quiet }, stopSignal);
    pending = command.run(app, args, flags);
    return pending;
  };
  for (const [name, command] of await commandsFor(argv, program)) addCommand(program, name, command, run);

  try {
    try {
      await program.parseAsync(argv, { from: 'user' });
    } finally {
      await app?.close();
    }
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

type Run = (
  command: CliCommand,
  args: string[],
  flags: Record<string, unknown>,
  globals: { logFormat?: string; quiet?: boolean },
) => Promise<CommandResult>;

/** Declares one command on the program: its own arguments and options, then `--db` the same way for all. */
function addCommand(program: Command, name: string, command: CliCommand, run: Run): void {
  const declared = program.command(name).description(command.description);
  command.declare?.(declared);
  if (command.db) declared.option('--db <file>', databaseOptionHelp(command.db), command.db.default);
  declared.exitOverride();
  declared.action(async (...params: unknown[]) => {
    // commander passes the positional arguments, then the options, then the command itself.
    const self = params.at(-1) as Command;
    const flags = params.at(-2) as Record<string, unknown>;
    await run(command, params.slice(0, -2) as string[], flags, self.optsWithGlobals());
  });
}

/**
 * Only the module of the command being run is loaded; help, a typo or no command at all load them
 * all (to list them, or to suggest the nearest name).
 */
async function commandsFor(argv: string[], program: Command): Promise<[string, CliCommand][]> {
  const invoked = invokedCommandName(argv, program);
  if (invoked === undefined && argv.some((a) => a === '-V' || a === '--version')) return [];
  const names = invoked !== undefined && Object.hasOwn(COMMANDS, invoked) ? [invoked] : Object.keys(COMMANDS);
  return Promise.all(names.map(async (name) => [name, (await COMMANDS[name]!()).default] as [string, CliCommand]));
}

/** The first argument that is not a global option (or its value). */
function invokedCommandName(argv: string[], program: Command): string | undefined {
  const withValue = new Set(program.options.filter((o) => o.required || o.optional).flatMap((o) => [o.long, o.short]));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return argv[i + 1];
    if (!arg.startsWith('-')) return arg;
    if (withValue.has(arg)) i++;
  }
  return undefined;
}

const USAGE_HINT = `(run ${commandName()} --help for usage)`;

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

/** The one place a failure becomes a message on stderr and an exit code. */
async function reportFailure(error: unknown): Promise<ExitCode> {
  if (error instanceof CommanderError) {
    // Help asked for (--help, help) is a success; help shown because no command was given is not.
    if (error.code === 'commander.help') return error.exitCode === 0 ? 0 : 2;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    return 2; // commander already printed what was wrong
  }
  if (error instanceof ConfigError) {
    stderrLine('error', error.message, { event: 'configuration_error' });
    return error.exitCode;
  }
  if (error instanceof GongSyncError) {
    stderrLine('error', error.message);
    return error.exitCode;
  }
  // A driver's error (a damaged page, a full disk, a lost server) named for the user.
  const { describeDatabaseFailure } = await import('../db/database.js');
  const database = describeDatabaseFailure(error);
  if (database) {
    stderrLine('error', database.message, { event: 'database_error' });
    return database.exitCode;
  }
  stderrLine('error', `unexpected failure: ${describeError(error)}`);
  if (process.env.GONG_DEBUG) process.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
  return 1;
}
