import { GongHttpError, GongSyncError } from '../errors.js';
import type { GongClient } from '../gong/client.js';
import type { Database } from '../db/database.js';
import { SqlExecutor } from '../db/sql-executor.js';
import { RowLoader } from '../loader.js';
import type { StreamDefinition, StreamSettings } from '../../streams/types.js';
import { Suppression } from '../mirror/suppression.js';

/** Fetches one record live by id (a stream's `get`), upserts its rows, and returns it. */
export async function fetchAndStore(options: {
  stream: StreamDefinition;
  id: string;
  client: GongClient;
  database: Database;
  settings: StreamSettings;
  now?: Date;
}): Promise<unknown> {
  const { stream, id } = options;
  if (!stream.get) throw new GongSyncError(`${stream.name} records cannot be fetched one by one`);
  let answer: Record<string, unknown> | null;
  try {
    answer = (await options.client.request({ method: 'GET', path: stream.get.path(id) })) as Record<string, unknown> | null;
  } catch (error) {
    if (error instanceof GongHttpError && error.status === 404) {
      throw new GongSyncError(`Gong has no ${stream.name.replace(/s$/, '')} with id ${id} (404 at ${options.client.baseUrl}).`);
    }
    throw error;
  }
  const record = answer?.[stream.get.recordKey];
  if (!record) throw new GongSyncError(`Gong has no ${stream.name.replace(/s$/, '')} with id ${id}.`);
  const exec = new SqlExecutor(options.database);
  // What `forget` erased stays out of the database while Gong still serves it: shown, not stored.
  if ((await Suppression.load(exec))?.keeps(stream, record) === false) return record;
  const rows = stream.toRows(record, { settings: options.settings });
  await exec.transaction(() => new RowLoader(exec).write(stream.tables, rows, (options.now ?? new Date()).toISOString()));
  return record;
}
