import type pg from 'pg';
import { ConfigError } from '../errors.js';
import type { QueryRows, ReadOnlyQueryOptions } from './adapter.js';
import { connected } from './postgres-backend.js';
import { QueryStoppedError, queryTimedOut } from './query-stop.js';

const FETCH_ROWS = 2000;

/**
 * Runs one user statement so that it cannot write: inside a READ ONLY transaction with a statement
 * timeout, as a cursor (only a query can be declared as one), sent with the extended protocol
 * (which refuses a second statement, so "select 1; commit; drop table calls" is one error).
 */
export async function postgresReadOnlyQuery(pool: pg.Pool, sqlText: string, options: ReadOnlyQueryOptions): Promise<QueryRows> {
  const deadline = Date.now() + options.timeoutMs;
  const client = await connected(pool);
  let open = true;
  let stopped: Error | undefined;
  let cancelling: Promise<void> | undefined;
  // A stop (signal, deadline) cancels the statement on the server, so no backend runs on after us.
  const cancel = (reason: Error) => {
    stopped ??= reason;
    cancelling ??= cancelBackend(pool, client);
  };
  const timer = setTimeout(() => cancel(queryTimedOut(options.timeoutMs)), options.timeoutMs);
  const onAbort = () => cancel(new QueryStoppedError(String(options.signal?.reason ?? 'a signal')));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const close = async () => {
    if (!open) return;
    open = false;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    // A cancel still on its way could hit the connection's next user: such a connection is not reused.
    if (cancelling) await cancelling;
    await client.query('rollback').catch(() => undefined);
    client.release(cancelling !== undefined);
  };
  const failure = (error: unknown) => stopped ?? queryError(error);
  if (options.signal?.aborted) onAbort();
  try {
    if (stopped) throw stopped;
    await client.query('begin transaction isolation level repeatable read, read only');
    await client.query(`set local statement_timeout = ${Math.max(1, Math.floor(options.timeoutMs))}`);
    await client.query({
      text: `declare gong_sync_query no scroll cursor for ${sqlText.trim().replace(/;\s*$/, '')}`,
      values: options.params ?? [],
      queryMode: 'extended',
    } as pg.QueryConfig);
    const first = await fetch(client);
    const columns = first.fields.map((f) => f.name);
    return { columns, rows: rowsFrom(client, first, deadline, failure), close };
  } catch (error) {
    await close();
    throw failure(error);
  }
}

/** Asks the server to cancel what the client's backend runs (a connection of its own: the client's is busy). */
async function cancelBackend(pool: pg.Pool, client: pg.PoolClient): Promise<void> {
  const pid = (client as unknown as { processID?: number }).processID;
  if (pid === undefined) return;
  await pool.query('select pg_cancel_backend($1)', [pid]).catch(() => undefined);
}

async function fetch(client: pg.PoolClient): Promise<pg.QueryArrayResult> {
  return client.query({ text: `fetch forward ${FETCH_ROWS} from gong_sync_query`, rowMode: 'array' });
}

/** The statement timeout bounds each fetch; the deadline bounds them all. */
async function* rowsFrom(
  client: pg.PoolClient,
  first: pg.QueryArrayResult,
  deadline: number,
  failure: (error: unknown) => unknown,
): AsyncIterable<unknown[]> {
  let batch = first;
  for (;;) {
    for (const row of batch.rows) yield row.map(plainValue);
    if (batch.rows.length < FETCH_ROWS) return;
    if (Date.now() > deadline) throw failure(new Error('deadline'));
    try {
      batch = await fetch(client);
    } catch (error) {
      throw failure(error);
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
  if (e.code === '57014')
    return new ConfigError(`SQL error: the statement ran past its time limit (${e.message}); narrow it or raise --timeout`);
  if (
    e.code === '42601' ||
    e.code === '42P01' ||
    e.code === '42703' ||
    e.code === '42883' ||
    e.code.startsWith('42') ||
    e.code.startsWith('22')
  ) {
    return new ConfigError(`SQL error: ${e.message} (only one read-only statement is allowed: select, with, values)`);
  }
  return new ConfigError(`SQL error: ${e.message}`);
}
