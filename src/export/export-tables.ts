import fs from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { GongSyncError, StoppedEarlyError } from '../errors.js';
import { ColumnTyper, type ExportType } from './column-typing.js';
import { writeCsv } from './csv-writer.js';
import { duckdbLoadScript } from './duckdb-load-script.js';
import { ExportFolder } from './export-folder.js';
import { selectTables, type ExportableTable } from './exportable-tables.js';
import { ParquetWriter } from './parquet-writer.js';
import type { ExportSource } from './export-source.js';

export type ExportFormat = 'csv' | 'parquet';
export const EXPORT_FORMATS: ExportFormat[] = ['csv', 'parquet'];

/** The file beside the exports that tells readers each column's type (ids are VARCHAR). */
export const SCHEMA_FILE = 'schema.json';
/** A DuckDB script that loads the files with those types. */
export const DUCKDB_LOAD_FILE = 'load-duckdb.sql';

export interface ExportOptions {
  /** The database's adapter (database.adapter). */
  source: ExportSource;
  format: ExportFormat;
  outDir: string;
  /** Table names to export; every entity table when absent. */
  tables?: string[];
  /** Masks text in the named columns (GONG_REDACT_TEXT): `{ table: [column] }` and the masking. */
  mask?: { columns: Record<string, string[]>; text: (text: string) => string };
  /** Stops the export between batches; --out is then left as it was. */
  signal?: AbortSignal;
  onTable?: (done: ExportedTable) => void;
  warn?: (message: string) => void;
  /** Wraps each file's output stream (tests make a disk fill up). */
  wrapFile?: (file: fs.WriteStream, name: string) => Writable;
}

export interface ExportedTable {
  table: string;
  file: string;
  rows: number;
  types: Record<string, ExportType>;
  /** A bound on the CSV file's longest line, in bytes (DuckDB's read limits). */
  longestLineBytes: number;
}

/**
 * Writes one file per table, rows streamed from the database (SQLite or PostgreSQL), plus
 * schema.json and load-duckdb.sql. Files are staged and take their names in --out only when every
 * one of them is complete: a failed or stopped export changes nothing there, and nothing is ever
 * written outside it. Returns what it wrote.
 */
export async function exportTables(options: ExportOptions): Promise<ExportedTable[]> {
  const warn = options.warn ?? (() => undefined);
  const tables = selectTables(await options.source.listTables(), options.tables, warn);
  const folder = ExportFolder.open(options.outDir);
  let writing = '';
  try {
    const parquet = options.format === 'parquet' ? await ParquetWriter.open(folder.stagingDir) : undefined;
    const exported: ExportedTable[] = [];
    try {
      for (const table of tables) {
        writing = `${table.name}.${options.format}`;
        exported.push(await exportTable(table, writing, folder, options, parquet));
      }
    } finally {
      parquet?.close();
    }
    writing = SCHEMA_FILE;
    const schema = Object.fromEntries(exported.map((t) => [t.table, t.types]));
    folder.writeStaged(SCHEMA_FILE, JSON.stringify(schema, null, 2) + '\n');
    writing = DUCKDB_LOAD_FILE;
    folder.writeStaged(DUCKDB_LOAD_FILE, duckdbLoadScript(folder.outDir, options.format, exported));
    folder.publish([...exported.map((t) => `${t.table}.${options.format}`), SCHEMA_FILE, DUCKDB_LOAD_FILE]);
    const placed = exported.map((t) => ({ ...t, file: path.join(folder.outDir, t.file) }));
    for (const t of placed) options.onTable?.(t);
    return placed;
  } catch (error) {
    folder.discard();
    throw options.signal?.aborted ? stopped(options.signal, options.outDir) : failureOf(error, writing, options.outDir);
  }
}

async function exportTable(
  table: ExportableTable,
  name: string,
  folder: ExportFolder,
  options: ExportOptions,
  parquet: ParquetWriter | undefined,
): Promise<ExportedTable> {
  const typer = new ColumnTyper(table.columns);
  const names = table.columns.map((c) => c.name);
  const masked = new Set(options.mask?.columns[table.name] ?? []);
  const maskAt = options.mask ? names.flatMap((n, i) => (masked.has(n) ? [i] : [])) : [];
  const signal = options.signal;
  async function* texts(): AsyncIterable<(string | null)[][]> {
    for await (const batch of options.source.tableRows(table.name, names, { signal })) {
      if (signal?.aborted) throw stopped(signal, options.outDir);
      const rows = batch.map((row) => typer.textOf(row));
      for (const i of maskAt) for (const row of rows) if (row[i] !== null) row[i] = options.mask!.text(row[i]!);
      yield rows;
    }
  }
  // Parquet is converted by DuckDB from the same CSV text, typed as load-duckdb.sql types it.
  const csvName = parquet ? `${table.name}.csv` : name;
  const file = folder.createStaged(csvName);
  const { rows, longestLineBytes } = await writeCsv(options.wrapFile ? options.wrapFile(file, csvName) : file, names, texts());
  const types = typer.types();
  const typesByName = Object.fromEntries(names.map((n, i) => [n, types[i]!]));
  if (parquet) {
    await parquet.convert(folder.stagedPath(csvName), folder.stagedPath(name), typesByName, longestLineBytes);
    fs.rmSync(folder.stagedPath(csvName));
  }
  return { table: table.name, file: name, rows, types: typesByName, longestLineBytes };
}

function stopped(signal: AbortSignal, outDir: string): StoppedEarlyError {
  return new StoppedEarlyError(
    `Export stopped by ${String(signal.reason ?? 'a signal')}: ${outDir} was left as it was; run the export again.`,
  );
}

/** A failure as one message naming what was being written and saying --out is unchanged. */
function failureOf(error: unknown, writing: string, outDir: string): unknown {
  if (error instanceof GongSyncError) return error;
  const code = (error as { code?: string })?.code;
  const reasons: Record<string, string> = {
    ENOSPC: 'no space left on the device: free some space',
    EDQUOT: 'the disk quota is exceeded: free some space',
    EFBIG: 'the file grew past the size this system allows',
    EIO: 'the disk reported an I/O error',
  };
  const reason = (code && reasons[code]) ?? (error as Error)?.message ?? String(error);
  return new GongSyncError(
    `Export failed while writing ${writing || 'the export'}: ${reason}. Nothing in ${outDir} was changed; run the export again.`,
    { cause: error },
  );
}
