import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBAppender } from '@duckdb/node-api';
import type { ExportColumn, ExportType } from './exportable-tables.js';

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Writes rows to a Parquet file with typed columns (ids as VARCHAR). Rows go through DuckDB's
 * appender into a scratch database on disk with a memory limit, so a large table spills to disk
 * instead of filling memory, then DuckDB's COPY writes the Parquet file.
 */
export async function writeParquet(file: string, columns: ExportColumn[], rows: Iterable<unknown[]>): Promise<number> {
  const scratch = `${file}.scratch.duckdb`;
  fs.rmSync(scratch, { force: true });
  fs.rmSync(`${scratch}.wal`, { force: true });
  const instance = await DuckDBInstance.create(scratch, { memory_limit: '256MB', threads: '2' });
  const connection = await instance.connect();
  try {
    const definition = columns.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ');
    await connection.run(`create table export_rows (${definition})`);
    const appender = await connection.createAppender('export_rows');
    let count = 0;
    for (const row of rows) {
      for (let i = 0; i < columns.length; i++) appendValue(appender, columns[i]!.type, row[i]);
      appender.endRow();
      count++;
    }
    appender.closeSync();
    await connection.run(`copy export_rows to ${quoteString(path.resolve(file))} (format parquet, compression zstd)`);
    fs.chmodSync(file, 0o600);
    return count;
  } finally {
    connection.closeSync();
    instance.closeSync();
    fs.rmSync(scratch, { force: true });
    fs.rmSync(`${scratch}.wal`, { force: true });
  }
}

function appendValue(appender: DuckDBAppender, type: ExportType, value: unknown): void {
  if (value === null || value === undefined) return appender.appendNull();
  // Column types were widened to the stored values (listExportableTables), so these always fit.
  if (type === 'BIGINT') return appender.appendBigInt(BigInt(value as number | bigint));
  if (type === 'DOUBLE') return appender.appendDouble(Number(value));
  appender.appendVarchar(Buffer.isBuffer(value) ? value.toString('base64') : String(value));
}
