import type { Command } from 'commander';
import { openDatabase } from '../../db/database.js';
import { loadConfig } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { writeRows, type QueryFormat } from '../query-output.js';
import { stdoutSink } from '../stdout-sink.js';
import type { CommandResult } from '../main.js';

const FORMATS: QueryFormat[] = ['table', 'csv', 'json'];

export function registerQuery(program: Command, done: (result: Promise<CommandResult>) => void) {
  program
    .command('query')
    .description('run read-only SQL on the database (no statement can change it)')
    .argument('<sql>', 'one SQL statement, e.g. "select title, started from calls limit 5"')
    .option('--format <format>', 'table, csv or json', 'table')
    .option('--db <file>', 'SQLite file or postgres:// URL (env GONG_DB, default ./gong.db)')
    .action((sqlText: string, options: { format: string; db?: string }) => done(queryCommand(sqlText, options)));
}

async function queryCommand(sqlText: string, options: { format: string; db?: string }): Promise<CommandResult> {
  if (!FORMATS.includes(options.format as QueryFormat)) throw new ConfigError(`--format "${options.format}" is not valid: expected ${FORMATS.join(', ')}`);
  if (!sqlText.trim()) throw new ConfigError('The SQL is empty: expected one statement, e.g. "select count(*) from calls"');
  const config = loadConfig(process.env, { db: options.db, logFormat: 'text' });
  // Read-only at the driver and query_only at SQLite: nothing run here can change the file.
  const database = openDatabase(config.dbFile, { readonly: true });
  try {
    let statement;
    try {
      statement = database.sqlite.prepare(sqlText);
    } catch (error) {
      throw new ConfigError(`SQL error: ${(error as Error).message}`);
    }
    if (!statement.reader) {
      throw new ConfigError('query is read-only: only statements that return rows (select, with, pragma reads) are allowed');
    }
    const columns = statement.columns().map((c) => c.name);
    // Rows stream from SQLite to stdout: a query of millions of rows never sits in memory.
    try {
      await writeRows(stdoutSink, columns, statement.raw(true).iterate() as Iterable<unknown[]>, options.format as QueryFormat);
    } catch (error) {
      if (error instanceof Error && /SQLITE|SqliteError/.test(`${error.name} ${(error as { code?: string }).code ?? ''}`)) {
        throw new ConfigError(`SQL error: ${error.message}`);
      }
      throw error;
    }
    return { exitCode: 0 };
  } finally {
    await database.close();
  }
}
