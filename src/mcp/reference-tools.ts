import type { GongClient } from '../gong/client.js';
import type { SqlExecutor } from '../db/sql-executor.js';
import type { StreamSettings } from '../../streams/types.js';
import { REFERENCE_ACTIONS, executeLive, type McpParam, type ReferenceAction } from './reference-actions.js';
import { objectSchema } from './json-schema.js';
import { LOCAL_GETS, LOCAL_LISTS, type LocalContext } from './local-answers.js';
import { storeLive, type StoreOutcome } from './store-live.js';
import { PAGE_SIZE, decodeCursor, encodeCursor, fitRecords, idsAsStrings, requestHash } from './answer-size.js';
import { ToolError, type McpTool } from './tool.js';
import { findStream } from '../../streams/index.js';
import type { MediaTools } from './media-tools.js';

export interface ReferenceToolsContext {
  local: LocalContext;
  exec: SqlExecutor;
  settings: StreamSettings;
  /** The paced, budgeted client; undefined when no credentials are configured. */
  client: () => GongClient;
  media: MediaTools;
}

const LIVE: McpParam = { type: 'boolean', description: 'Ask Gong now instead of the local copy (costs requests from the daily budget).' };
const MCP_CURSOR: McpParam = { type: 'string', description: 'The pagination.cursor of the previous answer, to read the next page.' };

/** One tool per action of the reference, named <entity>_<action>, with the reference's own parameters. */
export function referenceTools(ctx: ReferenceToolsContext): McpTool[] {
  return REFERENCE_ACTIONS.map((action) => {
    const extra: Record<string, McpParam> = action.action === 'list' ? { cursor: action.params.cursor ?? MCP_CURSOR, live: LIVE } : action.action === 'get' ? { live: LIVE } : {};
    const params = { ...action.params, ...extra };
    return {
      name: action.tool,
      description: describe(action, ctx),
      inputSchema: objectSchema(params),
      run: (args) => runAction(ctx, action, args),
    };
  });
}

function describe(action: ReferenceAction, ctx: ReferenceToolsContext): string {
  const what = `${action.entity.replace(/_/g, ' ')} ${action.action} (Gong ${action.method} ${action.path})`;
  if (action.action === 'download') {
    return `Downloads a call's ${action.entity === 'call_audio' ? 'audio' : 'video'} into the media directory (filter.callIds: exactly one call id) and returns its path, size in bytes and sha256. A file already downloaded is returned without asking Gong.`;
  }
  const local = action.action === 'list' ? LOCAL_LISTS[action.tool] : LOCAL_GETS[action.tool];
  const selector = action.tool === 'calls_extensive_list' ? ` The sync's contentSelector is ${JSON.stringify(ctx.local.syncContentSelector)}.` : '';
  const paging = action.action === 'list' ? ' Returns {source, synced_at, records, pagination}; when pagination.cursor is set, pass it as cursor (same other parameters) for the next page.' : ' Returns {source, synced_at, record}.';
  return (
    `${what}: records exactly as Gong returns them, ids as strings. ` +
    (local ? `Answered from the local copy (source "local", no Gong requests) ${local.when}; otherwise, or with live: true, asked from Gong (source "live") and stored in the copy.` : 'Always asked from Gong (source "live") and stored in the copy.') +
    selector +
    paging
  );
}

async function runAction(ctx: ReferenceToolsContext, action: ReferenceAction, args: Record<string, unknown>): Promise<unknown> {
  const { live, ...params } = args;
  if (live !== undefined && typeof live !== 'boolean') throw new ToolError('parameter "live" must be boolean');
  if (action.action === 'download') return ctx.media.download(action, params);
  // A list whose Gong endpoint takes no cursor still pages its answers here: that cursor is the server's own.
  const problems = action.validate(takesGongCursor(action) ? params : withoutKey(params, 'cursor'));
  if (problems.length > 0) throw new ToolError(`${action.tool}: ${problems.join('; ')}`);
  if (action.action === 'get') return runGet(ctx, action, params, live === true);
  return runList(ctx, action, params, live === true);
}

async function runGet(ctx: ReferenceToolsContext, action: ReferenceAction, params: Record<string, unknown>, live: boolean) {
  const local = live ? null : LOCAL_GETS[action.tool]?.get(params, ctx.local);
  if (local) return { source: 'local', synced_at: local.syncedAt, record: idsAsStrings(local.record) };
  const record = await executeLive(ctx.client(), action, params);
  if (excludedAsPrivate(ctx, action)(record)) throw new ToolError(`${action.tool}: this record is private and GONG_INCLUDE_PRIVATE_CALLS=false keeps private calls out`);
  const stored = await store(ctx, action, params, [record], true);
  return { source: 'live', record: idsAsStrings(record), stored };
}

async function runList(ctx: ReferenceToolsContext, action: ReferenceAction, params: Record<string, unknown>, live: boolean) {
  const request = requestHash(params);
  const cursorText = typeof params.cursor === 'string' ? params.cursor : undefined;
  const ours = cursorText !== undefined ? decodeCursor(cursorText) : undefined;
  if (ours && ours.request !== request) throw new ToolError(`${action.tool}: this cursor belongs to a call with other parameters; repeat that call's parameters with it, or leave cursor out to start over`);
  const base = withoutKey(params, 'cursor');

  const gongParams = action.translate(base);
  const localPlan = live || (cursorText !== undefined && ours?.source !== 'local') ? null : LOCAL_LISTS[action.tool]?.plan(gongParams, ctx.local);
  if (localPlan) {
    const offset = ours?.offset ?? 0;
    const page = localPlan.read(offset, PAGE_SIZE);
    const { fitted, count } = fitRecords(page.records.map((r) => idsAsStrings(r)));
    const next = offset + count < page.total ? encodeCursor({ source: 'local', request, offset: offset + count }) : undefined;
    return {
      source: 'local',
      synced_at: localPlan.syncedAt,
      records: fitted,
      pagination: { totalRecords: page.total, currentPageSize: count, currentPageNumber: Math.floor(offset / PAGE_SIZE), ...(next ? { cursor: next } : {}) },
    };
  }
  if (ours?.source === 'local') throw new ToolError(`${action.tool}: the local copy can no longer answer this cursor (the sync state changed); leave cursor out to start over`);

  // Live: Gong's cursor as it is, or ours (a Gong page too large for one answer, continued at an offset).
  const gongCursor = ours ? ours.gong ?? undefined : cursorText;
  const offset = ours?.offset ?? 0;
  const liveParams = takesGongCursor(action) && gongCursor !== undefined ? { ...base, cursor: gongCursor } : base;
  const answer = (await executeLive(ctx.client(), action, liveParams)) as { records: unknown[]; pagination: Record<string, unknown> };
  // The copy leaves out what GONG_INCLUDE_PRIVATE_CALLS=false excludes; so do live answers.
  const isExcluded = excludedAsPrivate(ctx, action);
  const result = { ...answer, records: answer.records.filter((r) => !isExcluded(r)) };
  const stored = offset === 0 ? await store(ctx, action, gongParams, result.records, gongCursor === undefined && !result.pagination.cursor) : undefined;
  const { fitted, count } = fitRecords(result.records.slice(offset).map((r) => idsAsStrings(r)));
  const splitPage = offset + count < result.records.length;
  const gongNext = result.pagination.cursor as string | undefined;
  // Gong's next cursor is handed on only where the action takes one back; otherwise say what is missing.
  const next = splitPage ? encodeCursor({ source: 'live', request, offset: offset + count, gong: gongCursor ?? null }) : takesGongCursor(action) ? gongNext : undefined;
  const { cursor: _gongNext, ...meta } = result.pagination;
  return {
    source: 'live',
    records: fitted,
    pagination: { ...meta, currentPageSize: count, ...(next ? { cursor: next } : {}) },
    ...(!splitPage && gongNext && !takesGongCursor(action) ? { note: 'Gong answered with a further page, but this action takes no cursor: the records above are its first page only' } : {}),
    ...(stored ? { stored } : {}),
  };
}

async function store(ctx: ReferenceToolsContext, action: ReferenceAction, params: Record<string, unknown>, records: unknown[], complete: boolean): Promise<StoreOutcome> {
  try {
    return await storeLive({ exec: ctx.exec, tool: action.tool, params, records, complete, settings: ctx.settings, syncContentSelector: ctx.local.syncContentSelector });
  } catch (error) {
    return { skipped: `storing failed: ${(error as Error).message}` };
  }
}

function excludedAsPrivate(ctx: ReferenceToolsContext, action: ReferenceAction): (record: unknown) => boolean {
  const isPrivate = findStream(action.entity)?.isPrivate;
  return ctx.settings.includePrivateCalls || !isPrivate ? () => false : (record) => isPrivate(record) === true;
}

function takesGongCursor(action: ReferenceAction): boolean {
  return 'cursor' in action.params;
}

function withoutKey(params: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = params;
  return rest;
}
