import { sql } from 'kysely';
import type { SelectQueryBuilder } from 'kysely';
import type { SqlExecutor } from '../db/sql-executor.js';

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

/** An instant as the copy's *_utc columns hold it (ISO-8601 UTC with milliseconds), for comparing. */
export function utcInstant(ms: number): string {
  return new Date(ms).toISOString();
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
  const column = exec.dialect === 'postgres' ? 'ctid' : 'rowid';
  return alias ? `${alias}.${column}` : column;
}

/**
 * A condition "this sentence (alias s of transcript_sentences) holds all these words", using the
 * database's full-text index: SQLite's FTS5 table, PostgreSQL's tsvector column. (The one place
 * the MCP tools name a full-text feature; the database adapter owns it once it offers one.)
 */
export function sentenceMatches(exec: SqlExecutor, words: string) {
  if (exec.dialect === 'postgres') return sql<boolean>`s.tsv @@ plainto_tsquery('simple', ${words})`;
  return sql<boolean>`s.rowid in (select rowid from transcript_search where transcript_search match ${ftsWords(words)})`;
}

/** Words as an FTS5 query: each word required, quoted so punctuation is never syntax. */
export function ftsWords(text: string): string {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `"${w.replace(/"/g, '""')}"`)
    .join(' ');
}

/** `lower(expression) like '%text%'`, the text's own % and _ taken literally (same SQL on both databases). */
export function containsText(expression: string, text: string) {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`lower(${sql.raw(expression)}) like ${pattern} escape '\\'`;
}
