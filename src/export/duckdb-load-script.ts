import type { ExportFormat, ExportedTable } from './export-tables.js';
import { quoteString, readCsvOptions } from './duckdb-csv.js';

/**
 * A DuckDB script that loads the exported files as tables with their types. It names the export
 * folder (DuckDB's file_search_path), so `duckdb my.db < /path/to/out/load-duckdb.sql` works from
 * any directory; a folder that was moved still loads when the script runs from inside it.
 */
export function duckdbLoadScript(
  outDir: string,
  format: ExportFormat,
  tables: Pick<ExportedTable, 'table' | 'types' | 'longestLineBytes'>[],
): string {
  // file_search_path is a comma-separated list: a folder with a comma in its name is written into each path instead.
  const searchable = !outDir.includes(',');
  const fileRef = (file: string) => quoteString(searchable ? file : `${outDir}/${file}`);
  // A comment is one line: a folder name with a line break in it must not end it.
  const lines = [`-- Loads this gong-sync export into DuckDB: duckdb my.duckdb < ${outDir.replace(/[\r\n]/g, '?')}/load-duckdb.sql`];
  if (searchable) lines.push(`set file_search_path = ${quoteString(outDir)};`);
  for (const table of tables) {
    const read =
      format === 'parquet'
        ? `read_parquet(${fileRef(`${table.table}.parquet`)})`
        : `read_csv(${fileRef(`${table.table}.csv`)}, ${readCsvOptions(table.types, table.longestLineBytes)})`;
    lines.push(`create or replace table ${table.table} as select * from ${read};`);
  }
  if (searchable) lines.push('reset file_search_path;');
  return lines.join('\n') + '\n';
}
