import { CursorExpiredError } from '../errors.js';
import { pagesOf } from '../runner/pages.js';
import type { SqlExecutor } from '../db/sql-executor.js';
import type { GongClient } from '../gong/client.js';
import { RowLoader } from '../loader.js';
import type { RequestSpec, Row, StreamDefinition, StreamSettings } from '../../streams/types.js';
import type { Suppression } from './suppression.js';
import type { DriftRecorder } from './schema-drift.js';

export interface ReadByIdsContext {
  exec: SqlExecutor;
  client: GongClient;
  settings: StreamSettings;
  syncedAt: string;
  suppression?: Suppression;
  drift?: DriftRecorder;
  signal?: AbortSignal;
}

const BATCH = 100;

/**
 * Re-reads the records of exactly these call ids through a stream's own declaration (its request
 * with a `callIds` filter, its mapping, its tables), 100 ids a request, each page's rows in one
 * transaction. Returns the rows written.
 */
export async function readByIds(ctx: ReadByIdsContext, stream: StreamDefinition, ids: string[]): Promise<number> {
  const loader = new RowLoader(ctx.exec);
  let written = 0;
  for (let i = 0; i < ids.length; i += BATCH) {
    const batch = ids.slice(i, i + BATCH);
    for (let attempt = 0; ; attempt++) {
      try {
        written += await readBatch(ctx, loader, stream, batch);
        break;
      } catch (error) {
        if (!(error instanceof CursorExpiredError) || attempt >= 2) throw error;
      }
    }
  }
  return written;
}

async function readBatch(ctx: ReadByIdsContext, loader: RowLoader, stream: StreamDefinition, ids: string[]): Promise<number> {
  let written = 0;
  const byIds: StreamDefinition = { ...stream, request: (input) => withCallIds(stream.request(input), ids) };
  const pages = pagesOf({
    client: ctx.client,
    stream: byIds,
    input: { ids, settings: ctx.settings },
    cursor: null,
    includePrivateCalls: ctx.settings.includePrivateCalls,
    signal: ctx.signal,
    observe: ctx.drift && ((spec, answer) => ctx.drift!.observe(spec, answer)),
  });
  for await (const page of pages) {
    const records = ctx.suppression ? ctx.suppression.filter(stream, page.records) : page.records;
    const rowsByTable: Record<string, Row[]> = {};
    for (const record of records) {
      for (const [table, rows] of Object.entries(stream.toRows(record, { ids, settings: ctx.settings })))
        (rowsByTable[table] ??= []).push(...rows);
    }
    written += await ctx.exec.transaction(async () => {
      const count = await loader.write(stream.tables, rowsByTable, ctx.syncedAt);
      await ctx.drift?.flush();
      return count;
    });
  }
  return written;
}

/** Streams read by date windows ask for the same records by id with Gong's `callIds` filter. */
function withCallIds(spec: RequestSpec, ids: string[]): RequestSpec {
  return spec.body && typeof spec.body.filter === 'object' ? { ...spec, body: { ...spec.body, filter: { callIds: ids } } } : spec;
}
