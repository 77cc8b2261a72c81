import { sql, type Expression } from 'kysely';
import type { SqlExecutor } from '../db/sql-executor.js';
import type { Coverage, RangeCoverage } from './coverage.js';
import { canonicalJson } from './canonical-json.js';
import { byInstant, countOf, instantWhere, parseRaw, rowsByKey, storedOrder, utcInstant, type Select } from './copy-reads.js';
import { filterFields } from './reference-actions.js';
import { restoreTranscript, type StoredSentence } from '../../streams/call-transcripts.js';
import { extensiveRecords } from './extensive-records.js';
import { ACTIVITY_DAY_COLUMNS, restoreActivityDay } from '../../streams/stats-activity-day-by-day.js';
import { REVIEW_COLUMNS, restoreReview } from '../../streams/stats-activity-scorecards.js';

/** A list the copy can answer: when it was synced, and its records in Gong's order, a page at a time. */
export interface LocalList {
  syncedAt: string;
  /**
   * Set when the range asked for ends after what the sync has read: the copy is complete up to
   * this instant, and [asOf, uncoveredTo) is what only Gong can tell (asked with live: true).
   */
  asOf?: string;
  uncoveredFrom?: string;
  uncoveredTo?: string;
  read(offset: number, limit: number): Promise<{ records: unknown[]; total: number }>;
}

export interface LocalGet {
  syncedAt: string;
  record: unknown;
}

export interface LocalContext {
  exec: SqlExecutor;
  coverage: Coverage;
  /** The contentSelector the sync asks calls_extensive for (records stored with any other would differ). */
  syncContentSelector: unknown;
}

type Params = Record<string, any>;
type Planner = (p: Params, ctx: LocalContext) => Promise<LocalList | null>;

/**
 * For each list or get action, when the copy holds the complete answer and how to read it.
 * A planner returns null whenever it cannot be sure (a range never synced, a filter it does not
 * know, a parameter Gong would refuse): the call then goes live, which is always right.
 * Filter names come from the endpoint registry (src/api/actions.ts, via reference-actions).
 */
export const LOCAL_LISTS: Record<string, { when: string; plan: Planner }> = {
  users_list: {
    when: 'after a complete users sync',
    plan: async (p, ctx) => fullTable(ctx, await ctx.coverage.fullPass('users'), ctx.exec.db.selectFrom('users'), [storedOrder(ctx.exec)]),
  },
  workspaces_list: {
    when: 'after a complete workspaces sync',
    plan: async (p, ctx) =>
      fullTable(ctx, await ctx.coverage.fullPass('workspaces'), ctx.exec.db.selectFrom('workspaces'), [storedOrder(ctx.exec)]),
  },
  calls_list: {
    when: 'for a synced range (one ending after the last sync: as_of it)',
    plan: async (p, ctx) => {
      const range = dateTimeRange(p.fromDateTime, p.toDateTime);
      const covered = range && (await ctx.coverage.rangeStart(['calls', 'calls_extensive'], range.from, range.to));
      if (!range || !covered) return null;
      let base = startedIn(ctx.exec, ctx.exec.db.selectFrom('calls as c'), range);
      if (p.workspaceId !== undefined) base = base.where('c.workspace_id', '=', p.workspaceId);
      return withAsOf(fullTable(ctx, covered.syncedAt, base, [byInstant(ctx.exec, 'c.started_utc'), 'c.id'], 'c.raw'), covered, range);
    },
  },
  calls_extensive_list: {
    when: 'for a synced range (as_of the last sync) or stored callIds',
    plan: async (p, ctx) => {
      if (canonicalJson(p.contentSelector ?? null) !== canonicalJson(ctx.syncContentSelector)) return null;
      const filter: Params = p.filter ?? {};
      if (!knownFilter('calls_extensive_list', filter)) return null;
      let base = ctx.exec.db.selectFrom('calls_extensive as ce').innerJoin('calls as c', 'c.id', 'ce.id');
      let covered: RangeCoverage | null = null;
      let range: { from: number; to: number } | null = null;
      if (filter.callIds !== undefined) {
        if (filter.fromDateTime !== undefined || filter.toDateTime !== undefined) return null;
        const syncedAt = await allStored(ctx, 'calls_extensive', 'id', filter.callIds);
        if (!syncedAt) return null;
        covered = { syncedAt, completeToMs: Number.POSITIVE_INFINITY };
        base = base.where('ce.id', 'in', filter.callIds);
      } else {
        range = dateTimeRange(filter.fromDateTime, filter.toDateTime);
        covered = range && (await ctx.coverage.rangeStart(['calls_extensive'], range.from, range.to));
        if (!range || !covered) return null;
        base = startedIn(ctx.exec, base, range);
      }
      if (filter.workspaceId !== undefined) base = base.where('c.workspace_id', '=', filter.workspaceId);
      if (filter.primaryUserIds !== undefined) base = base.where('c.primary_user_id', 'in', filter.primaryUserIds);
      // raw keeps only what the tables do not hold: each record is put back together from its rows.
      const list = fullTable(
        ctx,
        covered.syncedAt,
        base,
        [byInstant(ctx.exec, 'c.started_utc'), 'c.id'],
        'ce.raw',
        undefined,
        ['ce.id as id'],
        (rows) =>
          extensiveRecords(
            ctx.exec,
            rows.map((row) => String(row.id)),
          ),
      );
      return withAsOf(list, covered, range);
    },
  },
  call_transcripts_list: {
    when: 'when every call asked for has its transcript stored',
    plan: async (p, ctx) => {
      const filter: Params = p.filter ?? {};
      if (!knownFilter('call_transcripts_list', filter)) return null;
      let calls = ctx.exec.db.selectFrom('calls as c');
      let covered: RangeCoverage | null;
      let range: { from: number; to: number } | null = null;
      if (filter.callIds !== undefined) {
        if (filter.fromDateTime !== undefined || filter.toDateTime !== undefined || filter.workspaceId !== undefined) return null;
        const syncedAt = await allStored(ctx, 'call_transcripts', 'call_id', filter.callIds);
        covered = syncedAt ? { syncedAt, completeToMs: Number.POSITIVE_INFINITY } : null;
        calls = calls.where('c.id', 'in', filter.callIds);
      } else {
        range = dateTimeRange(filter.fromDateTime, filter.toDateTime);
        covered = range && (await ctx.coverage.rangeStart(['calls', 'calls_extensive'], range.from, range.to));
        if (!range || !covered) return null;
        calls = startedIn(ctx.exec, calls, range);
        if (filter.workspaceId !== undefined) calls = calls.where('c.workspace_id', '=', filter.workspaceId);
        const missing = await countOf(
          ctx.exec,
          calls
            .select('c.id')
            .where((eb) =>
              eb.not(eb.exists(eb.selectFrom('call_transcripts as t').select('t.call_id').whereRef('t.call_id', '=', 'c.id'))),
            ),
        );
        if (missing > 0) return null;
      }
      if (!covered) return null;
      const base = calls.innerJoin('call_transcripts as t', 't.call_id', 'c.id');
      const list = fullTable(
        ctx,
        covered.syncedAt,
        base,
        [byInstant(ctx.exec, 'c.started_utc'), 'c.id'],
        't.raw',
        undefined,
        ['t.call_id as call_id'],
        async (rows) => {
          // A page's sentences in one query (the key range of each call on SQLite's compact layout).
          const sentences = await rowsByKey(
            ctx.exec,
            'transcript_sentences',
            'call_id',
            rows.map((r) => r.call_id),
            'seq',
          );
          return rows.map((row) =>
            restoreTranscript(
              parseRaw(row.raw),
              (sentences.get(String(row.call_id)) ?? []) as unknown as StoredSentence[],
              String(row.call_id),
            ),
          );
        },
      );
      return withAsOf(list, covered, range);
    },
  },
  stats_activity_aggregate_list: {
    when: 'for a month window the sync read',
    plan: (p, ctx) =>
      statsWindow(ctx, 'stats_activity_aggregate', 'stats_activity_aggregate_list', p, (rows) => rows.map((r) => parseRaw(r.raw))),
  },
  stats_interaction_list: {
    when: 'for a month window the sync read',
    plan: (p, ctx) =>
      statsWindow(ctx, 'stats_interaction', 'stats_interaction_list', p, (rows) =>
        groupByUser(rows, (first) => ({ userId: first.user_id, userEmailAddress: first.user_email_address }), 'personInteractionStats'),
      ),
  },
  stats_activity_day_by_day_list: {
    when: 'for synced days',
    plan: async (p, ctx) => {
      const filter: Params = p.filter ?? {};
      if (Object.keys(filter).some((k) => !['fromDate', 'toDate', 'userIds'].includes(k))) return null;
      if (!isDate(filter.fromDate) || !isDate(filter.toDate) || !(filter.fromDate < filter.toDate)) return null;
      const syncedAt = await ctx.coverage.dateRange(['stats_activity_day_by_day'], dayStart(filter.fromDate), dayStart(filter.toDate));
      if (!syncedAt) return null;
      let query = ctx.exec.db
        .selectFrom('stats_activity_day_by_day as d')
        .leftJoin('users as u', 'u.id', 'd.user_id')
        .select(['d.user_id', 'd.user_email_address', 'd.raw', ...ACTIVITY_DAY_COLUMNS.map((c) => `d.${c}`)] as any)
        .where('d.date', '>=', filter.fromDate)
        .where('d.date', '<', filter.toDate);
      if (filter.userIds !== undefined) query = query.where('d.user_id', 'in', filter.userIds);
      const stored = await ctx.exec.all<StatRow & Record<string, unknown>>(
        query
          .orderBy(sql.raw(storedOrder(ctx.exec, 'u')))
          .orderBy('d.user_id')
          .orderBy('d.date'),
      );
      const rows = stored.map((row) => ({ ...row, raw: restoreActivityDay(parseRaw(row.raw) as Record<string, unknown>, row) }));
      return inMemory(
        syncedAt,
        groupByUser(rows, (first) => ({ userId: first.user_id, userEmailAddress: first.user_email_address }), 'userDailyActivityStats'),
      );
    },
  },
  call_outcomes_list: {
    when: 'after a complete call_outcomes sync',
    plan: async (p, ctx) =>
      fullTable(ctx, await ctx.coverage.fullPass('call_outcomes'), ctx.exec.db.selectFrom('call_outcomes'), [storedOrder(ctx.exec)]),
  },
  settings_scorecards_list: {
    when: 'after a complete settings_scorecards sync',
    plan: (p, ctx) => settingsList(ctx, 'settings_scorecards', p),
  },
  settings_trackers_list: {
    when: 'after a complete settings_trackers sync',
    plan: (p, ctx) => settingsList(ctx, 'settings_trackers', p),
  },
  library_folders_list: {
    when: "after a complete sync of that workspace's folders",
    plan: async (p, ctx) =>
      fullTable(
        ctx,
        await ctx.coverage.fullPass('library_folders', `workspaceId=${p.workspaceId}`),
        ctx.exec.db.selectFrom('library_folders').where('workspace_id', '=', p.workspaceId),
        [storedOrder(ctx.exec)],
      ),
  },
  library_folder_content_list: {
    when: "after a complete sync of that folder's content",
    plan: async (p, ctx) =>
      fullTable(
        ctx,
        await ctx.coverage.fullPass('library_folder_content', `folderId=${p.folderId}`),
        ctx.exec.db.selectFrom('library_folder_content').where('folder_id', '=', p.folderId),
        [storedOrder(ctx.exec)],
      ),
  },
  coaching_list: {
    when: 'for a month window the sync read',
    plan: async (p, ctx) => {
      const [workspaceId, managerId] = [p['workspace-id'], p['manager-id']];
      if (typeof p.from !== 'string' || typeof p.to !== 'string' || !Number.isFinite(Date.parse(p.to))) return null;
      const syncedAt = await ctx.coverage.reaches('coaching', Date.parse(p.to), `managerId=${managerId}&workspaceId=${workspaceId}`);
      if (!syncedAt) return null;
      const rows = await ctx.exec.all<{ raw: unknown }>(
        ctx.exec.db
          .selectFrom('coaching')
          .select('raw')
          .where('workspace_id', '=', workspaceId)
          .where('manager_id', '=', managerId)
          .where('from_date', '=', p.from)
          .where('to_date', '=', p.to)
          .orderBy(sql.raw(storedOrder(ctx.exec))),
      );
      const records = rows.map((r) => parseRaw(r.raw) as Record<string, unknown>);
      // Stored per report from Gong's per-manager shape: that record cannot be rebuilt, so Gong answers.
      if (records.length === 0 || records.some((r) => r.userId === undefined)) return null;
      return inMemory(syncedAt, records);
    },
  },
  stats_activity_scorecards_list: {
    when: 'for a synced reviewFromDate..reviewToDate range',
    plan: async (p, ctx) => {
      const filter: Params = p.filter ?? {};
      if (!knownFilter('stats_activity_scorecards_list', filter)) return null;
      if (!isDate(filter.reviewFromDate) || !isDate(filter.reviewToDate)) return null;
      if ([filter.callFromDate, filter.callToDate].some((d) => d !== undefined && !isDate(d))) return null;
      const syncedAt = await ctx.coverage.dateRange(
        ['stats_activity_scorecards'],
        dayStart(filter.reviewFromDate),
        dayStart(filter.reviewToDate),
      );
      if (!syncedAt) return null;
      let base = ctx.exec.db
        .selectFrom('stats_activity_scorecards')
        .where(instantWhere(ctx.exec, 'review_time_utc', '>=', dayStart(filter.reviewFromDate)))
        .where(instantWhere(ctx.exec, 'review_time_utc', '<', dayStart(filter.reviewToDate)));
      if (filter.callFromDate) base = base.where(instantWhere(ctx.exec, 'call_start_time_utc', '>=', dayStart(filter.callFromDate)));
      if (filter.callToDate) base = base.where(instantWhere(ctx.exec, 'call_start_time_utc', '<', dayStart(filter.callToDate)));
      if (filter.scorecardIds) base = base.where('scorecard_id', 'in', filter.scorecardIds);
      if (filter.reviewedUserIds) base = base.where('reviewed_user_id', 'in', filter.reviewedUserIds);
      // The sync reads both review methods; one of them is a filter on the copy.
      if (filter.reviewMethod !== undefined && filter.reviewMethod !== 'BOTH') base = base.where('review_method', '=', filter.reviewMethod);
      return fullTable(
        ctx,
        syncedAt,
        base,
        [byInstant(ctx.exec, 'review_time_utc'), 'answered_scorecard_id'],
        'raw',
        undefined,
        REVIEW_COLUMNS,
        async (rows) => {
          const answers = await rowsByKey(
            ctx.exec,
            'scorecard_answers',
            'answered_scorecard_id',
            rows.map((r) => r.answered_scorecard_id),
          );
          return rows.map((row) => restoreReview(parseRaw(row.raw), row, answers.get(String(row.answered_scorecard_id)) ?? []));
        },
      );
    },
  },
};

export const LOCAL_GETS: Record<string, { when: string; get(p: Params, ctx: LocalContext): Promise<LocalGet | null> }> = {
  users_get: { when: 'when the user is stored', get: (p, ctx) => storedRecord(ctx, 'users', p.id) },
  calls_get: { when: 'when the call is stored', get: (p, ctx) => storedRecord(ctx, 'calls', p.id) },
};

interface StatRow {
  user_id: string;
  user_email_address: string | null;
  raw: unknown;
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Both ends given, valid ISO-8601 date-times, in order: otherwise Gong decides (it may refuse). */
function dateTimeRange(from: unknown, to: unknown): { from: number; to: number } | null {
  if (typeof from !== 'string' || typeof to !== 'string' || !ISO_DATETIME.test(from) || !ISO_DATETIME.test(to)) return null;
  const range = { from: Date.parse(from), to: Date.parse(to) };
  return Number.isFinite(range.from) && Number.isFinite(range.to) && range.from < range.to ? range : null;
}

/** Calls that started in [from, to), compared on the UTC copy of the start (the same instant on both databases). */
function startedIn<T extends Select>(exec: SqlExecutor, query: T, range: { from: number; to: number }): T {
  return query.where(instantWhere(exec, 'c.started_utc', '>=', range.from)).where(instantWhere(exec, 'c.started_utc', '<', range.to)) as T;
}

/** Only filter fields the endpoint registry declares for this action (an unknown one: Gong decides). */
function knownFilter(tool: string, filter: Params): boolean {
  const known = filterFields(tool);
  return Object.keys(filter).every((k) => known.includes(k));
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && Number.isFinite(Date.parse(`${value}T00:00:00Z`));
}

const dayStart = (date: string) => Date.parse(`${date}T00:00:00Z`);

/** A range the copy holds only up to some instant: answered as of then, the rest named. */
function withAsOf(list: LocalList | null, covered: RangeCoverage, range: { from: number; to: number } | null): LocalList | null {
  if (!list || !range || covered.completeToMs >= range.to) return list;
  return {
    ...list,
    asOf: utcInstant(covered.completeToMs),
    uncoveredFrom: utcInstant(Math.max(range.from, covered.completeToMs)),
    uncoveredTo: utcInstant(range.to),
  };
}

function fullTable(
  ctx: LocalContext,
  syncedAt: string | null,
  base: Select,
  orderBy: Array<string | Expression<unknown>>,
  rawColumn = 'raw',
  toRecord: (row: { raw: unknown } & Record<string, any>) => unknown = (row) => parseRaw(row.raw),
  extraColumns: string[] = [],
  /** A page's records at once, where reading them row by row would take queries per row. */
  toRecords: (rows: Array<{ raw: unknown } & Record<string, any>>) => Promise<unknown[]> = (rows) => Promise.all(rows.map(toRecord)),
): LocalList | null {
  if (!syncedAt) return null;
  return {
    syncedAt,
    async read(offset, limit) {
      const total = await countOf(ctx.exec, base);
      let page = base.select([`${rawColumn} as raw`, ...extraColumns] as any);
      for (const column of orderBy) page = page.orderBy(typeof column === 'string' ? sql.raw(column) : column);
      const rows = await ctx.exec.all<{ raw: unknown } & Record<string, any>>(page.limit(limit).offset(offset));
      return { records: await toRecords(rows), total };
    },
  };
}

function inMemory(syncedAt: string, records: unknown[]): LocalList {
  return { syncedAt, read: async (offset, limit) => ({ records: records.slice(offset, offset + limit), total: records.length }) };
}

/** When every id has a row in the table; null if any is missing (it may be new in Gong). */
async function allStored(ctx: LocalContext, table: string, column: string, ids: string[]): Promise<string | null> {
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) return null;
  const row = await ctx.exec.get<{ n: unknown; at: string | null }>(
    ctx.exec.db
      .selectFrom(table)
      .select((eb) => [eb.fn.count(column).distinct().as('n'), eb.fn.max('synced_at').as('at')])
      .where(column, 'in', ids),
  );
  return row && Number(row.n) === new Set(ids).size ? String(row.at) : null;
}

async function storedRecord(ctx: LocalContext, table: 'users' | 'calls', id: unknown): Promise<LocalGet | null> {
  const row = await ctx.exec.get<{ raw: unknown; synced_at: string }>(
    ctx.exec.db.selectFrom(table).select(['raw', 'synced_at']).where('id', '=', String(id)),
  );
  return row ? { syncedAt: String(row.synced_at), record: parseRaw(row.raw) } : null;
}

async function settingsList(ctx: LocalContext, table: 'settings_scorecards' | 'settings_trackers', p: Params): Promise<LocalList | null> {
  let base = ctx.exec.db.selectFrom(table);
  if (p.workspaceId !== undefined)
    base = base.where((eb) => eb.or([eb('workspace_id', '=', p.workspaceId), eb('workspace_id', 'is', null)]));
  return fullTable(ctx, await ctx.coverage.fullPass(table), base, [storedOrder(ctx.exec)]);
}

/** Monthly stats are stored per window: the copy answers exactly the windows the sync read. */
async function statsWindow(
  ctx: LocalContext,
  table: 'stats_activity_aggregate' | 'stats_interaction',
  tool: string,
  p: Params,
  toRecords: (rows: StatRow[]) => unknown[],
): Promise<LocalList | null> {
  const filter: Params = p.filter ?? {};
  if (Object.keys(filter).some((k) => !['fromDate', 'toDate', 'userIds'].includes(k)) || !knownFilter(tool, filter)) return null;
  if (!isDate(filter.fromDate) || !isDate(filter.toDate)) return null;
  const syncedAt = await ctx.coverage.reaches(table, dayStart(filter.toDate));
  if (!syncedAt) return null;
  const window = ctx.exec.db.selectFrom(table).where('from_date', '=', filter.fromDate).where('to_date', '=', filter.toDate);
  if ((await countOf(ctx.exec, window)) === 0) return null;
  const selected = filter.userIds !== undefined ? window.where('user_id', 'in', filter.userIds) : window;
  const rows = await ctx.exec.all<StatRow>(
    selected.select(['user_id', 'user_email_address', 'raw']).orderBy(sql.raw(storedOrder(ctx.exec))),
  );
  return inMemory(syncedAt, toRecords(rows));
}

/** Rows stored one per item (a day, a stat) back into one record per user, in stored order. */
function groupByUser(rows: StatRow[], head: (first: StatRow) => Record<string, unknown>, itemsKey: string): unknown[] {
  const byUser = new Map<string, Record<string, unknown> & { items: unknown[] }>();
  for (const row of rows) {
    let record = byUser.get(row.user_id);
    if (!record) byUser.set(row.user_id, (record = { ...head(row), items: [] }));
    record.items.push(parseRaw(row.raw));
  }
  return [...byUser.values()].map(({ items, ...rest }) => ({ ...rest, [itemsKey]: items }));
}
