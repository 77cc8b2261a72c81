import type { Command } from 'commander';
import type { AppRoot } from '../app.js';
import type { ExitCode } from '../errors.js';

/** What a command hands back: its exit code and what goes to stdout (logs go to stderr on their own). */
export interface CommandResult {
  exitCode: ExitCode;
  stdout?: string;
}

/**
 * `--db`, declared the same way for every command that opens a database: which kinds it takes,
 * what it does with it, and its default.
 */
export interface DatabaseOption {
  /** `sqlite`: the command refuses a postgres:// URL (default: both). */
  accepts?: 'sqlite' | 'sqlite-or-postgres';
  /** Words after "SQLite file or postgres:// URL", e.g. "where requests are counted". */
  purpose?: string;
  /** A default of the command's own; GONG_DB is then ignored (demo). */
  default?: string;
}

/**
 * One command: a declaration commander shows in --help, and a small function over the app.
 * Positional arguments arrive as strings in declaration order, options as commander's camelCase flags.
 */
export interface CliCommand<Flags = Record<string, unknown>> {
  description: string;
  /** `graceful`: SIGINT/SIGTERM stop at the next safe point, exit 3, state saved. `immediate`: the signal ends the process. */
  stop: 'graceful' | 'immediate';
  /** Declares `--db` (see DatabaseOption); omit for commands that open no database. */
  db?: DatabaseOption;
  /** Arguments, options and extra help of this command (the global flags and --db are added for it). */
  declare?(command: Command): unknown;
  run(app: AppRoot, args: string[], flags: Flags): Promise<CommandResult>;
}

/** Identity with types: `export default defineCommand<MyFlags>({ ... })`. */
export function defineCommand<Flags>(command: CliCommand<Flags>): CliCommand<Flags> {
  return command;
}

export function databaseOptionHelp(db: DatabaseOption): string {
  const kinds = db.accepts === 'sqlite' ? 'SQLite file (PostgreSQL: not supported by this command)' : 'SQLite file or postgres:// URL';
  const purpose = db.purpose ? ` ${db.purpose}` : '';
  const source = db.default !== undefined ? `(default ${db.default})` : '(env GONG_DB, default ./gong.db)';
  return `${kinds}${purpose} ${source}`;
}
