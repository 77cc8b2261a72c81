import type { Expression, RawBuilder } from 'kysely';

/**
 * Everything that differs between SQLite and PostgreSQL, behind one interface (on the model of
 * Kysely's DialectAdapter). Code outside src/db/ asks the adapter (`database.adapter`) and never
 * the driver or the dialect: one implementation per database, sqlite-adapter.ts and
 * postgres-adapter.ts.
 *
 * Values that come back are the same on both: instants as ISO-8601 UTC text, flags as 0/1, JSON
 * as text, counts as numbers (see column-kinds.ts for which columns are which).
 */
export interface DatabaseAdapter {
  /** For messages and bench figures only ("SQLite", "PostgreSQL"); never branch on it. */
  readonly name: string;

  /**
   * A timestamp (ISO-8601 text with any offset, or a native timestamp) as a value that compares
   * as an instant: `where(adapter.instant(sql.ref('started')), '>=', adapter.instant(sql.val(from)))`.
   */
  instant(value: Expression<unknown> | RawBuilder<unknown>): RawBuilder<number>;

  /** The tables (and views) of the dataset with their columns, in name order. Full-text indexes and the database's own tables are left out. */
  listTables(): Promise<TableInfo[]>;

  /**
   * Inserts or updates rows by primary key. `rows` are arrays in `columns` order, values already
   * stored-form (toStoredValue). Runs inside the caller's transaction when there is one.
   */
  upsert(table: string, primaryKey: string[], columns: string[], rows: unknown[][]): Promise<void>;

  /**
   * A lock the server frees when the holder's session ends (PostgreSQL's advisory locks);
   * undefined where the database has none (SQLite: the `_lock` row and its heartbeat are the lock).
   */
  readonly sessionLock: SessionLock | undefined;

  /**
   * Runs one user statement that cannot write, streaming its rows. It stops (and its rows'
   * iterator throws) when `timeoutMs` passes or `signal` aborts: on SQLite the statement runs in a
   * child process that is killed, on PostgreSQL the backend is cancelled. Call `close()` always.
   * Errors in the SQL are ConfigErrors ("SQL error: ..."); a stop is a QueryStoppedError.
   * On SQLite values come back exactly as the driver reads them, an integer beyond 2^53 as a bigint.
   */
  readOnlyQuery(sqlText: string, options: ReadOnlyQueryOptions): Promise<QueryRows>;

  /**
   * Every row of one dataset table (a name from listTables), in `columns` order, a batch at a time:
   * what export streams. Values as readOnlyQuery gives them, integers exact (bigint on SQLite).
   */
  tableRows(table: string, columns: string[], options?: TableRowsOptions): AsyncIterable<unknown[][]>;

  /**
   * Full-text search over transcript sentences (best matches first), run as readOnlyQuery runs a
   * statement: off the caller's event loop on SQLite, and stopped after `timeoutMs` or on `signal`.
   */
  searchTranscripts(search: TranscriptSearch): Promise<TranscriptMatch[]>;

  /**
   * Runs `work` (which deletes rows of `tables`) so that the deleted content leaves no bytes
   * behind in the database: SQLite zeroes freed pages (secure_delete), rebuilds the full-text
   * index and truncates the WAL; PostgreSQL vacuums the touched tables afterwards.
   */
  secureErase<T>(tables: string[], work: () => Promise<T>): Promise<T>;

  /**
   * The column that keeps a table's rows in the order they were written (the order Gong sent them):
   * SQLite's rowid; PostgreSQL has none, and its physical order (ctid) is the closest there is.
   */
  readonly storedOrderColumn: string;

  /** Copies the write-ahead log into the database file and empties it (SQLite); nothing to do on PostgreSQL. */
  checkpoint(): Promise<void>;

  /** Keeps the planner's statistics current (SQLite: PRAGMA optimize; PostgreSQL: ANALYZE). Cheap when nothing changed much. */
  updateStatistics(): Promise<void>;
}

/** What a column holds, the same words on both databases (export maps them to Parquet/CSV types). */
export type ColumnKind = 'text' | 'integer' | 'real' | 'boolean' | 'instant' | 'json' | 'blob';

export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
  /** The type as the database declares it (e.g. "text", "timestamp with time zone"). */
  declared: string;
}

export interface TableInfo {
  name: string;
  type: 'table' | 'view';
  /** Bookkeeping (`_sync_state`, `_runs`, ...): not part of the dataset users export. */
  bookkeeping: boolean;
  columns: ColumnInfo[];
}

export interface ReadOnlyQueryOptions {
  /** The statement (and the reading of its rows) stops after this long. */
  timeoutMs: number;
  /** Aborting stops the statement at once (SIGINT/SIGTERM, a client that went away). */
  signal?: AbortSignal;
  /** Values bound to the statement's placeholders in order (`?` on SQLite, `$1`... on PostgreSQL). */
  params?: unknown[];
}

export interface TableRowsOptions {
  /** Aborting stops the read between batches (QueryStoppedError). */
  signal?: AbortSignal;
}

export interface QueryRows {
  columns: string[];
  /** Rows as arrays in column order, read a batch at a time: a huge result never sits in memory. */
  rows: AsyncIterable<unknown[]>;
  /** Stops the statement if still running and frees its connection or process. Idempotent. */
  close(): Promise<void>;
}

/** Every row of a read as an object by column name, then the read closed (small results only). */
export async function rowObjects<T>(result: QueryRows): Promise<T[]> {
  try {
    const rows: T[] = [];
    for await (const values of result.rows) rows.push(Object.fromEntries(result.columns.map((c, i) => [c, values[i]])) as T);
    return rows;
  } finally {
    await result.close();
  }
}

export interface SessionLock {
  /** Takes the named lock on a session of its own, or undefined when another session holds it. */
  hold(name: string, onLost?: (reason: string) => void): Promise<HeldLock | undefined>;
  /** Whether any session holds the named lock (is the recorded writer alive?). */
  held(name: string): Promise<boolean>;
}

/** A session lock and the connection that holds it. */
export interface HeldLock {
  /** Pings the lock's session; tells `onLost` if it is gone. */
  stillHeld(): Promise<void>;
  release(): Promise<void>;
}

/** How long a transcript search may run when its caller sets no limit. */
export const DEFAULT_SEARCH_TIMEOUT_MS = 30_000;

export interface TranscriptSearch {
  /** Words that must all occur in a sentence; a text in double quotes is an exact phrase. */
  query: string;
  callId?: string;
  /** Part of the speaker's name or email (case-insensitive). */
  speaker?: string;
  affiliation?: string;
  /** Calls started at or after / before these ISO-8601 instants. */
  from?: string;
  to?: string;
  limit: number;
  offset: number;
  /** The search stops (QueryStoppedError, or a ConfigError naming the time limit) after this long or when `signal` aborts. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface TranscriptMatch {
  callId: string;
  callTitle: string | null;
  callStarted: string | null;
  speakerId: string | null;
  speakerName: string | null;
  affiliation: string | null;
  startMs: number | null;
  text: string;
}
