import type { Kysely } from 'kysely';
import type { SqlBackend } from './sql-executor.js';
import { quoteIdent } from './postgres-database.js';

/**
 * PostgreSQL's fast path for a page's rows: one statement per table whose parameters are one array
 * per column (`insert … select * from unnest($1::text[], $2::int4[], …) on conflict … do update`).
 * The server parses a handful of parameters instead of thousands, and the statement text does not
 * grow with the page, so it is planned once. Column types come from the catalog, once per table.
 */
export class PostgresBulkUpsert {
  private readonly columnTypes = new Map<string, Promise<Map<string, string>>>();
  private readonly sqlCache = new Map<string, string>();

  constructor(
    private readonly backend: SqlBackend,
    private readonly db: Kysely<any>,
  ) {}

  async upsert(table: string, primaryKey: string[], columns: string[], columnValues: unknown[][]): Promise<void> {
    const types = await this.typesOf(table);
    // PostgreSQL text cannot hold NUL characters (SQLite can), nor jsonb their \u0000 escape: they are dropped, not the page.
    const values = columnValues.map((values, c) => {
      if (types.get(columns[c]!) === 'jsonb' && values.some(hasEscapedNul)) return values.map(jsonWithoutNul);
      return values.some(hasNul) ? values.map(withoutNul) : values;
    });
    await this.backend.run(this.sqlFor(table, primaryKey, columns, types), values, { reuse: true });
  }

  private typesOf(table: string): Promise<Map<string, string>> {
    let types = this.columnTypes.get(table);
    if (!types) {
      const query = this.db
        .selectFrom('information_schema.columns')
        .select(['column_name', 'udt_name'])
        .where('table_schema', '=', this.db.fn('current_schema', []))
        .where('table_name', '=', table)
        .compile();
      types = this.backend
        .all<{ column_name: string; udt_name: string }>(query.sql, [...query.parameters])
        .then((rows) => new Map(rows.map((r) => [r.column_name, r.udt_name])));
      this.columnTypes.set(table, types);
    }
    return types;
  }

  private sqlFor(table: string, primaryKey: string[], columns: string[], types: Map<string, string>): string {
    const key = `${table}|${columns.join(',')}`;
    let text = this.sqlCache.get(key);
    if (!text) {
      const arrays = columns.map((c, i) => {
        const type = types.get(c);
        if (!type) throw new Error(`${table} has no column ${c} in this database`);
        return `$${i + 1}::${type}[]`;
      });
      const names = columns.map(quoteIdent).join(', ');
      const updatable = columns.filter((c) => !primaryKey.includes(c));
      const onConflict =
        updatable.length === 0
          ? 'do nothing'
          : `do update set ${updatable.map((c) => `${quoteIdent(c)} = excluded.${quoteIdent(c)}`).join(', ')}`;
      text =
        `insert into ${quoteIdent(table)} (${names}) select * from unnest(${arrays.join(', ')}) ` +
        `on conflict (${primaryKey.map(quoteIdent).join(', ')}) ${onConflict}`;
      this.sqlCache.set(key, text);
    }
    return text;
  }
}

function hasNul(value: unknown): boolean {
  return typeof value === 'string' && value.includes('\u0000');
}

function withoutNul(value: unknown): unknown {
  return typeof value === 'string' ? value.replaceAll('\u0000', '') : value;
}

function hasEscapedNul(value: unknown): boolean {
  return typeof value === 'string' && value.includes('\\u0000');
}

/** JSON text whose strings lose their NUL characters (parsed, so an escaped backslash before "u0000" is left alone). */
function jsonWithoutNul(value: unknown): unknown {
  if (!hasEscapedNul(value)) return withoutNul(value);
  return JSON.stringify(JSON.parse(value as string), (_key, v: unknown) => (typeof v === 'string' ? v.replaceAll('\u0000', '') : v));
}
