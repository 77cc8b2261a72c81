import type pg from 'pg';
import { ConfigError } from '../errors.js';
import type { PostgresDatabase } from './database.js';
import { connected } from './postgres-backend.js';

const FETCH_ROWS = 2000;

export interface ReadOnlyResult {
  columns: string[];
  /** Rows in column order, fetched a batch at a time from a server-side cursor. */
  rows: AsyncIterable<unknown[]>;
  /** Ends the transaction and returns the connection (call it whether or not rows were read). */
  close(): Promise<void>;
}

/**
 * Runs one user statement so that it cannot write: inside a READ ONLY transaction with a statement
 * timeout, as a cursor (only a query can be declared as one), sent with the extended protocol
 * (which refuses a second statement, so "select 1; commit; drop table calls" is one error).
 */
export async function readOnlyQuery(database: PostgresDatabase, sqlText: string, options: { timeoutMs: number }): Promise<ReadOnlyResult> {
  const deadline = Date.now() + options.timeoutMs;
  const client = await connected(database.pool);
  let open = true;
  const close = async () => {
    if (!open) return;
    open = false;
    await client.query('rollback').catch(() => undefined);
    client.release();
  };
  try {
    await client.query('begin transaction isolation level repeatable read, read only');
    await client.query(`set local statement_timeout = ${Math.max(1, Math.floor(options.timeoutMs))}`);
    await client.query({ text: `declare gong_sync_query no scroll cursor for ${sqlText.trim().replace(/;\s*$/, '')}`, values: [], queryMode: 'extended' } as pg.QueryConfig);
    const first = await fetch(client);
    const columns = first.fields.map((f) => f.name);
    return { columns, rows: rowsFrom(client, first, deadline), close };
  } catch (error) {
    await close();
    throw queryError(error);
  }
}

async function fetch(client: pg.PoolClient): Promise<pg.QueryArrayResult> {
  return client.query({ text: `fetch forward ${FETCH_ROWS} from gong_sync_query`, rowMode: 'array' });
}

/** The statement timeout bounds each fetch; the deadline bounds them all. */
async function* rowsFrom(client: pg.PoolClient, first: pg.QueryArrayResult, deadline: number): AsyncIterable<unknown[]> {
  let batch = first;
  for (;;) {
    for (const row of batch.rows) yield row.map(plainValue);
    if (batch.rows.length < FETCH_ROWS) return;
    if (Date.now() > deadline) throw new ConfigError('SQL error: the query ran past its time limit while its rows were read; narrow it or raise --timeout');
    try {
      batch = await fetch(client);
    } catch (error) {
      throw queryError(error);
    }
  }
}

/** Values as SQLite's query prints them: timestamps as ISO text, JSON as text. */
function plainValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) return JSON.stringify(value);
  return value;
}

function queryError(error: unknown): unknown {
  const e = error as { code?: string; message?: string };
  if (!e?.code || !/^[0-9A-Z]{5}$/.test(e.code)) return error;
  if (e.code === '25006') return new ConfigError(`query is read-only: ${e.message}`);
  if (e.code === '57014') return new ConfigError(`SQL error: the statement ran past its time limit (${e.message}); narrow it or raise --timeout`);
  if (e.code === '42601' || e.code === '42P01' || e.code === '42703' || e.code === '42883' || e.code.startsWith('42') || e.code.startsWith('22')) {
    return new ConfigError(`SQL error: ${e.message} (only one read-only statement is allowed: select, with, values)`);
  }
  return new ConfigError(`SQL error: ${e.message}`);
}
