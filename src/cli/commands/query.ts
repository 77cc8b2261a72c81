import { connectDatabase, openDatabase, type PostgresDatabase } from '../../db/database.js';
import { isPostgresUrl } from '../../db/postgres-database.js';
import { readOnlyQuery } from '../../db/postgres-query.js';
import type { AppRoot } from '../../app.js';
import { ConfigError } from '../../errors.js';
import { writeRows, type QueryFormat } from '../query-output.js';
import { stdoutSink } from '../stdout-sink.js';
import { defineCommand, type CommandResult } from '../command.js';

const FORMATS: QueryFormat[] = ['table', 'csv', 'json'];

export default defineCommand<QueryFlags>({
  description: 'run read-only SQL on the database, SQLite or PostgreSQL (no statement can change it)',
  stop: 'immediate',
  db: {},
  declare: (command) =>
    command
      .argument('<sql>', 'one SQL statement, e.g. "select title, started from calls limit 5"')
      .option('--format <format>', 'table, csv or json', 'table')
      .option('--timeout <seconds>', 'PostgreSQL: cancel the statement after this long', '300'),
  run: (app, [sqlText], flags) => queryCommand(app, sqlText!, flags),
});

interface QueryFlags {
  format: string;
  timeout: string;
}

async function queryCommand(app: AppRoot, sqlText: string, options: QueryFlags): Promise<CommandResult> {
  if (!FORMATS.includes(options.format as QueryFormat)) throw new ConfigError(`--format "${options.format}" is not valid: expected ${FORMATS.join(', ')}`);
  if (!sqlText.trim()) throw new ConfigError('The SQL is empty: expected one statement, e.g. "select count(*) from calls"');
  const { config } = app;
  const timeoutSeconds = Number(options.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new ConfigError(`--timeout "${options.timeout}" is not valid: expected a number of seconds above 0, e.g. 300`);
  if (isPostgresUrl(config.dbFile)) {
    const database = (await connectDatabase(config.dbFile, { readonly: true, schema: config.dbSchema })) as PostgresDatabase;
    try {
      return await queryPostgres(database, sqlText, options.format as QueryFormat, timeoutSeconds * 1000);
    } finally {
      await database.close();
    }
  }
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

/** Rows stream from a server-side cursor in a read-only transaction (src/db/postgres-query.ts). */
async function queryPostgres(database: PostgresDatabase, sqlText: string, format: QueryFormat, timeoutMs: number): Promise<CommandResult> {
  const result = await readOnlyQuery(database, sqlText, { timeoutMs });
  try {
    await writeRows(stdoutSink, result.columns, result.rows, format);
  } finally {
    await result.close();
  }
  return { exitCode: 0 };
}
