import type { SqlExecutor } from '../src/db/sql-executor.js';

/** When the last run on this database that succeeded finished (undefined if none did). */
export async function lastSuccessfulRunAt(exec: SqlExecutor): Promise<Date | undefined> {
  const row = await exec.get<{ finished_at: string | null }>(
    exec.db.selectFrom('_runs').select('finished_at').where('outcome', '=', 'succeeded').orderBy('id', 'desc').limit(1),
  );
  return row?.finished_at ? new Date(row.finished_at) : undefined;
}
