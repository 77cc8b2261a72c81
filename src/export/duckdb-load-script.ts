import type { ExportFormat } from './export-tables.js';
import type { ExportType } from './column-typing.js';

const quoteString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * A DuckDB script that loads the exported files as tables with their types. It names the export
 * folder (DuckDB's file_search_path), so `duckdb my.db < /path/to/out/load-duckdb.sql` works from
 * any directory; a folder that was moved still loads when the script runs from inside it.
 */
export function duckdbLoadScript(outDir: string, format: ExportFormat, tables: { name: string; types: Record<string, ExportType> }[]): string {
  // file_search_path is a comma-separated list: a folder with a comma in its name is written into each path instead.
  const searchable = !outDir.includes(',');
  const fileRef = (file: string) => quoteString(searchable ? file : `${outDir}/${file}`);
  const lines = [`-- Loads this gong-sync export into DuckDB: duckdb my.duckdb < ${outDir}/load-duckdb.sql`];
  if (searchable) lines.push(`set file_search_path = ${quoteString(outDir)};`);
  for (const table of tables) {
    if (format === 'parquet') {
      lines.push(`create or replace table ${table.name} as select * from read_parquet(${fileRef(`${table.name}.parquet`)});`);
      continue;
    }
    const columns = Object.entries(table.types).map(([name, type]) => `${quoteString(name)}: '${type}'`).join(', ');
    lines.push(
      `create or replace table ${table.name} as select * from read_csv(${fileRef(`${table.name}.csv`)}, header = true, auto_detect = false, ` +
        `columns = {${columns}}, allow_quoted_nulls = false, max_line_size = 100000000);`,
    );
  }
  if (searchable) lines.push('reset file_search_path;');
  return lines.join('\n') + '\n';
}
