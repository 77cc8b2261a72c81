import { sql } from 'kysely';
import { rowObjects } from '../db/adapter.js';
import type { SelectQueryBuilder } from 'kysely';
import type { SqlExecutor } from '../db/sql-executor.js';
import { instantText } from '../db/instants.js';

/**
 * Small reads of the copy shared by the MCP tools, written with Kysely's builder so the same code
 * runs on SQLite and PostgreSQL (no SQL of one dialect here).
 */

export type Select = SelectQueryBuilder<any, any, any>;

/** A stored record's raw JSON: text on SQLite, parsed already where the database has a JSON type. */
export function parseRaw(value: unknown): any {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

/** Rows of a query without its select list, as a count (databases give counts as numbers or numeric text). */
export async function countOf(exec: SqlExecutor, base: Select): Promise<number> {
  const row = await exec.get<{ n: unknown }>(base.clearSelect().select((eb) => eb.fn.countAll().as('n')));
  return Number(row?.n ?? 0);
}

/** An instant as the copy stores them (ISO-8601 UTC, whole seconds unless there are milliseconds). */
export function utcInstant(ms: number): string {
  return instantText(ms);
}

/** `column op instant`, compared as instants by the database's adapter (never as text). */
export function instantWhere(exec: SqlExecutor, column: string, op: '>=' | '<' | '<=' | '>', ms: number) {
  const adapter = exec.database.adapter;
  return sql<boolean>`${adapter.instant(sql.ref(column))} ${sql.raw(op)} ${adapter.instant(sql.val(instantText(ms)))}`;
}

/** A column's values in instant order (ascending unless `desc`). */
export function byInstant(exec: SqlExecutor, column: string) {
  return exec.database.adapter.instant(sql.ref(column));
}

/** An instant column's value (ISO text, or a Date where the database has a timestamp type) as ISO text. */
export function isoText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * The column that keeps the order Gong sent records in (a table's insertion order). SQLite keeps
 * it as rowid; PostgreSQL has no such column, and its physical order (ctid) is the closest there is.
 */
export function storedOrder(exec: SqlExecutor, alias?: string): string {
  const column = exec.database.adapter.storedOrderColumn;
  return alias ? `${alias}.${column}` : column;
}

/** `lower(expression) like '%text%'`, the text's own % and _ taken literally (same SQL on both databases). */
export function containsText(expression: string, text: string) {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`lower(${sql.raw(expression)}) like ${pattern} escape '\\'`;
}

/**
 * Runs a read that may take long (a scan of every transcript sentence) through the database
 * adapter's read-only query: off the server's main loop (SQLite: a child process; PostgreSQL: its
 * own backend) and stopped at `timeoutMs`, so other tools keep answering meanwhile. The query's
 * values go as bound parameters.
 */
export async function offLoopRows<T extends Record<string, unknown>>(
  exec: SqlExecutor,
  query: { compile(): { sql: string; parameters: readonly unknown[] } },
  timeoutMs: number,
): Promise<T[]> {
  const compiled = query.compile();
  const result = await exec.database.adapter.readOnlyQuery(compiled.sql, { timeoutMs, params: [...compiled.parameters] });
  return rowObjects<T>(result);
}

/** A child table's rows of these keys in one query, grouped by key (in `orderBy` order within each). */
export async function rowsByKey(
  exec: SqlExecutor,
  table: string,
  column: string,
  keys: unknown[],
  orderBy?: string,
): Promise<Map<string, Array<Record<string, unknown>>>> {
  const grouped = new Map<string, Array<Record<string, unknown>>>();
  if (keys.length === 0) return grouped;
  let query = exec.db.selectFrom(table).selectAll().where(column, 'in', keys.map(String));
  if (orderBy) query = query.orderBy(column).orderBy(orderBy);
  for (const row of await exec.all<Record<string, unknown>>(query)) {
    const key = String(row[column]);
    const list = grouped.get(key);
    if (list) list.push(row);
    else grouped.set(key, [row]);
  }
  return grouped;
}
