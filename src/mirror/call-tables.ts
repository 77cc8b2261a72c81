import fs from 'node:fs';
import path from 'node:path';
import type { SqlExecutor } from '../db/sql-executor.js';
import type { StreamDefinition } from '../../streams/types.js';

/** A table whose rows belong to a call: those whose `column` holds the call's id. */
export interface CallTable {
  table: string;
  column: string;
}

/** A table whose rows belong to rows of a call table (scorecard answers of a call's answered scorecard). */
export interface DependentTable {
  table: string;
  column: string;
  parent: string;
  parentColumn: string;
}

/** Every table of a call, in the order its rows are removed (dependents first, the calls table last). */
export interface CallTablePlan {
  dependents: DependentTable[];
  byCall: CallTable[];
}

const KEYS_PER_STATEMENT = 400;

/**
 * Derives the tables that belong to a call from the stream declarations and the database's own
 * columns, so a new stream with a `call_id` column is covered without a list to keep up:
 * - every declared table with a `call_id` column;
 * - tables keyed by the call id itself: the parent table that parent-id streams read (`calls.id`),
 *   and tables keyed by that same id in the streams that write it (`calls_extensive.id`);
 * - child sets replaced with such a table's rows through another key (scorecard_answers).
 */
export async function planCallTables(exec: SqlExecutor, streams: StreamDefinition[]): Promise<CallTablePlan> {
  const columns = await tableColumns(exec);
  const parent = streams.map((s) => s.replication).find((r) => r.kind === 'parent_ids');
  const callTable = parent?.kind === 'parent_ids' ? parent.parent : { table: 'calls', idColumn: 'id' };
  const byCall = new Map<string, CallTable>();
  const specs = streams.flatMap((s) => s.tables.map((t) => ({ stream: s, table: t })));
  for (const { stream, table } of specs) {
    const has = columns.get(table.name);
    if (!has || byCall.has(table.name)) continue;
    const writesCalls = stream.tables.some((t) => t.name === callTable.table);
    if (has.has('call_id')) byCall.set(table.name, { table: table.name, column: 'call_id' });
    else if (writesCalls && table.primaryKey.length === 1 && table.primaryKey[0] === callTable.idColumn) {
      byCall.set(table.name, { table: table.name, column: callTable.idColumn });
    }
  }
  const dependents: DependentTable[] = [];
  for (const { table } of specs) {
    const link = table.replaceChildrenOf;
    if (!link || byCall.has(table.name) || !byCall.has(link.table) || !columns.has(table.name)) continue;
    if (typeof link.column !== 'string' || typeof link.parentColumn !== 'string') continue;
    if (dependents.some((d) => d.table === table.name)) continue;
    dependents.push({ table: table.name, column: link.column, parent: link.table, parentColumn: link.parentColumn });
  }
  const ordered = [...byCall.values()].sort((a, b) => Number(a.table === callTable.table) - Number(b.table === callTable.table));
  return { dependents, byCall: ordered };
}

export interface RemovedCalls {
  rowsByTable: Record<string, number>;
  rows: number;
  files: number;
}

/**
 * Removes every row of `callIds` from every table of the plan, and their media files. Run it inside
 * the transaction that records why (reconcile's window, forget's proof). The files go before the
 * rows commit: a kill in between leaves rows whose files are already gone, which the next run
 * removes again (a missing file is no error), never files that no row leads to.
 */
export async function removeCalls(exec: SqlExecutor, plan: CallTablePlan, callIds: string[], mediaDir?: string): Promise<RemovedCalls> {
  const rowsByTable: Record<string, number> = {};
  let files = 0;
  for (let i = 0; i < callIds.length; i += KEYS_PER_STATEMENT) {
    const chunk = callIds.slice(i, i + KEYS_PER_STATEMENT);
    files += await removeMediaFiles(exec, plan, chunk, mediaDir);
    // Counted before anything goes: a table may be a view whose deletes report no changes (SQLite's
    // compact transcript sentences), or lose its rows to a trigger on the table removed before it.
    const dependentRows = plan.dependents.map((d) => {
      const owner = plan.byCall.find((t) => t.table === d.parent)!;
      return {
        table: d.table,
        where: (eb: any) => eb(d.column, 'in', exec.db.selectFrom(d.parent).select(d.parentColumn).where(owner.column, 'in', chunk)),
      };
    });
    const callRows = plan.byCall.map((t) => ({ table: t.table, where: (eb: any) => eb(t.column, 'in', chunk) }));
    for (const { table, where } of [...dependentRows, ...callRows]) {
      const row = await exec.get<{ n: unknown }>(
        exec.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .where(where),
      );
      rowsByTable[table] = (rowsByTable[table] ?? 0) + Number(row?.n ?? 0);
    }
    for (const { table, where } of [...dependentRows, ...callRows]) await exec.run(exec.db.deleteFrom(table).where(where));
  }
  for (const key of Object.keys(rowsByTable)) if (rowsByTable[key] === 0) delete rowsByTable[key];
  return { rowsByTable, rows: Object.values(rowsByTable).reduce((a, b) => a + b, 0), files };
}

/** The call's files: the paths call_media records, and any file of the call in the media folder (a partial download too). */
async function removeMediaFiles(exec: SqlExecutor, plan: CallTablePlan, callIds: string[], mediaDir?: string): Promise<number> {
  const paths = new Set<string>();
  if (plan.byCall.some((t) => t.table === 'call_media')) {
    const rows = await exec.all<{ path: string | null }>(exec.db.selectFrom('call_media').select('path').where('call_id', 'in', callIds));
    for (const row of rows) if (row.path) paths.add(path.resolve(row.path));
  }
  if (mediaDir && fs.existsSync(mediaDir)) {
    const wanted = new Set(callIds);
    for (const name of fs.readdirSync(mediaDir)) {
      if (wanted.has(name.split('.')[0]!)) paths.add(path.resolve(mediaDir, name));
    }
  }
  let removed = 0;
  for (const file of paths) {
    try {
      fs.unlinkSync(file);
      removed++;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return removed;
}

/** Base tables of the database (not views, not full-text indexes) with their column names. */
export async function tableColumns(exec: SqlExecutor): Promise<Map<string, Set<string>>> {
  const tables = await exec.database.adapter.listTables();
  return new Map(tables.filter((t) => t.type === 'table').map((t) => [t.name, new Set(t.columns.map((c) => c.name))]));
}
