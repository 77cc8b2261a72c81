import type { SqlExecutor } from './db/sql-executor.js';
import { toSqliteValue } from './db/sql-executor.js';
import type { Row, TableSpec } from '../streams/types.js';

const ROWS_PER_STATEMENT = 100;
const KEYS_PER_DELETE = 500;

/**
 * Writes a page's rows: replaces child sets, then upserts by primary key, each table's rows in
 * multi-row statements that Kysely compiles once and the driver keeps prepared. Call it inside
 * the transaction that also saves the checkpoint.
 */
export class RowLoader {
  constructor(private readonly exec: SqlExecutor) {}

  /** Returns the number of rows written. */
  write(tables: TableSpec[], rowsByTable: Record<string, Row[]>, syncedAt: string): number {
    let written = 0;
    for (const table of tables) {
      const rows = rowsByTable[table.name] ?? [];
      if (table.replaceChildrenOf) {
        const { table: parent, parentColumn, column } = table.replaceChildrenOf;
        const parentRows = rowsByTable[parent] ?? [];
        if (typeof parentColumn === 'string' && typeof column === 'string') {
          this.deleteWhereIn(table.name, column, parentRows.map((r) => r[parentColumn]));
        } else {
          this.deleteWhereKeys(table.name, [column].flat(), parentRows.map((r) => [parentColumn].flat().map((c) => r[c])));
        }
      }
      if (rows.length > 0) written += this.upsert(table, rows, syncedAt);
    }
    return written;
  }

  deleteWhereIn(table: string, column: string, keys: unknown[]): void {
    for (let i = 0; i < keys.length; i += KEYS_PER_DELETE) {
      const chunk = keys.slice(i, i + KEYS_PER_DELETE);
      this.exec.run(this.exec.db.deleteFrom(table).where(column, 'in', chunk));
    }
  }

  /** Deletes rows whose composite key (`columns`) equals one of `keys`. */
  deleteWhereKeys(table: string, columns: string[], keys: unknown[][]): void {
    const perStatement = Math.max(1, Math.floor(KEYS_PER_DELETE / columns.length));
    for (let i = 0; i < keys.length; i += perStatement) {
      const chunk = keys.slice(i, i + perStatement);
      this.exec.run(
        this.exec.db
          .deleteFrom(table)
          .where((eb) => eb.or(chunk.map((key) => eb.and(columns.map((column, c) => eb(column, '=', key[c] as never)))))),
      );
    }
  }

  private upsert(table: TableSpec, rows: Row[], syncedAt: string): number {
    const columns = [...Object.keys(rows[0]!).filter((c) => c !== 'synced_at'), 'synced_at'];
    let index = 0;
    while (index < rows.length) {
      const count = rows.length - index >= ROWS_PER_STATEMENT ? ROWS_PER_STATEMENT : 1;
      const statement = this.exec.prepare(this.upsertSql(table, columns, count));
      const params: unknown[] = [];
      for (let r = index; r < index + count; r++) {
        const row = rows[r]!;
        for (const column of columns) params.push(column === 'synced_at' ? syncedAt : toSqliteValue(row[column]));
      }
      statement.run(...params);
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
