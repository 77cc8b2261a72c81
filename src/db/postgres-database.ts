import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { DatabaseFileError, GongSyncError } from '../errors.js';
import { registerSecrets } from '../redact.js';
import { PostgresBackend } from './postgres-backend.js';
import { WideIntegersPlugin } from './postgres-wide-integers.js';
import { PostgresAdapter } from './postgres-adapter.js';
import { fromPostgresTimestamptz } from './instants.js';
import type { PostgresDatabase } from './database.js';

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

export function isPostgresUrl(target: string): boolean {
  return POSTGRES_URL.test(target);
}

/** The URL as it may be shown: the password is never printed, logged or stored. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    for (const key of [...parsed.searchParams.keys()]) if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
    return parsed.toString();
  } catch {
    // Unparsable (e.g. a password with an unencoded "/" or "@"): everything up to the last "@" may be secret.
    const at = url.lastIndexOf('@');
    return at < 0 ? url : `${url.slice(0, url.indexOf('//') + 2)}***${url.slice(at)}`;
  }
}

/**
 * Values as SQLite gives them, so every reader sees the same on both databases: counts (bigint) as
 * numbers (ids are text columns and never pass here), instants as the stored ISO-8601 UTC text,
 * flags as 0/1, JSON as its text.
 */
export const postgresTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    switch (oid) {
      case pg.types.builtins.INT8:
        return (value: string) => {
          const n = Number(value);
          return Number.isSafeInteger(n) ? n : value;
        };
      case pg.types.builtins.TIMESTAMPTZ:
        return fromPostgresTimestamptz;
      case pg.types.builtins.BOOL:
        return (value: string) => (value === 't' ? 1 : 0);
      case pg.types.builtins.JSON:
        return (value: string) => value;
      case pg.types.builtins.JSONB:
        return compactJson;
      default:
        return pg.types.getTypeParser(oid, format as 'text');
    }
  },
};

/**
 * jsonb's text as compact as the JSON text SQLite stores: PostgreSQL writes `{"a": 1, "b": [1, 2]}`,
 * this gives `{"a":1,"b":[1,2]}`. Textual (spaces after `,` and `:` outside strings dropped), so
 * numbers keep every digit, as jsonb keeps them.
 */
export function compactJson(text: string): string {
  let out = '';
  let inString = false;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if ((c === 44 || c === 58) && text.charCodeAt(i + 1) === 32) {
      out += text.slice(from, i + 1);
      from = i + 2;
      i++;
    }
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * Opens a PostgreSQL destination: a small pool whose sessions have `schema` first on their
 * search path (so every table, view and `query` uses plain names), creating the schema unless
 * read-only. A server that cannot be reached or refuses the login is an error naming the server
 * (without the password) and what to check, exit 2.
 */
export async function openPostgres(
  url: string,
  options: { schema: string; readonly?: boolean; poolSize?: number },
): Promise<PostgresDatabase> {
  const shown = displayUrl(url);
  const password = safePassword(url);
  if (password) registerSecrets([password, encodeURIComponent(password)]);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 5,
    // UTC sessions: timestamptz text carries +00, whatever the server's TimeZone.
    options: `-c search_path=${quoteIdent(options.schema)},public -c TimeZone=UTC`,
    application_name: 'gong-sync',
    connectionTimeoutMillis: 15_000,
    idleTimeoutMillis: 10_000,
    types: postgresTypes,
  });
  // A pooled connection the server drops while idle must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      if (!options.readonly) await ensureSchema(client, options.schema);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new DatabaseFileError(
      `Cannot use the PostgreSQL database ${shown}: ${describePgError(error)}. Check GONG_DB (host, port, user, password, database) and that the server accepts connections.`,
      {
        cause: error,
      },
    );
  }
  const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }), plugins: [new WideIntegersPlugin()] });
  let closed = false;
  const backend = new PostgresBackend(pool, options.schema);
  return {
    dialect: 'postgres',
    db,
    backend,
    adapter: new PostgresAdapter(backend, db),
    file: shown,
    schema: options.schema,
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      // Kysely ends the pool only if it ever ran a query itself; the executor may have been alone.
      if (!(pool as unknown as { ended: boolean }).ended) await pool.end();
    },
  };
}

/**
 * Creates the schema unless it exists. Checked first: `create schema if not exists` needs CREATE
 * on the database even when the schema is there (an admin may have made it for a least-privilege
 * user); two first runs at once may race to create it, and the loser finds it made.
 */
async function ensureSchema(client: pg.PoolClient, schema: string): Promise<void> {
  const { rows } = await client.query('select 1 from pg_namespace where nspname = $1', [schema]);
  if (rows.length > 0) return;
  try {
    await client.query(`create schema if not exists ${quoteIdent(schema)}`);
  } catch (error) {
    if (!['42P06', '23505'].includes((error as { code?: string }).code ?? '')) throw error;
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function safePassword(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password);
  } catch {
    // The text between the user's ":" and the last "@", as typed.
    const start = url.indexOf('//') + 2;
    const at = url.lastIndexOf('@');
    const colon = url.indexOf(':', start);
    return at > start && colon > 0 && colon < at ? url.slice(colon + 1, at) : '';
  }
}

function describePgError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e.code === 'ECONNREFUSED') return 'the server refused the connection (is it running, on this host and port?)';
  if (e.code === 'ENOTFOUND') return 'the host name does not resolve';
  if (e.code === '28P01' || e.code === '28000') return `the server rejected the login (${e.code})`;
  if (e.code === '3D000') return 'the database does not exist (create it first, owned by the role in the URL: createdb -O ROLE NAME)';
  if (e.code === '42501') {
    return `the role may not create the schema (${e.message}): make it the database's owner (createdb -O ROLE NAME), or grant create on database NAME to ROLE, or have an administrator create the schema for it (create schema SCHEMA authorization ROLE)`;
  }
  return e.message ?? String(error);
}

/** GONG_DB as it may be printed: a file path as is, a server URL without its password. */
export function displayTarget(target: string): string {
  return isPostgresUrl(target) ? displayUrl(target) : target;
}

/**
 * A PostgreSQL failure after the database opened (the server went away, a disk full there, a
 * permission revoked) as a message naming the server, or undefined when it is not one of those.
 */
export function describePostgresFailure(error: unknown, shownUrl: string): GongSyncError | undefined {
  const e = error as { code?: string; message?: string };
  const message = e?.message ?? String(error);
  const lost =
    /^08|^57P0[1-3]$/.test(e?.code ?? '') ||
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT'].includes(e?.code ?? '') ||
    /Connection terminated/i.test(message);
  if (lost) {
    return new GongSyncError(
      `Lost the connection to the PostgreSQL database ${shownUrl} (${message}): everything up to the last committed page is saved; run again once the server is reachable.`,
      { cause: error },
    );
  }
  if (e?.code === '53100')
    return new GongSyncError(
      `The PostgreSQL server of ${shownUrl} is out of disk space (${message}): free some and run again; everything up to the last committed page is saved.`,
      { cause: error },
    );
  if (e?.code === '42501')
    return new DatabaseFileError(
      `PostgreSQL refused an operation on ${shownUrl} (${message}): the GONG_DB user needs to own the schema (or have create and write rights in it).`,
      { cause: error },
    );
  return undefined;
}
