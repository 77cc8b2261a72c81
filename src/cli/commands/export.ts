import { openDatabase, requireSqliteFile } from '../../db/database.js';
import type { AppRoot } from '../../app.js';
import { ConfigError } from '../../errors.js';
import { EXPORT_FORMATS, exportTables, type ExportFormat } from '../../export/export-tables.js';
import { defineCommand, type CommandResult } from '../command.js';

interface ExportFlags {
  format: string;
  out: string;
  tables?: string;
}

export default defineCommand<ExportFlags>({
  description: 'write one CSV or Parquet file per table, ids as exact strings, rows streamed',
  stop: 'immediate',
  db: { accepts: 'sqlite' },
  declare: (command) =>
    command
      .requiredOption('--out <dir>', 'folder for the files (created if missing)')
      .option('--format <format>', 'csv or parquet', 'csv')
      .option('--tables <names>', 'comma-separated tables (default: every entity table)')
      .addHelpText(
        'after',
        '\nBeside the files: schema.json (each column\'s type; ids are VARCHAR) and, for CSV, load-duckdb.sql,\n' +
          'which loads them into DuckDB with those types. pandas: read_csv(f, dtype=str) keeps ids exact.',
      ),
  run: (app, _args, flags) => exportCommand(app, flags),
});

async function exportCommand(app: AppRoot, flags: ExportFlags): Promise<CommandResult> {
  if (!EXPORT_FORMATS.includes(flags.format as ExportFormat)) {
    throw new ConfigError(`--format "${flags.format}" is not valid: expected ${EXPORT_FORMATS.join(' or ')}`);
  }
  const tables = flags.tables?.split(',').map((t) => t.trim()).filter(Boolean);
  const { config, logger } = app;
  requireSqliteFile(config.dbFile, 'export', 'on PostgreSQL the tables are already on a server; copy them with COPY or pg_dump.');
  const database = openDatabase(config.dbFile, { readonly: true });
  try {
    const exported = await exportTables({
      sqlite: database.sqlite,
      format: flags.format as ExportFormat,
      outDir: flags.out,
      tables,
      onTable: (t) => logger.info(`exported ${t.table}`, { rows: t.rows, file: t.file }),
    });
    const rows = exported.reduce((sum, t) => sum + t.rows, 0);
    return { exitCode: 0, stdout: `${exported.length} tables, ${rows} rows written to ${flags.out}` };
  } finally {
    await database.close();
  }
}
