import pg from 'pg';
import { query } from './database.js';

/** Counts (bigint) as numbers, as SQLite gives them, so rows compare across the two databases. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === pg.types.builtins.INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** Runs SQL on a PostgreSQL destination the way a user would, with the gong schema on the search path. */
export async function pgQuery<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = [], schema = 'gong'): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}`, types });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The entity tables of a SQLite database (not state, not full-text shadow tables). */
export function entityTables(file: string): string[] {
  return query<{ name: string }>(file, "select name from sqlite_master where type = 'table' and name not like '\\_%' escape '\\' and name not like '%fts%' and name <> 'kysely_migration' order by name").map(
    (r) => r.name,
  );
}

/** Every row of each table without synced_at, keys sorted: comparable between SQLite and PostgreSQL. */
export function canonicalRows(rows: Array<Record<string, unknown>>): string[] {
  return rows
    .map((row) => {
      const { synced_at: _ignored, ...rest } = row;
      return JSON.stringify(Object.fromEntries(Object.keys(rest).sort().map((k) => [k, rest[k] ?? null])));
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
