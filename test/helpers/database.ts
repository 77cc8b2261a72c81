import BetterSqlite3 from 'better-sqlite3';

/** Reads a database file the way a user would: plain SQL. */
export function query<T = Record<string, unknown>>(file: string, sql: string, ...params: unknown[]): T[] {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

export function column(file: string, sql: string): string[] {
  return query<Record<string, unknown>>(file, sql).map((r) => String(Object.values(r)[0]));
}

/** Every row of every entity table, without the per-run synced_at: for comparing two databases. */
export function contentOf(file: string, tables: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const table of tables) {
    out[table] = query<Record<string, unknown>>(file, `select * from ${table}`)
      .map((row) => {
        const { synced_at: _ignored, ...rest } = row;
        return JSON.stringify(rest);
      })
      .sort();
  }
  return out;
}
