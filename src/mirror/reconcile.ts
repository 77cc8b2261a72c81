import { sql } from 'kysely';
import { CursorExpiredError, GongHttpError, StoppedEarlyError } from '../errors.js';
import type { SqlExecutor } from '../db/sql-executor.js';
import type { GongClient } from '../gong/client.js';
import type { Logger } from '../logger.js';
import { SyncStateStore, type StateKey } from '../../state/sync-state-store.js';
import type { StreamDefinition, StreamSettings } from '../../streams/types.js';
import { planCallTables, removeCalls, type CallTablePlan } from './call-tables.js';
import type { DriftRecorder } from './schema-drift.js';
import { pagesOf } from '../runner/pages.js';
// Gong refuses a call list over more than 90 days: the same cap as the calls stream's windows.
import { CALL_LIST_MAX_DAYS } from '../../streams/calls.js';

const DAY_MS = 86_400_000;
export const DEFAULT_MAX_DELETE_SHARE = 0.2;

/** Reconcile stopped before removing what a window would lose: too large a share (exit 3). */
export class ReconcileSafetyStop extends StoppedEarlyError {}

export interface ReconcileOptions {
  exec: SqlExecutor;
  client: GongClient;
  /** The `calls` stream: its declaration builds the list request (GET /v2/calls). */
  callsStream: StreamDefinition;
  /** Every stream: the tables of a call are derived from their declarations. */
  streams: StreamDefinition[];
  settings: StreamSettings;
  /** Inclusive start; default: the earliest call the database holds. */
  from?: Date;
  /** Exclusive end; default: now. */
  to?: Date;
  /** Largest share of a window's calls a reconcile may remove (default 0.2). */
  maxDeleteShare?: number;
  mediaDir?: string;
  runKey: string;
  now: () => Date;
  logger: Logger;
  signal?: AbortSignal;
  drift?: DriftRecorder;
  /** Progress of its own under this name (default: one per --from/--to pair). */
  scope?: string;
}

export interface ReconcileReport {
  windows: number;
  listed: number;
  removed: string[];
  rowsRemoved: number;
  requests: number;
  rowsWritten: number;
}

/**
 * Lists the call ids of each window again (GET /v2/calls, at most 90 days a request) and removes
 * every call the database holds there that Gong no longer lists. Each window commits its removals,
 * their `_deletions` rows and the checkpoint together; a killed run resumes after the last
 * committed window. A window that would lose more than `maxDeleteShare` of its calls (a permission
 * or workspace change hides them, rather than deletes) stops the run, removing nothing there.
 */
export async function reconcile(options: ReconcileOptions): Promise<ReconcileReport> {
  const { exec, logger } = options;
  const state = new SyncStateStore(exec, options.now);
  const key: StateKey = { stream: 'reconcile', partitionKey: '', scope: scopeOf(options) };
  const saved = (await state.get(key))?.checkpoint;
  // A resumed reconcile keeps the range it froze when it began, so it ends where it would have.
  const range = saved?.window ?? (await rangeOf(options));
  const report: ReconcileReport = { windows: 0, listed: 0, removed: [], rowsRemoved: 0, requests: 0, rowsWritten: 0 };
  if (!range) {
    logger.info('reconcile: the database holds no calls; nothing to compare');
    return report;
  }
  const doneUpTo = saved?.afterId ?? range.from;
  if (saved) logger.info(`reconcile: resuming ${range.from} .. ${range.to} after ${doneUpTo}`);
  const plan = await planCallTables(exec, options.streams);
  const requestsBefore = options.client.stats.requests;
  try {
    for (const window of windowsOf(doneUpTo, range.to)) {
      if (options.signal?.aborted)
        throw new StoppedEarlyError(
          `reconcile stopped by ${String(options.signal.reason ?? 'a signal')}; run it again to continue after ${window.from}`,
        );
      const listed = await listCallIds(options, window);
      const held = await heldCallIds(exec, window);
      const gone = await confirmGone(
        options,
        held.filter((id) => !listed.has(id)),
      );
      report.windows++;
      report.listed += listed.size;
      const share = held.length === 0 ? 0 : gone.length / held.length;
      const limit = options.maxDeleteShare ?? DEFAULT_MAX_DELETE_SHARE;
      if (share > limit) {
        throw new ReconcileSafetyStop(
          `reconcile stopped: Gong no longer lists ${gone.length} of the ${held.length} calls the database holds from ${window.from} to ${window.to} ` +
            `(${Math.round(share * 100)}%, more than the ${Math.round(limit * 100)}% allowed), so nothing was removed there. ` +
            'A permission, workspace or credential change can hide calls that still exist: check them. ' +
            'If Gong really deleted them, run again with a higher --max-delete-share (or GONG_RECONCILE_MAX_DELETE_SHARE).',
        );
      }
      const last = window.to === range.to;
      const removed = await exec.transaction(async () => {
        const result = await removeGone(exec, plan, gone, window, options);
        if (last) await state.complete(key, range.to, { success: true });
        else await state.saveCheckpoint(key, { window: range, cursor: null, afterId: window.to });
        return result;
      });
      report.removed.push(...gone);
      report.rowsRemoved += removed;
      if (gone.length > 0)
        logger.info(
          `reconcile: ${gone.length} call(s) Gong no longer lists removed from ${window.from} .. ${window.to} (${removed} rows)`,
          { event: 'reconcile_removed', calls: gone.length, rows: removed },
        );
    }
  } finally {
    report.requests = options.client.stats.requests - requestsBefore;
  }
  return report;
}

async function removeGone(
  exec: SqlExecutor,
  plan: CallTablePlan,
  gone: string[],
  window: { from: string; to: string },
  options: ReconcileOptions,
): Promise<number> {
  if (gone.length === 0) return 0;
  const removed = await removeCalls(exec, plan, gone, options.mediaDir);
  const detectedAt = options.now().toISOString();
  for (const id of gone) {
    await exec.run(
      exec.db
        .insertInto('_deletions')
        .values({ call_id: id, detected_at: detectedAt, run_id: options.runKey, window_from: window.from, window_to: window.to })
        .onConflict((oc) => oc.columns(['call_id', 'detected_at']).doNothing()),
    );
  }
  return removed.rows;
}

/** Each `reconcile --from --to` has its own progress; the scheduled and default runs share theirs. */
function scopeOf(options: ReconcileOptions): string {
  if (options.scope) return `reconcile:${options.scope}`;
  return `reconcile:${options.from?.toISOString() ?? 'earliest'}..${options.to?.toISOString() ?? 'now'}`;
}

async function rangeOf(options: ReconcileOptions): Promise<{ from: string; to: string } | undefined> {
  const to = (options.to ?? options.now()).toISOString();
  if (options.from) return options.from.toISOString() < to ? { from: options.from.toISOString(), to } : undefined;
  const exec = options.exec;
  const rows = await exec.all<{ started: string | null }>(exec.db.selectFrom('calls').select('started').where('started', 'is not', null));
  let earliest = Infinity;
  for (const row of rows) earliest = Math.min(earliest, Date.parse(String(row.started)));
  if (!Number.isFinite(earliest)) return undefined;
  // From the start of that UTC day: the window holds the earliest call wherever its offset put it.
  const from = new Date(Math.floor(earliest / DAY_MS) * DAY_MS).toISOString();
  return from < to ? { from, to } : undefined;
}

/** Calls confirmed one by one when a window misses at most this many (more: the listing decides, and the safety stop guards it). */
const MAX_CONFIRMATIONS_PER_WINDOW = 50;

/**
 * A call missing from its window may have moved (Gong corrected its start time) rather than gone:
 * `GET /v2/calls/{id}` answers 404 for a deleted call ("Beyond the spec"), so each missing call is
 * asked for once, and only those Gong no longer has are removed.
 */
async function confirmGone(options: ReconcileOptions, missing: string[]): Promise<string[]> {
  const get = options.callsStream.get;
  if (!get || missing.length === 0 || missing.length > MAX_CONFIRMATIONS_PER_WINDOW) return missing;
  const gone: string[] = [];
  for (const id of missing) {
    try {
      const answer = (await options.client.request({ method: 'GET', path: get.path(id) })) as Record<string, unknown> | null;
      if (answer?.[get.recordKey])
        options.logger.info(`reconcile: call ${id} is no longer listed in its window but Gong still has it (moved): kept`);
      else gone.push(id);
    } catch (error) {
      if (!(error instanceof GongHttpError && error.status === 404)) throw error;
      gone.push(id);
    }
  }
  return gone;
}

export function windowsOf(from: string, to: string): Array<{ from: string; to: string }> {
  const windows: Array<{ from: string; to: string }> = [];
  let start = Date.parse(from);
  const end = Date.parse(to);
  while (start < end) {
    const next = Math.min(end, start + CALL_LIST_MAX_DAYS * DAY_MS);
    windows.push({ from: new Date(start).toISOString(), to: next === end ? to : new Date(next).toISOString() });
    start = next;
  }
  return windows;
}

/** Every call id Gong lists in the window, page by page through the sync's client (paced, counted); an expired cursor restarts the window. */
async function listCallIds(options: ReconcileOptions, window: { from: string; to: string }): Promise<Set<string>> {
  for (let restarts = 0; ; restarts++) {
    try {
      return await listOnce(options, window);
    } catch (error) {
      if (!(error instanceof CursorExpiredError) || restarts >= 3) throw error;
      options.logger.warn(`reconcile: Gong's cursor expired; listing ${window.from} .. ${window.to} again`);
    }
  }
}

async function listOnce(options: ReconcileOptions, window: { from: string; to: string }): Promise<Set<string>> {
  const ids = new Set<string>();
  const stream = options.callsStream;
  const pages = pagesOf({
    client: options.client,
    stream,
    input: { window, settings: options.settings },
    cursor: null,
    // Every call Gong serves counts as served, private or not.
    includePrivateCalls: true,
    signal: options.signal,
    observe: options.drift && ((spec, answer) => options.drift!.observe(spec, answer)),
  });
  for await (const page of pages) for (const record of page.records) ids.add(stream.recordId(record));
  if (options.drift) await options.drift.flush();
  return ids;
}

/** The calls the database holds that started in the window (compared as instants, whatever their offset). */
async function heldCallIds(exec: SqlExecutor, window: { from: string; to: string }): Promise<string[]> {
  const instant = (value: string | ReturnType<typeof sql.ref>) =>
    exec.database.adapter.instant(typeof value === 'string' ? sql.val(value) : value);
  const started = instant(sql.ref('started'));
  const rows = await exec.all<{ id: string }>(
    exec.db
      .selectFrom('calls')
      .select('id')
      .where(started, '>=', instant(window.from))
      .where(started, '<', instant(window.to))
      .orderBy('id'),
  );
  return rows.map((r) => String(r.id));
}
