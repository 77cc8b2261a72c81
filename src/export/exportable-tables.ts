import type { TableInfo } from '../db/adapter.js';
import { ConfigError } from '../errors.js';
import type { ExportColumn } from './column-typing.js';
import { isPlainFileName } from './export-folder.js';

export interface ExportableTable {
  name: string;
  columns: ExportColumn[];
}

/** Kysely's record of applied migrations and its lock: the tool's internals, never exported. */
const MIGRATION_TABLES = ['kysely_migration', 'kysely_migration_lock'];

/**
 * The tables an export writes. By default every entity table: not the bookkeeping tables (`_*`:
 * sync state, runs, request log), not Kysely's migration tables, not views, not full-text indexes
 * (the adapter never lists them, nor PostgreSQL's derived `tsv` column). Bookkeeping tables are
 * exported when named in `wanted` (`_runs` for a run history); the migration tables never are. Only tables of the database's own schema are
 * candidates, and a table whose name is not a plain file name (a tampered database's `../../x`)
 * is never written: skipped with a warning, or refused when named.
 */
export function selectTables(available: TableInfo[], wanted: string[] | undefined, warn: (message: string) => void): ExportableTable[] {
  // Views are queries over the tables: whoever loads the tables can run them.
  const candidates = available.filter((t) => t.type === 'table' && !MIGRATION_TABLES.includes(t.name));
  if (!wanted || wanted.length === 0) {
    const entities = candidates.filter((t) => !t.bookkeeping);
    for (const t of entities.filter((t) => !isPlainFileName(t.name)))
      warn(`table ${JSON.stringify(t.name)} skipped: its name is not a plain file name (a table gong-sync never creates)`);
    return entities.filter((t) => isPlainFileName(t.name)).map(exportable);
  }
  const unknown = wanted.filter((name) => !candidates.some((t) => t.name === name));
  if (unknown.length > 0) {
    const names = candidates.filter((t) => !t.bookkeeping && isPlainFileName(t.name)).map((t) => t.name);
    throw new ConfigError(
      `Unknown table ${unknown.join(', ')} for --tables: expected some of ${names.join(', ')} (bookkeeping tables such as _runs may be named too)`,
    );
  }
  const unsafe = wanted.filter((name) => !isPlainFileName(name));
  if (unsafe.length > 0)
    throw new ConfigError(`Table ${unsafe.map((n) => JSON.stringify(n)).join(', ')} cannot be exported: its name is not a plain file name`);
  return candidates.filter((t) => wanted.includes(t.name)).map(exportable);
}

function exportable(table: TableInfo): ExportableTable {
  return { name: table.name, columns: table.columns.map((c): ExportColumn => ({ name: c.name, kind: c.kind })) };
}
