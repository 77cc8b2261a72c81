import type { SqlExecutor } from '../db/sql-executor.js';
import { RowLoader } from '../loader.js';
import { SyncLock } from '../../state/sync-lock.js';
import { LockHeldError } from '../errors.js';
import { findStream } from '../../streams/index.js';
import type { RequestInput, Row, StreamSettings } from '../../streams/types.js';
import { canonicalJson } from './canonical-json.js';

export type StoreOutcome = { rows: number } | { skipped: string };

type Params = Record<string, any>;

/**
 * What a live answer becomes in the copy: each action's records go through its stream's own
 * mapping, with the window or partition the parameters name. Records that would make the copy
 * claim more than it holds are not stored (a partial stats window, a narrower content selection).
 */
export async function storeLive(options: {
  exec: SqlExecutor;
  tool: string;
  params: Params;
  records: unknown[];
  /** The answer was all of Gong's pages (no cursor in, none out). */
  complete: boolean;
  settings: StreamSettings;
  syncContentSelector: unknown;
  now?: Date;
}): Promise<StoreOutcome> {
  const plan = planStore(options);
  if ('skipped' in plan) return plan;
  const stream = findStream(plan.stream);
  if (!stream) return { skipped: `no stream ${plan.stream}` };
  const rows: Record<string, Row[]> = {};
  for (const record of options.records) {
    const mapped = stream.toRows(plan.record ? plan.record(record) : record, { ...plan.input, settings: options.settings });
    for (const [table, tableRows] of Object.entries(mapped)) (rows[table] ??= []).push(...tableRows);
  }
  if (Object.values(rows).every((r) => r.length === 0)) return { rows: 0 };
  const lock = new SyncLock(options.exec);
  try {
    await lock.acquire('mcp');
  } catch (error) {
    if (error instanceof LockHeldError) return { skipped: 'another gong-sync is writing to the database; the answer was not stored' };
    throw error;
  }
  try {
    const written = await options.exec.transaction(() =>
      new RowLoader(options.exec).write(stream.tables, rows, (options.now ?? new Date()).toISOString()),
    );
    return { rows: written };
  } finally {
    await lock.release();
  }
}

function planStore(options: {
  tool: string;
  params: Params;
  complete: boolean;
  syncContentSelector: unknown;
}): { stream: string; input: Omit<RequestInput, 'settings'>; record?: (r: any) => unknown } | { skipped: string } {
  const { tool, params } = options;
  const filter: Params = params.filter ?? {};
  switch (tool) {
    case 'users_list':
    case 'users_get':
      return { stream: 'users', input: {} };
    case 'calls_list':
    case 'calls_get':
      return { stream: 'calls', input: {} };
    case 'calls_extensive_list':
      // Stored whole only when asked with the sync's selection; otherwise only the call metadata.
      return canonicalJson(params.contentSelector ?? null) === canonicalJson(options.syncContentSelector)
        ? { stream: 'calls_extensive', input: {} }
        : { stream: 'calls', input: {}, record: (r) => r?.metaData };
    case 'call_transcripts_list':
      return { stream: 'call_transcripts', input: {} };
    case 'workspaces_list':
      return { stream: 'workspaces', input: {} };
    case 'settings_scorecards_list':
      return { stream: 'settings_scorecards', input: {} };
    case 'call_outcomes_list':
      return { stream: 'call_outcomes', input: {} };
    case 'settings_trackers_list':
      return { stream: 'settings_trackers', input: {} };
    case 'library_folders_list':
      return { stream: 'library_folders', input: { partition: { workspaceId: String(params.workspaceId) } } };
    case 'library_folder_content_list':
      return { stream: 'library_folder_content', input: { partition: { folderId: String(params.folderId) } } };
    case 'stats_activity_day_by_day_list':
      return { stream: 'stats_activity_day_by_day', input: { window: { from: filter.fromDate, to: filter.toDate } } };
    case 'stats_activity_scorecards_list':
      return { stream: 'stats_activity_scorecards', input: {} };
    case 'stats_activity_aggregate_list':
    case 'stats_interaction_list':
      // Stored per window: only a whole window for every user, or the copy would answer it incompletely later.
      if (!options.complete || filter.userIds !== undefined)
        return { skipped: 'a partial stats window (userIds filter or more pages) is not stored' };
      return { stream: tool.replace(/_list$/, ''), input: { window: { from: filter.fromDate, to: filter.toDate } } };
    case 'coaching_list':
      if (!options.complete) return { skipped: 'a partial coaching answer is not stored' };
      return {
        stream: 'coaching',
        input: {
          window: { from: params.from, to: params.to },
          partition: { workspaceId: String(params['workspace-id']), managerId: String(params['manager-id']) },
        },
      };
    default:
      return { skipped: `${tool} answers are not stored` };
  }
}
