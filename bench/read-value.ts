import { connectDatabase } from '../src/db/database.js';

/** The first column of the first row of a read-only query, on a SQLite file or a PostgreSQL URL (the bench reads through the product's adapter, never a driver). */
export async function firstValue(target: string, sqlText: string): Promise<unknown> {
  return (await allRows(target, sqlText))[0]?.[0];
}

/** Every row of a read-only query, as arrays in column order. */
export async function allRows(target: string, sqlText: string): Promise<unknown[][]> {
  const database = await connectDatabase(target, { readonly: true });
  try {
    const result = await database.adapter.readOnlyQuery(sqlText, { timeoutMs: 600_000 });
    const rows: unknown[][] = [];
    try {
      for await (const row of result.rows) rows.push(row);
    } finally {
      await result.close();
    }
    return rows;
  } finally {
    await database.close();
  }
}
