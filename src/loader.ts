import type { SqlExecutor } from './db/sql-executor.js';
import { toStoredValue } from './db/sql-executor.js';
import { utcInstant } from './db/instants.js';
import { UTC_COPIES } from './db/column-kinds.js';
import type { Row, TableSpec } from '../streams/types.js';

const KEYS_PER_DELETE = 500;

/**
 * Writes a page's rows: replaces child sets, then upserts by primary key through the database's
 * adapter (multi-row statements prepared once). Call it inside the transaction that also saves
 * the checkpoint.
 */
export class RowLoader {
  constructor(private readonly exec: SqlExecutor) {}

  /** Returns the number of rows written. */
  async write(tables: TableSpec[], rowsByTable: Record<string, Row[]>, syncedAt: string): Promise<number> {
    let written = 0;
    for (const table of tables) {
      const rows = rowsByTable[table.name] ?? [];
      if (table.replaceChildrenOf) {
        const { table: parent, parentColumn, column } = table.replaceChildrenOf;
        const parentRows = rowsByTable[parent] ?? [];
        if (typeof parentColumn === 'string' && typeof column === 'string') {
          await this.deleteWhereIn(
            table.name,
            column,
            parentRows.map((r) => r[parentColumn]),
          );
        } else {
          await this.deleteWhereKeys(
            table.name,
            [column].flat(),
            parentRows.map((r) => [parentColumn].flat().map((c) => r[c])),
          );
        }
      }
      if (rows.length > 0) written += await this.upsert(table, withUtcCopies(table.name, lastOfEachKey(rows, table.primaryKey)), syncedAt);
    }
    return written;
  }

  async deleteWhereIn(table: string, column: string, keys: unknown[]): Promise<void> {
    for (let i = 0; i < keys.length; i += KEYS_PER_DELETE) {
      const chunk = keys.slice(i, i + KEYS_PER_DELETE);
      await this.exec.run(this.exec.db.deleteFrom(table).where(column, 'in', chunk));
    }
  }

  /** Deletes rows whose composite key (`columns`) equals one of `keys`. */
  async deleteWhereKeys(table: string, columns: string[], keys: unknown[][]): Promise<void> {
    const perStatement = Math.max(1, Math.floor(KEYS_PER_DELETE / columns.length));
    for (let i = 0; i < keys.length; i += perStatement) {
      const chunk = keys.slice(i, i + perStatement);
      await this.exec.run(
        this.exec.db
          .deleteFrom(table)
          .where((eb) => eb.or(chunk.map((key) => eb.and(columns.map((column, c) => eb(column, '=', key[c] as never)))))),
      );
    }
  }

  private async upsert(table: TableSpec, rows: Row[], syncedAt: string): Promise<number> {
    // A child table is replaced with its parent, whose synced_at stamps it: its rows carry none.
    const stamped = !table.replaceChildrenOf;
    const columns = [...Object.keys(rows[0]!).filter((c) => c !== 'synced_at'), ...(stamped ? ['synced_at'] : [])];
    // The stamp in the stored instant form, as PostgreSQL's timestamptz reads back.
    const stamp = utcInstant(syncedAt) ?? syncedAt;
    const values = rows.map((row) => columns.map((c) => (c === 'synced_at' ? stamp : toStoredValue(row[c]))));
    await this.exec.database.adapter.upsert(table.name, table.primaryKey, columns, values);
    return rows.length;
  }
}

/**
 * A page may carry the same key twice (Gong repeats a record across pages, a mapping emits a
 * duplicate child). SQLite lets the later row win within one statement; PostgreSQL refuses to
 * touch a row twice in one upsert. Keeping the last row of each key gives both the same result.
 */
function lastOfEachKey(rows: Row[], primaryKey: string[]): Row[] {
  const byKey = new Map<string, Row>();
  for (const row of rows) {
    // Unit separators between the parts: no key part of Gong's holds one, and joining is cheap.
    const key =
      primaryKey.length === 1
        ? String(row[primaryKey[0]!])
        : primaryKey.map((c) => `${typeof row[c]}:${String(row[c] ?? '')}`).join('\u001f');
    // The first position (rowid order follows Gong's), the last row's values.
    byKey.set(key, row);
  }
  return byKey.size === rows.length ? rows : [...byKey.values()];
}

/** Each row with the UTC copies its table declares (column-kinds.ts), computed from Gong's offset timestamps. */
function withUtcCopies(table: string, rows: Row[]): Row[] {
  const sources = UTC_COPIES[table];
  if (!sources) return rows;
  return rows.map((row) => {
    const copies: Row = {};
    for (const column of sources)
      if (row[`${column}_utc`] === undefined && column in row) copies[`${column}_utc`] = utcInstant(row[column]);
    return { ...row, ...copies };
  });
}
