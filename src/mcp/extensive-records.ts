import type { SqlExecutor } from '../db/sql-executor.js';
import type { Row } from '../../streams/types.js';
import { EXTENSIVE_CHILD_TABLES } from '../../streams/calls-extensive-children.js';
import { restoreExtensiveCall, type ExtensiveRows } from '../../streams/calls-extensive-stored.js';

const CHILD_TABLES = ['call_parties', ...EXTENSIVE_CHILD_TABLES.map((t) => t.name)];

/**
 * Gong's extensive call records for these ids, in their order, from the copy: calls_extensive.raw
 * keeps only what the tables do not hold, so each record is put back together from its rows
 * (a few queries a page, not a few per call). Older rows that kept the whole record give it as is.
 */
export async function extensiveRecords(exec: SqlExecutor, ids: string[]): Promise<unknown[]> {
  if (ids.length === 0) return [];
  const [extensive, calls, ...children] = await Promise.all([
    exec.all<Row>(exec.db.selectFrom('calls_extensive').selectAll().where('id', 'in', ids)),
    exec.all<Row>(exec.db.selectFrom('calls').select(['id', 'raw']).where('id', 'in', ids)),
    ...CHILD_TABLES.map((table) => exec.all<Row>(exec.db.selectFrom(table).selectAll().where('call_id', 'in', ids))),
  ]);
  const byId = new Map<string, ExtensiveRows & { raw: unknown }>();
  for (const row of extensive!) byId.set(String(row.id), { raw: row.raw, extensive: row, callRaw: undefined, children: {} });
  for (const row of calls!) {
    const rows = byId.get(String(row.id));
    if (rows) rows.callRaw = row.raw;
  }
  children.forEach((tableRows, i) => {
    const table = CHILD_TABLES[i]!;
    for (const row of tableRows) {
      const rows = byId.get(String(row.call_id));
      if (rows) (rows.children[table] ??= []).push(row);
    }
  });
  return ids.map((id) => {
    const rows = byId.get(id);
    return rows ? restoreExtensiveCall(rows.raw, rows) : undefined;
  });
}
