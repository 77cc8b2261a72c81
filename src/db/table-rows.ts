import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import type { TableRowsOptions } from './adapter.js';
import { postgresReadOnlyQuery } from './postgres-query.js';
import { QueryStoppedError } from './query-stop.js';

/**
 * Every row of one table of the dataset, a batch at a time (export). The SQL is built here from
 * names the caller took from listTables(), never a user's statement, so SQLite reads it in-process
 * (a reader process per table would cost more than a small table's rows) with 64-bit integers
 * exact (bigint); PostgreSQL reads it through a cursor. Both stop between batches when the signal
 * aborts (QueryStoppedError).
 */
const BATCH_ROWS = 2000;
/** One statement reads a whole table: a table of millions of rows takes minutes, never a day. */
const TABLE_READ_LIMIT_MS = 24 * 3600_000;

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const selectAll = (table: string, columns: string[]) => `select ${columns.map(quoteIdent).join(', ')} from ${quoteIdent(table)}`;

export async function* sqliteTableRows(
  sqlite: BetterSqlite3.Database,
  table: string,
  columns: string[],
  options: TableRowsOptions = {},
): AsyncIterable<unknown[][]> {
  const rows = sqlite.prepare(selectAll(table, columns)).raw(true).safeIntegers(true).iterate() as IterableIterator<unknown[]>;
  try {
    let batch: unknown[][] = [];
    for (const row of rows) {
      batch.push(row);
      if (batch.length >= BATCH_ROWS) {
        yield batch;
        batch = [];
        if (options.signal?.aborted) throw new QueryStoppedError(String(options.signal.reason ?? 'a signal'));
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    rows.return?.();
  }
}

export async function* postgresTableRows(
  pool: pg.Pool,
  table: string,
  columns: string[],
  options: TableRowsOptions = {},
): AsyncIterable<unknown[][]> {
  const result = await postgresReadOnlyQuery(pool, selectAll(table, columns), { timeoutMs: TABLE_READ_LIMIT_MS, signal: options.signal });
  try {
    let batch: unknown[][] = [];
    for await (const row of result.rows) {
      batch.push(row);
      if (batch.length >= BATCH_ROWS) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    await result.close();
  }
}
