import { connectDatabase } from '../../db/database.js';
import { withStopSignals } from '../signals.js';
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
      .option('--timeout <seconds>', 'stop the statement after this long (both databases; Ctrl-C stops it too)', '300'),
  run: (app, [sqlText], flags) => queryCommand(app, sqlText!, flags),
});

interface QueryFlags {
  format: string;
  timeout: string;
}

async function queryCommand(app: AppRoot, sqlText: string, options: QueryFlags): Promise<CommandResult> {
  if (!FORMATS.includes(options.format as QueryFormat))
    throw new ConfigError(`--format "${options.format}" is not valid: expected ${FORMATS.join(', ')}`);
  if (!sqlText.trim()) throw new ConfigError('The SQL is empty: expected one statement, e.g. "select count(*) from calls"');
  const { config } = app;
  const timeoutSeconds = Number(options.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new ConfigError(`--timeout "${options.timeout}" is not valid: expected a number of seconds above 0, e.g. 300`);
  // Read-only on both: a read-only connection with query_only (SQLite), a read-only transaction (PostgreSQL).
  const database = await connectDatabase(config.dbFile, { readonly: true, schema: config.dbSchema });
  try {
    // SIGINT/SIGTERM stop the statement itself (SQLite's process is killed, PostgreSQL's backend cancelled), then exit 3.
    return await withStopSignals(async (signal) => {
      const result = await database.adapter.readOnlyQuery(sqlText, { timeoutMs: timeoutSeconds * 1000, signal });
      try {
        // Rows stream to stdout: a query of millions of rows never sits in memory.
        await writeRows(stdoutSink, result.columns, result.rows, options.format as QueryFormat);
      } finally {
        await result.close();
      }
      return { exitCode: 0 };
    });
  } finally {
    await database.close();
  }
}
