import { sql } from 'kysely';
import type { SqlExecutor } from '../db/sql-executor.js';
import type { StreamDefinition } from '../../streams/types.js';
import { readByIds, type ReadByIdsContext } from './read-by-ids.js';

export interface RepairOptions extends ReadByIdsContext {
  /** calls_extensive and call_transcripts: the streams that fill what call_completeness checks. */
  extensiveStream: StreamDefinition;
  transcriptStream: StreamDefinition;
  /** Only transcripts (leave calls without extensive data alone). */
  transcriptsOnly?: boolean;
  /** Only calls that started at or after this instant. */
  from?: Date;
}

export interface RepairReport {
  withoutExtensive: number;
  withoutTranscript: number;
  /** Of those, how many are complete now. */
  extensiveRepaired: number;
  transcriptsRepaired: number;
  requests: number;
  rowsWritten: number;
}

/**
 * Re-reads exactly the calls `call_completeness` shows as incomplete, by id: extensive data for
 * calls that lack it, and transcripts for calls without one (pending or none). Rows are upserts:
 * running it again, after a kill or not, only repeats reads.
 */
export async function repair(options: RepairOptions): Promise<RepairReport> {
  const before = options.client.stats.requests;
  const withoutExtensive = options.transcriptsOnly ? [] : await incomplete(options.exec, 'extensive', options.from);
  const withoutTranscript = await incomplete(options.exec, 'transcript', options.from);
  let rowsWritten = 0;
  if (withoutExtensive.length > 0) rowsWritten += await readByIds(options, options.extensiveStream, withoutExtensive);
  if (withoutTranscript.length > 0) rowsWritten += await readByIds(options, options.transcriptStream, withoutTranscript);
  const stillWithoutExtensive = new Set(options.transcriptsOnly ? [] : await incomplete(options.exec, 'extensive', options.from));
  const stillWithoutTranscript = new Set(await incomplete(options.exec, 'transcript', options.from));
  return {
    withoutExtensive: withoutExtensive.length,
    withoutTranscript: withoutTranscript.length,
    extensiveRepaired: withoutExtensive.filter((id) => !stillWithoutExtensive.has(id)).length,
    transcriptsRepaired: withoutTranscript.filter((id) => !stillWithoutTranscript.has(id)).length,
    requests: options.client.stats.requests - before,
    rowsWritten,
  };
}

async function incomplete(exec: SqlExecutor, what: 'extensive' | 'transcript', from?: Date): Promise<string[]> {
  let query = exec.db.selectFrom('call_completeness').select('call_id');
  query = what === 'extensive' ? query.where(sql<boolean>`not has_extensive`) : query.where('transcript_status', '<>', 'present');
  if (from) {
    const { adapter } = exec.database;
    query = query.where(adapter.instant(sql.ref('started_utc')), '>=', adapter.instant(sql.val(from.toISOString())));
  }
  return (await exec.all<{ call_id: string }>(query.orderBy('call_id'))).map((r) => String(r.call_id));
}
