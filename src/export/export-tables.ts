import fs from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { ConfigError } from '../errors.js';
import { iterateRows, listExportableTables, type ExportableTable } from './exportable-tables.js';
import { writeCsv } from './csv-writer.js';
import { writeParquet } from './parquet-writer.js';

export type ExportFormat = 'csv' | 'parquet';
export const EXPORT_FORMATS: ExportFormat[] = ['csv', 'parquet'];

export interface ExportOptions {
  sqlite: BetterSqlite3.Database;
  format: ExportFormat;
  outDir: string;
  /** Table names to export; all entity tables when absent. */
  tables?: string[];
  onTable?: (done: ExportedTable) => void;
}

export interface ExportedTable {
  table: string;
  file: string;
  rows: number;
  bytes: number;
}

/** The file beside the exports that tells readers each column's type (ids are VARCHAR). */
export const SCHEMA_FILE = 'schema.json';
/** A DuckDB script that loads the CSV files with those types. */
export const DUCKDB_LOAD_FILE = 'load-duckdb.sql';

/**
 * Writes one file per table, rows streamed from SQLite, each file complete before it gets its
 * final name (a killed export leaves no half file under a table's name). Returns what it wrote.
 */
export async function exportTables(options: ExportOptions): Promise<ExportedTable[]> {
  const tables = selectTables(listExportableTables(options.sqlite), options.tables);
  fs.mkdirSync(options.outDir, { recursive: true, mode: 0o700 });
  const exported: ExportedTable[] = [];
  for (const table of tables) {
    const file = path.join(options.outDir, `${table.name}.${options.format}`);
    const partial = `${file}.partial`;
    const write = options.format === 'csv' ? writeCsv : writeParquet;
    const rows = await write(partial, table.columns, iterateRows(options.sqlite, table));
    fs.renameSync(partial, file);
    const done = { table: table.name, file, rows, bytes: fs.statSync(file).size };
    exported.push(done);
    options.onTable?.(done);
  }
  writeSchemaFiles(options.outDir, tables, options.format);
  return exported;
}

function selectTables(available: ExportableTable[], wanted: string[] | undefined): ExportableTable[] {
  if (!wanted || wanted.length === 0) return available;
  const unknown = wanted.filter((name) => !available.some((t) => t.name === name));
  if (unknown.length > 0) {
    throw new ConfigError(`Unknown table ${unknown.join(', ')} for --tables: expected some of ${available.map((t) => t.name).join(', ')}`);
  }
  return available.filter((t) => wanted.includes(t.name));
}

function writeSchemaFiles(outDir: string, tables: ExportableTable[], format: ExportFormat): void {
  const schema = Object.fromEntries(tables.map((t) => [t.name, Object.fromEntries(t.columns.map((c) => [c.name, c.type]))]));
  fs.writeFileSync(path.join(outDir, SCHEMA_FILE), JSON.stringify(schema, null, 2) + '\n', { mode: 0o600 });
  if (format !== 'csv') return;
  const statements = tables.map((t) => {
    const columns = t.columns.map((c) => `'${c.name}': '${c.type}'`).join(', ');
    return `create or replace table ${t.name} as select * from read_csv('${t.name}.csv', header = true, auto_detect = false, ` +
      `columns = {${columns}}, allow_quoted_nulls = false, max_line_size = 100000000);`;
  });
  fs.writeFileSync(path.join(outDir, DUCKDB_LOAD_FILE), statements.join('\n') + '\n', { mode: 0o600 });
}
