import type { ColumnKind } from './column-typing.js';

/**
 * What a column means, from its declared type and the schema's naming rules: `*_utc` columns and `synced_at` are
 * instants (ISO-8601 text on SQLite, timestamptz on PostgreSQL), `is_*` / `has_*` columns flags
 * (0/1 on SQLite, boolean on PostgreSQL), `raw` and `*_json` columns JSON text.
 */
export function columnKindOf(column: string, declaredType: string): ColumnKind {
  const type = declaredType.toLowerCase();
  if (type.startsWith('timestamp') || (/_utc$|^synced_at$/.test(column) && (type === 'text' || type === ''))) return 'instant';
  if (type.startsWith('bool') || (/^(is|has)_/.test(column) && type.includes('int'))) return 'flag';
  if (type.startsWith('json') || column === 'raw' || /_json$/.test(column)) return 'json';
  return 'plain';
}
