import { PostgresAdapter, sql, type Kysely, type RawBuilder } from 'kysely';

/**
 * What the migrations need to know about the database they run on. The same migration files build
 * a SQLite file and a PostgreSQL schema; they branch on the dialect only where the SQL must differ
 * (column types SQLite is loose about, full-text search, views' date, JSON and list functions).
 *
 * SQLite databases already carry these migrations: on SQLite every helper here gives exactly the
 * SQL the migrations wrote before PostgreSQL existed, so a new SQLite file has the very same
 * schema (down to the text in sqlite_master) as an old one.
 */
export type Dialect = 'sqlite' | 'postgres';

export function dialectOf(db: Kysely<any>): Dialect {
  const adapter = db.getExecutor().adapter;
  return adapter instanceof PostgresAdapter || adapter.constructor.name.toLowerCase().includes('postgres') ? 'postgres' : 'sqlite';
}

/**
 * A floating-point column. SQLite's REAL is an 8-byte float; PostgreSQL's `real` is a 4-byte one
 * (0.1 would come back as 0.100000001490116), so PostgreSQL gets `double precision`.
 */
export function realType(dialect: Dialect): 'real' | 'double precision' {
  return dialect === 'postgres' ? 'double precision' : 'real';
}

/** A column type as declared for SQLite, as PostgreSQL needs it (only `real` differs). */
export function columnType<T extends string>(dialect: Dialect, type: T): T | 'double precision' {
  return type === 'real' && dialect === 'postgres' ? 'double precision' : type;
}

/** Monday of the (UTC) week of an ISO-8601 timestamp column (with any offset), as YYYY-MM-DD text. */
export function weekStart(dialect: Dialect, column: string): RawBuilder<unknown> {
  return dialect === 'postgres'
    ? sql.raw(`to_char(date_trunc('week', (${column})::timestamptz at time zone 'UTC'), 'YYYY-MM-DD')`)
    : sql.raw(`date(${column}, 'weekday 0', '-6 days')`);
}

/**
 * A comma-separated list of an expression over a group. SQLite's group_concat lists in the order
 * it reads the rows (the primary key's, for the lookups the views make); PostgreSQL is given that
 * order explicitly (`orderBy`, compared bytewise as SQLite does) so both list alike.
 */
export function listOf(dialect: Dialect, expression: string, orderBy?: string): RawBuilder<unknown> {
  if (dialect === 'sqlite') return sql.raw(`group_concat(${expression}, ', ')`);
  return sql.raw(orderBy ? `string_agg(${expression}, ', ' order by ${orderBy} collate "C")` : `string_agg(${expression}, ', ')`);
}

/**
 * Appended to a `round(cast(... as numeric), n)` of a view: SQLite's round() gives a REAL, and on
 * PostgreSQL the same value as double precision (a number to node-postgres, not a numeric string).
 */
export function asReal(dialect: Dialect): RawBuilder<unknown> {
  return sql.raw(dialect === 'postgres' ? '::double precision' : '');
}

/**
 * Text compared bytewise, as SQLite compares (its BINARY collation), for min()/max() over text in
 * views: on PostgreSQL the database's locale would otherwise order mixed-case ids differently.
 */
export function bytewise(dialect: Dialect, expression: string): RawBuilder<unknown> {
  return sql.raw(dialect === 'postgres' ? `${expression} collate "C"` : expression);
}
