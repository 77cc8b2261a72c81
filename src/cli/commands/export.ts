import type { AppRoot } from '../../app.js';
import { ConfigError } from '../../errors.js';
import { EXPORT_FORMATS, exportTables, type ExportFormat } from '../../export/export-tables.js';
import { spokenTextMask } from '../../export/spoken-text.js';
import { withStopSignals } from '../signals.js';
import { defineCommand, type CommandResult } from '../command.js';

interface ExportFlags {
  format: string;
  out: string;
  tables?: string;
}

export default defineCommand<ExportFlags>({
  description: 'write one CSV or Parquet file per table from SQLite or PostgreSQL, ids as exact strings, rows streamed',
  stop: 'immediate',
  db: {},
  declare: (command) =>
    command
      .requiredOption('--out <dir>', 'folder for the files (created if missing; nothing is written outside it)')
      .option('--format <format>', 'csv or parquet', 'csv')
      .option('--tables <names>', 'comma-separated tables (default: every entity table; bookkeeping tables such as _runs only when named)')
      .addHelpText(
        'after',
        '\nReads a SQLite file or a PostgreSQL database (GONG_DB=postgres://..., schema GONG_DB_SCHEMA) the same way.\n' +
          "Beside the files: schema.json (each column's type: ids VARCHAR, instants TIMESTAMP, flags BOOLEAN) and\n" +
          'load-duckdb.sql, which loads them into DuckDB with those types from any directory:\n' +
          '  duckdb my.duckdb < DIR/load-duckdb.sql\n' +
          'Files appear in DIR only when the whole export succeeded (a failed or stopped export leaves DIR as it was).\n' +
          'pandas: read_csv(f, dtype=str) keeps ids exact. GONG_REDACT_TEXT=1 masks e-mail addresses and phone\n' +
          'numbers spoken in transcripts.',
      ),
  run: (app, _args, flags) => exportCommand(app, flags),
});

async function exportCommand(app: AppRoot, flags: ExportFlags): Promise<CommandResult> {
  if (!EXPORT_FORMATS.includes(flags.format as ExportFormat)) {
    throw new ConfigError(`--format "${flags.format}" is not valid: expected ${EXPORT_FORMATS.join(' or ')}`);
  }
  const tables = flags.tables
    ?.split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const { config, logger } = app;
  // Read-only: a read-only connection with query_only (SQLite), read-only transactions (PostgreSQL).
  const database = await app.openDatabase({ readonly: true });
  // SIGINT/SIGTERM stop the reading, the staged files are removed and --out is left as it was (exit 3).
  const exported = await withStopSignals((signal) =>
    exportTables({
      source: database.adapter,
      format: flags.format as ExportFormat,
      outDir: flags.out,
      tables,
      signal,
      mask: spokenTextMask(config.redactText),
      warn: (message) => logger.warn(message),
      onTable: (t) => logger.info(`exported ${t.table}`, { rows: t.rows, file: t.file }),
    }),
  );
  const rows = exported.reduce((sum, t) => sum + t.rows, 0);
  return { exitCode: 0, stdout: `${exported.length} tables, ${rows} rows written to ${flags.out}` };
}
