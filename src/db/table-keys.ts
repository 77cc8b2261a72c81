import type { SqlExecutor } from './sql-executor.js';

/** The primary-key columns of a table, in key order (empty when it has none). */
export async function primaryKeyOf(exec: SqlExecutor, table: string): Promise<string[]> {
  if (exec.dialect === 'sqlite') {
    const rows = await exec.database.backend.all<{ name: string; pk: number }>('select name, pk from pragma_table_info(?) where pk > 0', [
      table,
    ]);
    return rows.sort((a, b) => a.pk - b.pk).map((r) => r.name);
  }
  const rows = await exec.database.backend.all<{ name: string }>(
    `select k.column_name as name from information_schema.table_constraints c
       join information_schema.key_column_usage k on k.constraint_name = c.constraint_name and k.table_schema = c.table_schema and k.table_name = c.table_name
     where c.constraint_type = 'PRIMARY KEY' and c.table_schema = current_schema() and c.table_name = $1 order by k.ordinal_position`,
    [table],
  );
  return rows.map((r) => r.name);
}
