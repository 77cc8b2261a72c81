import type { GongClient } from '../gong/client.js';
import type { SqlExecutor } from '../db/sql-executor.js';
import type { StreamSettings } from '../../streams/types.js';
import { REFERENCE_ACTIONS, executeLive, type McpParam, type ReferenceAction } from './reference-actions.js';
import { objectSchema } from './json-schema.js';
import { LOCAL_GETS, LOCAL_LISTS, type LocalContext } from './local-answers.js';
import { storeLive, type StoreOutcome } from './store-live.js';
import { PAGE_SIZE, decodeCursor, encodeCursor, fitRecords, idsAsStrings, requestHash } from './answer-size.js';
import { ToolError, type McpTool } from './tool.js';
import { checkFormats } from './param-docs.js';
import { findStream } from '../../streams/index.js';
import type { MediaTools } from './media-tools.js';

export interface ReferenceToolsContext {
  local: LocalContext;
  exec: SqlExecutor;
  settings: StreamSettings;
  /** The paced, budgeted client; undefined when no credentials are configured. */
  client: () => GongClient;
  media: MediaTools;
  /** GONG_REDACT_TEXT: masks what was said (transcript sentences) in answers; the copy stays intact. */
  mask: (text: string) => string;
}

const LIVE: McpParam = { type: 'boolean', description: 'true: ask Gong now (spends the live budget). Default false.' };
const MCP_CURSOR: McpParam = { type: 'string', description: 'pagination.cursor of the previous answer: the next page.' };

/**
 * Gong's contentSelector in one described parameter rather than 25 nested flags (its fields are
 * still checked against the registry): agents leave it out and get the sync's selection.
 */
const SELECTOR: McpParam = {
  type: 'object',
  description:
    'Leave out for the sync\'s selection. Else Gong\'s {context: "Extended", contextTiming: ["Now"], exposedFields: {parties, media, content: {brief, keyPoints, outline, highlights, callOutcome, topics, trackers, trackerOccurrences, structure}, interaction: {speakers, personInteractionStats, questions, video}, collaboration: {publicComments}}} with true flags.',
};

/** One tool per action of the reference, named <entity>_<action>, with the reference's own parameters. */
export function referenceTools(ctx: ReferenceToolsContext): McpTool[] {
  return REFERENCE_ACTIONS.map((action) => {
    const extra: Record<string, McpParam> =
      action.action === 'list' ? { cursor: action.params.cursor ?? MCP_CURSOR, live: LIVE } : action.action === 'get' ? { live: LIVE } : {};
    // A download takes only filter.callIds here (whole files; Gong's range and selector are not offered).
    const params: Record<string, McpParam> =
      action.action === 'download'
        ? { filter: action.params.filter! }
        : { ...action.params, ...extra, ...(action.params.contentSelector ? { contentSelector: SELECTOR } : {}) };
    return {
      name: action.tool,
      description: describe(action, ctx),
      inputSchema: objectSchema(params),
      // Lists and gets change nothing in Gong (a live answer is only cached in the copy); downloads write files.
      annotations: { readOnlyHint: action.action !== 'download' },
      run: (args) => runAction(ctx, action, args),
    };
  });
}

function describe(action: ReferenceAction, ctx: ReferenceToolsContext): string {
  const what = `Gong ${action.method} ${action.path}`;
  if (action.action === 'download') {
    return `Downloads a call's ${action.entity === 'call_audio' ? 'audio' : 'video'} file (filter.callIds: one id) under the media directory; returns {path, bytes, sha256}.`;
  }
  const local = action.action === 'list' ? LOCAL_LISTS[action.tool] : LOCAL_GETS[action.tool];
  const selector = action.tool === 'calls_extensive_list' ? " Without contentSelector: the sync's selection (needed for the copy)." : '';
  return `${what}. ` + (local ? `From the copy ${local.when}; else from Gong.` : 'From Gong.') + selector;
}

async function runAction(ctx: ReferenceToolsContext, action: ReferenceAction, args: Record<string, unknown>): Promise<unknown> {
  const { live, ...given } = args;
  if (live !== undefined && typeof live !== 'boolean') throw new ToolError('parameter "live" must be boolean');
  // calls_extensive_list without a selection gets the sync's, which the copy can answer (Gong's default is metadata only).
  const params =
    action.tool === 'calls_extensive_list' && given.contentSelector === undefined
      ? { ...given, contentSelector: ctx.local.syncContentSelector }
      : given;
  // Dates and ids are checked before anything is sent: a malformed one is a tool error, never a request.
  checkFormats(action.tool, params);
  if (action.action === 'download') return ctx.media.download(action, params);
  // A list whose Gong endpoint takes no cursor still pages its answers here: that cursor is the server's own.
  const problems = action.validate(takesGongCursor(action) ? params : withoutKey(params, 'cursor'));
  if (problems.length > 0) throw new ToolError(`${action.tool}: ${problems.join('; ')}`);
  if (action.action === 'get') return runGet(ctx, action, params, live === true);
  return runList(ctx, action, params, live === true);
}

async function runGet(ctx: ReferenceToolsContext, action: ReferenceAction, params: Record<string, unknown>, live: boolean) {
  const local = live ? null : await LOCAL_GETS[action.tool]?.get(params, ctx.local);
  if (local) return { source: 'local', synced_at: local.syncedAt, record: idsAsStrings(local.record) };
  const record = await executeLive(ctx.client(), action, params);
  if (excludedAsPrivate(ctx, action)(record))
    throw new ToolError(`${action.tool}: this record is private and GONG_INCLUDE_PRIVATE_CALLS=false keeps private calls out`);
  const stored = await store(ctx, action, params, [record], true);
  return { source: 'live', record: idsAsStrings(record), stored };
}

/** Lists whose range can end after the last sync: answered from the copy as of then, the tail fetched only with live: true. */
const TAIL_FETCHABLE = new Set(['calls_list', 'calls_extensive_list']);
/** Most Gong pages one live tail may read (each counts against the live budget). */
const MAX_TAIL_PAGES = 10;

async function runList(ctx: ReferenceToolsContext, action: ReferenceAction, params: Record<string, unknown>, live: boolean) {
  const request = requestHash(params);
  const cursorText = typeof params.cursor === 'string' ? params.cursor : undefined;
  const ours = cursorText !== undefined ? decodeCursor(cursorText) : undefined;
  if (ours && ours.request !== request)
    throw new ToolError(
      `${action.tool}: this cursor belongs to a call with other parameters; repeat that call's parameters with it, or leave cursor out to start over`,
    );
  const base = withoutKey(params, 'cursor');

  const gongParams = action.translate(base);
  const planner = LOCAL_LISTS[action.tool];
  const mayPlan = ours?.source === 'local' || (cursorText === undefined && (!live || TAIL_FETCHABLE.has(action.tool)));
  let localPlan = planner && mayPlan ? await planner.plan(gongParams, ctx.local) : null;
  let tail: Record<string, unknown> | undefined;
  if (localPlan && live && !ours) {
    // live: true on a range the copy holds only in part: Gong is asked for the uncovered tail, never the whole range.
    if (!localPlan.asOf) localPlan = null;
    else {
      tail = await fetchTail(ctx, action, gongParams, localPlan.uncoveredFrom!, localPlan.uncoveredTo!);
      localPlan = await planner!.plan(gongParams, ctx.local);
    }
  }
  if (localPlan) {
    const offset = ours?.offset ?? 0;
    const page = await localPlan.read(offset, PAGE_SIZE);
    const { fitted, count } = fitRecords(page.records.map((r) => maskSaid(ctx, action, idsAsStrings(r))));
    const next = offset + count < page.total ? encodeCursor({ source: 'local', request, offset: offset + count }) : undefined;
    // A tail read only in part (more than MAX_TAIL_PAGES pages) leaves the answer as of the last sync.
    const partial = localPlan.asOf && (!tail || tail.complete !== true);
    return {
      source: tail ? 'local+live' : 'local',
      synced_at: localPlan.syncedAt,
      ...(partial
        ? {
            as_of: localPlan.asOf,
            note: `The copy is complete up to as_of (the last sync); calls from ${localPlan.uncoveredFrom} to ${localPlan.uncoveredTo} may be missing: live: true asks Gong for that part only.`,
          }
        : {}),
      ...(tail ? { live_tail: tail } : {}),
      records: fitted,
      pagination: {
        totalRecords: page.total,
        currentPageSize: count,
        currentPageNumber: Math.floor(offset / PAGE_SIZE),
        ...(next ? { cursor: next } : {}),
      },
    };
  }
  if (ours?.source === 'local')
    throw new ToolError(
      `${action.tool}: the local copy can no longer answer this cursor (the sync state changed); leave cursor out to start over`,
    );

  // Live: Gong's cursor as it is, or ours (a Gong page too large for one answer, continued at an offset).
  const gongCursor = ours ? (ours.gong ?? undefined) : cursorText;
  const offset = ours?.offset ?? 0;
  const liveParams = takesGongCursor(action) && gongCursor !== undefined ? { ...base, cursor: gongCursor } : base;
  const answer = (await executeLive(ctx.client(), action, liveParams)) as { records: unknown[]; pagination: Record<string, unknown> };
  // The copy leaves out what GONG_INCLUDE_PRIVATE_CALLS=false excludes; so do live answers.
  const isExcluded = excludedAsPrivate(ctx, action);
  const result = { ...answer, records: answer.records.filter((r) => !isExcluded(r)) };
  const stored =
    offset === 0 ? await store(ctx, action, gongParams, result.records, gongCursor === undefined && !result.pagination.cursor) : undefined;
  const { fitted, count } = fitRecords(result.records.slice(offset).map((r) => maskSaid(ctx, action, idsAsStrings(r))));
  const splitPage = offset + count < result.records.length;
  const gongNext = result.pagination.cursor as string | undefined;
  // Gong's next cursor is handed on only where the action takes one back; otherwise say what is missing.
  const next = splitPage
    ? encodeCursor({ source: 'live', request, offset: offset + count, gong: gongCursor ?? null })
    : takesGongCursor(action)
      ? gongNext
      : undefined;
  const { cursor: _gongNext, ...meta } = result.pagination;
  return {
    source: 'live',
    records: fitted,
    pagination: { ...meta, currentPageSize: count, ...(next ? { cursor: next } : {}) },
    ...(!splitPage && gongNext && !takesGongCursor(action)
      ? { note: 'Gong answered with a further page, but this action takes no cursor: the records above are its first page only' }
      : {}),
    ...(stored ? { stored } : {}),
  };
}

/**
 * Reads [from, to) from Gong, every page (up to MAX_TAIL_PAGES), and stores it in the copy, so the
 * whole range can then be answered from the copy. Says what it read.
 */
async function fetchTail(
  ctx: ReferenceToolsContext,
  action: ReferenceAction,
  params: Record<string, unknown>,
  from: string,
  to: string,
): Promise<Record<string, unknown>> {
  const tailParams =
    action.tool === 'calls_list'
      ? { ...params, fromDateTime: from, toDateTime: to }
      : { ...params, filter: { ...(params.filter as Record<string, unknown>), fromDateTime: from, toDateTime: to } };
  const isExcluded = excludedAsPrivate(ctx, action);
  let cursor: string | undefined;
  let records = 0;
  let pages = 0;
  let stored: StoreOutcome | undefined;
  do {
    const answer = (await executeLive(ctx.client(), action, cursor ? { ...tailParams, cursor } : tailParams)) as {
      records: unknown[];
      pagination: { cursor?: string };
    };
    pages++;
    const kept = answer.records.filter((r) => !isExcluded(r));
    records += kept.length;
    stored = await store(ctx, action, tailParams, kept, false);
    cursor = answer.pagination.cursor;
  } while (cursor && pages < MAX_TAIL_PAGES);
  return {
    fromDateTime: from,
    toDateTime: to,
    requests: pages,
    records,
    complete: !cursor,
    ...(stored && 'skipped' in stored ? { stored } : {}),
  };
}

async function store(
  ctx: ReferenceToolsContext,
  action: ReferenceAction,
  params: Record<string, unknown>,
  records: unknown[],
  complete: boolean,
): Promise<StoreOutcome> {
  try {
    return await storeLive({
      exec: ctx.exec,
      tool: action.tool,
      params,
      records,
      complete,
      settings: ctx.settings,
      syncContentSelector: ctx.local.syncContentSelector,
    });
  } catch (error) {
    return { skipped: `storing failed: ${(error as Error).message}` };
  }
}

function excludedAsPrivate(ctx: ReferenceToolsContext, action: ReferenceAction): (record: unknown) => boolean {
  const isPrivate = findStream(action.entity)?.isPrivate;
  return ctx.settings.includePrivateCalls || !isPrivate ? () => false : (record) => isPrivate(record) === true;
}

/** A transcript's sentences masked as configured (the only records that hold what was said). */
function maskSaid(ctx: ReferenceToolsContext, action: ReferenceAction, record: unknown): unknown {
  if (action.tool !== 'call_transcripts_list' || !record || typeof record !== 'object') return record;
  const r = record as { transcript?: Array<{ sentences?: Array<{ text?: unknown }> }> };
  if (!Array.isArray(r.transcript)) return record;
  return {
    ...r,
    transcript: r.transcript.map((segment) => ({
      ...segment,
      ...(Array.isArray(segment.sentences)
        ? { sentences: segment.sentences.map((s) => (typeof s.text === 'string' ? { ...s, text: ctx.mask(s.text) } : s)) }
        : {}),
    })),
  };
}

function takesGongCursor(action: ReferenceAction): boolean {
  return 'cursor' in action.params;
}

function withoutKey(params: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _dropped, ...rest } = params;
  return rest;
}
