import type BetterSqlite3 from 'better-sqlite3';

/** How a column travels in an export: ids and text stay strings, whatever digits they hold. */
export type ExportType = 'VARCHAR' | 'BIGINT' | 'DOUBLE';

export interface ExportColumn {
  name: string;
  type: ExportType;
}

export interface ExportableTable {
  name: string;
  columns: ExportColumn[];
}

/**
 * The entity tables a user exports: everything but bookkeeping (`_*`), SQLite's own tables, and
 * full-text indexes with their shadow tables (they are derived from transcript_sentences).
 */
export function listExportableTables(sqlite: BetterSqlite3.Database): ExportableTable[] {
  const all = sqlite
    .prepare(`select name, sql from sqlite_master where type = 'table' order by name`)
    .all() as { name: string; sql: string | null }[];
  const virtual = all.filter((t) => /^\s*create\s+virtual\s+table/i.test(t.sql ?? '')).map((t) => t.name);
  return all
    .filter((t) => !t.name.startsWith('_') && !t.name.startsWith('sqlite_'))
    .filter((t) => !virtual.some((v) => t.name === v || t.name.startsWith(`${v}_`)))
    .map((t) => ({ name: t.name, columns: columnsOf(sqlite, t.name) }));
}

function columnsOf(sqlite: BetterSqlite3.Database, table: string): ExportColumn[] {
  const info = sqlite.prepare(`select name, type from pragma_table_info(?) order by cid`).all(table) as { name: string; type: string }[];
  const columns = info.map((c) => ({ name: c.name, type: exportTypeOf(c.type) }));
  return widenToStoredValues(sqlite, table, columns);
}

/**
 * SQLite keeps whatever value it is given, whatever the declared type: one pass over the table
 * finds numeric columns holding reals or text, and widens them (BIGINT -> DOUBLE -> VARCHAR) so
 * the export never truncates or drops a value.
 */
function widenToStoredValues(sqlite: BetterSqlite3.Database, table: string, columns: ExportColumn[]): ExportColumn[] {
  const numeric = columns.filter((c) => c.type !== 'VARCHAR');
  if (numeric.length === 0) return columns;
  const probes = numeric.flatMap((c, i) => [
    `max(typeof(${quoteIdent(c.name)}) in ('text', 'blob')) as t${i}`,
    `max(typeof(${quoteIdent(c.name)}) = 'real') as r${i}`,
  ]);
  const seen = sqlite.prepare(`select ${probes.join(', ')} from ${quoteIdent(table)}`).get() as Record<string, number | null>;
  return columns.map((c) => {
    const i = numeric.indexOf(c);
    if (i < 0) return c;
    if (seen[`t${i}`]) return { ...c, type: 'VARCHAR' };
    if (c.type === 'BIGINT' && seen[`r${i}`]) return { ...c, type: 'DOUBLE' };
    return c;
  });
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** SQLite's affinity rules, narrowed: INT -> BIGINT, REAL/FLOA/DOUB -> DOUBLE, anything else text. */
export function exportTypeOf(declared: string): ExportType {
  const type = declared.toUpperCase();
  if (type.includes('INT')) return 'BIGINT';
  if (type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB')) return 'DOUBLE';
  return 'VARCHAR';
}

/** Rows of a table as arrays in column order, read lazily: no table is ever held in memory. */
export function iterateRows(sqlite: BetterSqlite3.Database, table: ExportableTable): IterableIterator<unknown[]> {
  const columns = table.columns.map((c) => quoteIdent(c.name)).join(', ');
  return sqlite.prepare(`select ${columns} from ${quoteIdent(table.name)}`).raw(true).safeIntegers(true).iterate() as IterableIterator<unknown[]>;
}
