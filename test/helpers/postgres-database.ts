import { streams } from '../../streams/index.js';
import pg from 'pg';
import { query } from './database.js';
import { postgresTypes as types } from '../../src/db/postgres-database.js';

/** Runs SQL on a PostgreSQL destination the way a user would, with the gong schema on the search path. */
export async function pgQuery<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
  schema = 'gong',
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}`, types });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * The entity tables of a SQLite database: every table the streams declare that it holds (as a
 * table, or as SQLite's compact view over its storage). Not state, not full-text or storage tables.
 */
export function entityTables(file: string): string[] {
  const declared = new Set(streams.flatMap((s) => s.tables.map((t) => t.name)));
  return query<{ name: string }>(file, "select name from sqlite_master where type in ('table', 'view') order by name")
    .map((r) => r.name)
    .filter((name) => declared.has(name));
}

/** Every row of each table without synced_at, keys sorted: comparable between SQLite and PostgreSQL. */
export function canonicalRows(rows: Array<Record<string, unknown>>): string[] {
  return rows
    .filter(isClosedWindow)
    .map((row) => {
      // tsv: PostgreSQL's full-text column, computed from text (SQLite keeps a separate index).
      const { synced_at: _ignored, tsv: _derived, ...rest } = row;
      // The raw record compares as JSON: PostgreSQL's jsonb keeps its keys in an order of its own.
      if (typeof rest.raw === 'string') rest.raw = sortedJson(JSON.parse(rest.raw));
      return JSON.stringify(
        Object.fromEntries(
          Object.keys(rest)
            .sort()
            .map((k) => [k, rest[k] ?? null]),
        ),
      );
    })
    .sort();
}

export function sqliteContent(file: string, tables: string[]): Record<string, string[]> {
  return Object.fromEntries(tables.map((t) => [t, canonicalRows(query(file, `select * from "${t}"`))]));
}

export async function postgresContent(url: string, tables: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const t of tables) out[t] = canonicalRows(await pgQuery(url, `select * from "${t}"`));
  return out;
}

/** Compares table by table, so a difference names its table. */
export async function expectSameTables(
  url: string,
  file: string,
  tables: string[],
  expect: (a: unknown, message?: string) => { toEqual(b: unknown): void },
): Promise<void> {
  const onPostgres = await postgresContent(url, tables);
  const onSqlite = sqliteContent(file, tables);
  for (const table of tables) expect(onPostgres[table], table).toEqual(onSqlite[table]);
}

/**
 * Coaching's current window ends at the moment of the run ('now'), and what Gong counts in it
 * changes with that moment: two runs seconds apart legitimately differ there, and only there.
 */
function isClosedWindow(row: Record<string, unknown>): boolean {
  const to = row.to_date;
  return !(typeof to === 'string' && /T\d\d:\d\d:\d\d/.test(to) && !to.includes('T00:00:00'));
}

function sortedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortedJson((value as Record<string, unknown>)[k])]),
    );
  return value;
}
