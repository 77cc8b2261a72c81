/**
 * Rows the copy holds but Gong no longer has, removed in the transaction that completes a pass:
 * rows a full refresh did not see, rows of partitions that vanished, a window's rows before it is
 * read again from its start.
 */
import { sql } from 'kysely';
import type { SqlExecutor } from '../db/sql-executor.js';
import type { StreamDefinition } from '../../streams/types.js';

type Partition = Record<string, string> | undefined;

/** Rows not written since the pass started; children (which carry no stamp) whose parent went. */
export async function removeRowsNotSeenSince(exec: SqlExecutor, stream: StreamDefinition, passStartedAt: string, partition: Partition) {
  for (const table of stream.tables) {
    const child = table.replaceChildrenOf;
    if (child) {
      const parentColumns = [child.parentColumn].flat();
      const columns = [child.column].flat();
      await exec.run(
        exec.db.deleteFrom(table.name).where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom(`${child.table} as parent`)
                .select(sql`1`.as('one'))
                .where((inner) =>
                  inner.and(columns.map((column, i) => inner(`parent.${parentColumns[i]}`, '=', inner.ref(`${table.name}.${column}`)))),
                ),
            ),
          ),
        ),
      );
      continue;
    }
    let query = exec.db.deleteFrom(table.name).where('synced_at', '<', passStartedAt);
    for (const [column, value] of partitionFilters(stream, partition)) query = query.where(column, '=', value);
    await exec.run(query);
  }
}

/** Rows of partitions that no longer exist (a deleted folder's calls). */
export async function removeRowsOfVanishedPartitions(exec: SqlExecutor, stream: StreamDefinition, partitions: Partition[]) {
  for (const source of stream.partitions?.sources ?? []) {
    const current = [...new Set(partitions.map((p) => p?.[source.param]).filter((v): v is string => v !== undefined))];
    for (const table of stream.tables) {
      let query = exec.db.deleteFrom(table.name);
      if (current.length > 0) query = query.where(source.rowColumn, 'not in', current);
      await exec.run(query);
    }
  }
}

/** A window's rows (and its partition's), before the window is read again from its first page. */
export async function deleteWindowRows(
  exec: SqlExecutor,
  stream: StreamDefinition,
  windowColumn: string,
  windowFrom: string,
  partition: Partition,
) {
  for (const table of stream.tables) {
    let query = exec.db.deleteFrom(table.name).where(windowColumn, '=', windowFrom);
    for (const [column, value] of partitionFilters(stream, partition)) query = query.where(column, '=', value);
    await exec.run(query);
  }
}

function partitionFilters(stream: StreamDefinition, partition: Partition): Array<[string, string]> {
  const columnsByParam = Object.fromEntries((stream.partitions?.sources ?? []).map((s) => [s.param, s.rowColumn]));
  return Object.entries(partition ?? {})
    .filter(([param]) => columnsByParam[param])
    .map(([param, value]) => [columnsByParam[param]!, value]);
}
