import type { SqlExecutor } from './db/sql-executor.js';
import { toStoredValue } from './db/sql-executor.js';
import type { Row, TableSpec } from '../streams/types.js';
import { PostgresBulkUpsert } from './db/postgres-bulk-upsert.js';

/** Rows per multi-row upsert on SQLite (its cost is per row, not per statement). */
const ROWS_PER_STATEMENT = 100;
/** Rows per array upsert on PostgreSQL: one round trip each, a bounded message size. */
const ROWS_PER_ARRAY_STATEMENT = 5000;
const KEYS_PER_DELETE = 500;

/**
 * Writes a page's rows: replaces child sets, then upserts by primary key, each table's rows in
 * multi-row statements that Kysely compiles once and the driver keeps prepared. Call it inside
 * the transaction that also saves the checkpoint.
 */
export class RowLoader {
  private readonly bulk: PostgresBulkUpsert | undefined;

  constructor(private readonly exec: SqlExecutor) {
    this.bulk = exec.dialect === 'postgres' ? new PostgresBulkUpsert(exec) : undefined;
  }

  /** Returns the number of rows written. */
  async write(tables: TableSpec[], rowsByTable: Record<string, Row[]>, syncedAt: string): Promise<number> {
    let written = 0;
    for (const table of tables) {
      const rows = rowsByTable[table.name] ?? [];
      if (table.replaceChildrenOf) {
        const { table: parent, parentColumn, column } = table.replaceChildrenOf;
        const parentRows = rowsByTable[parent] ?? [];
        if (typeof parentColumn === 'string' && typeof column === 'string') {
          await this.deleteWhereIn(table.name, column, parentRows.map((r) => r[parentColumn]));
        } else {
          await this.deleteWhereKeys(table.name, [column].flat(), parentRows.map((r) => [parentColumn].flat().map((c) => r[c])));
        }
      }
      if (rows.length > 0) written += await this.upsert(table, lastOfEachKey(rows, table.primaryKey), syncedAt);
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
    const columns = [...Object.keys(rows[0]!).filter((c) => c !== 'synced_at'), 'synced_at'];
    if (this.bulk) {
      for (let start = 0; start < rows.length; start += ROWS_PER_ARRAY_STATEMENT) {
        const chunk = rows.slice(start, start + ROWS_PER_ARRAY_STATEMENT);
        const columnValues = columns.map((c) => (c === 'synced_at' ? chunk.map(() => syncedAt) : chunk.map((row) => toStoredValue(row[c]))));
        await this.bulk.upsert(table.name, table.primaryKey, columns, columnValues);
      }
      return rows.length;
    }
    const perStatement = ROWS_PER_STATEMENT;
    let index = 0;
    while (index < rows.length) {
      // Full statements, then the rest one row at a time: few distinct statements to prepare.
      const count = rows.length - index >= perStatement ? perStatement : 1;
      const params: unknown[] = [];
      for (let r = index; r < index + count; r++) {
        const row = rows[r]!;
        for (const column of columns) params.push(column === 'synced_at' ? syncedAt : toStoredValue(row[column]));
      }
      await this.exec.runSql(this.upsertSql(table, columns, count), params);
      index += count;
    }
    return rows.length;
  }

  private readonly sqlCache = new Map<string, string>();

  /** The SQL text of an upsert of `count` rows, compiled by Kysely once per shape. */
  private upsertSql(table: TableSpec, columns: string[], count: number): string {
    const key = `${table.name}|${count}|${columns.join(',')}`;
    let sqlText = this.sqlCache.get(key);
    if (!sqlText) {
      const placeholderRow = Object.fromEntries(columns.map((c) => [c, null]));
      const updatable = columns.filter((c) => !table.primaryKey.includes(c));
      sqlText = this.exec.db
        .insertInto(table.name)
        .values(Array.from({ length: count }, () => placeholderRow))
        .onConflict((oc) => {
          const target = oc.columns(table.primaryKey);
          return updatable.length === 0
            ? target.doNothing()
            : target.doUpdateSet((eb) => Object.fromEntries(updatable.map((c) => [c, eb.ref(`excluded.${c}`)])));
        })
        .compile().sql;
      this.sqlCache.set(key, sqlText);
    }
    return sqlText;
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
    const key = primaryKey.length === 1 ? String(row[primaryKey[0]!]) : JSON.stringify(primaryKey.map((c) => row[c] ?? null));
    // The first position (rowid order follows Gong's), the last row's values.
    byKey.set(key, row);
  }
  return byKey.size === rows.length ? rows : [...byKey.values()];
}
