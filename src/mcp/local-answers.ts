import type { SqlExecutor } from '../db/sql-executor.js';
import { sqliteOf } from '../db/database.js';
import type { Coverage } from './coverage.js';
import { canonicalJson } from './canonical-json.js';
import { restoreTranscript, type StoredSentence } from '../../streams/call-transcripts.js';

const driverOf = (ctx: LocalContext) => sqliteOf(ctx.exec.database);

/** A list the copy can answer: when it was synced, and its records in Gong's order, a page at a time. */
export interface LocalList {
  syncedAt: string;
  read(offset: number, limit: number): { records: unknown[]; total: number };
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

/**
 * For each list or get action, when the copy holds the complete answer and how to read it.
 * A planner returns null whenever it cannot be sure (a range never synced, a filter it does not
 * know, a parameter Gong would refuse): the call then goes live, which is always right.
 */
export const LOCAL_LISTS: Record<string, { when: string; plan(p: Params, ctx: LocalContext): LocalList | null }> = {
  users_list: {
    when: 'after a complete users sync',
    plan: (p, ctx) => fullTable(ctx, ctx.coverage.fullPass('users'), 'select raw from users', [], 'rowid'),
  },
  workspaces_list: {
    when: 'after a complete workspaces sync',
    plan: (p, ctx) => fullTable(ctx, ctx.coverage.fullPass('workspaces'), 'select raw from workspaces', [], 'rowid'),
  },
  calls_list: {
    when: 'when fromDateTime and toDateTime are both given and the calls sync has read that range',
    plan: (p, ctx) => {
      const range = dateTimeRange(p.fromDateTime, p.toDateTime);
      const syncedAt = range && ctx.coverage.dateRange(['calls', 'calls_extensive'], range.from, range.to);
      if (!syncedAt) return null;
      const where = ['julianday(started) >= julianday(?)', 'julianday(started) < julianday(?)'];
      const args: unknown[] = [p.fromDateTime, p.toDateTime];
      if (p.workspaceId !== undefined) where.push('workspace_id = ?'), args.push(p.workspaceId);
      return fullTable(ctx, syncedAt, `select raw from calls where ${where.join(' and ')}`, args, 'julianday(started), id');
    },
  },
  calls_extensive_list: {
    when: "when contentSelector equals the sync's (see below) and the calls are in a synced range (fromDateTime and toDateTime) or all stored (callIds)",
    plan: (p, ctx) => {
      if (canonicalJson(p.contentSelector ?? null) !== canonicalJson(ctx.syncContentSelector)) return null;
      const filter: Params = p.filter ?? {};
      if (Object.keys(filter).some((k) => !['fromDateTime', 'toDateTime', 'callIds', 'workspaceId', 'primaryUserIds'].includes(k))) return null;
      const where: string[] = [];
      const args: unknown[] = [];
      let syncedAt: string | null;
      if (filter.callIds !== undefined) {
        if (filter.fromDateTime !== undefined || filter.toDateTime !== undefined) return null;
        syncedAt = allStored(ctx, 'calls_extensive', 'id', filter.callIds);
        where.push(`ce.id in (${marks(filter.callIds)})`), args.push(...filter.callIds);
      } else {
        const range = dateTimeRange(filter.fromDateTime, filter.toDateTime);
        syncedAt = range && ctx.coverage.dateRange(['calls_extensive'], range.from, range.to);
        where.push('julianday(c.started) >= julianday(?)', 'julianday(c.started) < julianday(?)'), args.push(filter.fromDateTime, filter.toDateTime);
      }
      if (!syncedAt) return null;
      if (filter.workspaceId !== undefined) where.push('c.workspace_id = ?'), args.push(filter.workspaceId);
      if (filter.primaryUserIds !== undefined) where.push(`c.primary_user_id in (${marks(filter.primaryUserIds)})`), args.push(...filter.primaryUserIds);
      return fullTable(ctx, syncedAt, `select ce.raw from calls_extensive ce join calls c on c.id = ce.id where ${where.join(' and ')}`, args, 'julianday(c.started), c.id');
    },
  },
  call_transcripts_list: {
    when: 'when every call asked for (callIds, or all calls of a synced fromDateTime..toDateTime range) has its transcript stored',
    plan: (p, ctx) => {
      const filter: Params = p.filter ?? {};
      if (Object.keys(filter).some((k) => !['fromDateTime', 'toDateTime', 'callIds', 'workspaceId'].includes(k))) return null;
      const where: string[] = [];
      const args: unknown[] = [];
      let syncedAt: string | null;
      if (filter.callIds !== undefined) {
        if (filter.fromDateTime !== undefined || filter.toDateTime !== undefined || filter.workspaceId !== undefined) return null;
        syncedAt = allStored(ctx, 'call_transcripts', 'call_id', filter.callIds);
        where.push(`c.id in (${marks(filter.callIds)})`), args.push(...filter.callIds);
      } else {
        const range = dateTimeRange(filter.fromDateTime, filter.toDateTime);
        syncedAt = range && ctx.coverage.dateRange(['calls', 'calls_extensive'], range.from, range.to);
        where.push('julianday(c.started) >= julianday(?)', 'julianday(c.started) < julianday(?)'), args.push(filter.fromDateTime, filter.toDateTime);
        if (filter.workspaceId !== undefined) where.push('c.workspace_id = ?'), args.push(filter.workspaceId);
        const missing = sqliteOf(ctx.exec.database)
          .prepare(`select count(*) as n from calls c where ${where.join(' and ')} and not exists (select 1 from call_transcripts t where t.call_id = c.id)`)
          .get(...args) as { n: number };
        if (missing.n > 0) return null;
      }
      if (!syncedAt) return null;
      const sentences = driverOf(ctx).prepare('select start_ms, end_ms, text from transcript_sentences where call_id = ? order by seq');
      return fullTable(
        ctx,
        syncedAt,
        `select t.raw, t.call_id from call_transcripts t join calls c on c.id = t.call_id where ${where.join(' and ')}`,
        args,
        'julianday(c.started), c.id',
        (row) => restoreTranscript(JSON.parse(row.raw), sentences.all(row.call_id) as StoredSentence[]),
      );
    },
  },
  stats_activity_aggregate_list: {
    when: 'when filter.fromDate..toDate is a window the sync read (a calendar month, or the current month up to the sync day)',
    plan: (p, ctx) => statsWindow(ctx, 'stats_activity_aggregate', p, (rows) => rows.map((r) => JSON.parse(r.raw))),
  },
  stats_interaction_list: {
    when: 'when filter.fromDate..toDate is a window the sync read (a calendar month, or the current month up to the sync day)',
    plan: (p, ctx) =>
      statsWindow(ctx, 'stats_interaction', p, (rows) =>
        groupByUser(rows, (first) => ({ userId: first.user_id, userEmailAddress: first.user_email_address }), 'personInteractionStats'),
      ),
  },
  stats_activity_day_by_day_list: {
    when: 'when the sync has read every day of filter.fromDate..toDate',
    plan: (p, ctx) => {
      const filter: Params = p.filter ?? {};
      if (Object.keys(filter).some((k) => !['fromDate', 'toDate', 'userIds'].includes(k))) return null;
      if (!isDate(filter.fromDate) || !isDate(filter.toDate) || !(filter.fromDate < filter.toDate)) return null;
      const syncedAt = ctx.coverage.dateRange(['stats_activity_day_by_day'], Date.parse(`${filter.fromDate}T00:00:00Z`), Date.parse(`${filter.toDate}T00:00:00Z`));
      if (!syncedAt) return null;
      const where = ['d.date >= ?', 'd.date < ?'];
      const args: unknown[] = [filter.fromDate, filter.toDate];
      if (filter.userIds !== undefined) where.push(`d.user_id in (${marks(filter.userIds)})`), args.push(...filter.userIds);
      const rows = sqliteOf(ctx.exec.database)
        .prepare(`select d.user_id, d.user_email_address, d.raw from stats_activity_day_by_day d left join users u on u.id = d.user_id where ${where.join(' and ')} order by u.rowid, d.user_id, d.date`)
        .all(...args) as StatRow[];
      const records = groupByUser(rows, (first) => ({ userId: first.user_id, userEmailAddress: first.user_email_address }), 'userDailyActivityStats');
      return inMemory(syncedAt, records);
    },
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
    plan: (p, ctx) =>
      fullTable(ctx, ctx.coverage.fullPass('library_folders', `workspaceId=${p.workspaceId}`), 'select raw from library_folders where workspace_id = ?', [p.workspaceId], 'rowid'),
  },
  library_folder_content_list: {
    when: "after a complete sync of that folder's content",
    plan: (p, ctx) =>
      fullTable(ctx, ctx.coverage.fullPass('library_folder_content', `folderId=${p.folderId}`), 'select raw from library_folder_content where folder_id = ?', [p.folderId], 'rowid'),
  },
  coaching_list: {
    when: 'when from..to is a month window the sync read for that workspace and manager',
    plan: (p, ctx) => {
      const [workspaceId, managerId] = [p['workspace-id'], p['manager-id']];
      if (typeof p.from !== 'string' || typeof p.to !== 'string' || !Number.isFinite(Date.parse(p.to))) return null;
      const syncedAt = ctx.coverage.reaches('coaching', Date.parse(p.to), `managerId=${managerId}&workspaceId=${workspaceId}`);
      if (!syncedAt) return null;
      const rows = sqliteOf(ctx.exec.database)
        .prepare('select raw from coaching where workspace_id = ? and manager_id = ? and from_date = ? and to_date = ? order by rowid')
        .all(workspaceId, managerId, p.from, p.to) as Array<{ raw: string }>;
      const records = rows.map((r) => JSON.parse(r.raw) as Record<string, unknown>);
      // Stored per report from Gong's per-manager shape: that record cannot be rebuilt, so Gong answers.
      if (records.length === 0 || records.some((r) => r.userId === undefined)) return null;
      return inMemory(syncedAt, records);
    },
  },
  stats_activity_scorecards_list: {
    when: 'when filter.reviewFromDate and reviewToDate are given and the sync has read that range (filters: callFromDate, callToDate, scorecardIds, reviewedUserIds)',
    plan: (p, ctx) => {
      const filter: Params = p.filter ?? {};
      const known = ['reviewFromDate', 'reviewToDate', 'callFromDate', 'callToDate', 'scorecardIds', 'reviewedUserIds'];
      if (Object.keys(filter).some((k) => !known.includes(k))) return null;
      if (!isDate(filter.reviewFromDate) || !isDate(filter.reviewToDate)) return null;
      if ([filter.callFromDate, filter.callToDate].some((d) => d !== undefined && !isDate(d))) return null;
      const syncedAt = ctx.coverage.dateRange(['stats_activity_scorecards'], Date.parse(`${filter.reviewFromDate}T00:00:00Z`), Date.parse(`${filter.reviewToDate}T00:00:00Z`));
      if (!syncedAt) return null;
      const where = ["julianday(review_time) >= julianday(? || 'T00:00:00Z')", "julianday(review_time) < julianday(? || 'T00:00:00Z')"];
      const args: unknown[] = [filter.reviewFromDate, filter.reviewToDate];
      if (filter.callFromDate) where.push("julianday(call_start_time) >= julianday(? || 'T00:00:00Z')"), args.push(filter.callFromDate);
      if (filter.callToDate) where.push("julianday(call_start_time) < julianday(? || 'T00:00:00Z')"), args.push(filter.callToDate);
      if (filter.scorecardIds) where.push(`scorecard_id in (${marks(filter.scorecardIds)})`), args.push(...filter.scorecardIds);
      if (filter.reviewedUserIds) where.push(`reviewed_user_id in (${marks(filter.reviewedUserIds)})`), args.push(...filter.reviewedUserIds);
      return fullTable(ctx, syncedAt, `select raw from stats_activity_scorecards where ${where.join(' and ')}`, args, 'julianday(review_time), answered_scorecard_id');
    },
  },
};

export const LOCAL_GETS: Record<string, { when: string; get(p: Params, ctx: LocalContext): LocalGet | null }> = {
  users_get: { when: 'when the user is stored', get: (p, ctx) => storedRecord(ctx, 'select raw, synced_at from users where id = ?', p.id) },
  calls_get: { when: 'when the call is stored', get: (p, ctx) => storedRecord(ctx, 'select raw, synced_at from calls where id = ?', p.id) },
};

interface StatRow {
  user_id: string;
  user_email_address: string | null;
  raw: string;
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Both ends given, valid ISO-8601 date-times, in order: otherwise Gong decides (it may refuse). */
function dateTimeRange(from: unknown, to: unknown): { from: number; to: number } | null {
  if (typeof from !== 'string' || typeof to !== 'string' || !ISO_DATETIME.test(from) || !ISO_DATETIME.test(to)) return null;
  const range = { from: Date.parse(from), to: Date.parse(to) };
  return Number.isFinite(range.from) && Number.isFinite(range.to) && range.from < range.to ? range : null;
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && Number.isFinite(Date.parse(`${value}T00:00:00Z`));
}

const marks = (values: unknown[]) => values.map(() => '?').join(', ');

function fullTable(
  ctx: LocalContext,
  syncedAt: string | null,
  select: string,
  args: unknown[],
  orderBy: string,
  toRecord: (row: { raw: string } & Record<string, unknown>) => unknown = (row) => JSON.parse(row.raw),
): LocalList | null {
  if (!syncedAt) return null;
  const sqlite = sqliteOf(ctx.exec.database);
  return {
    syncedAt,
    read(offset, limit) {
      const total = (sqlite.prepare(`select count(*) as n from (${select})`).get(...args) as { n: number }).n;
      const rows = sqlite.prepare(`${select} order by ${orderBy} limit ? offset ?`).all(...args, limit, offset) as Array<{ raw: string }>;
      return { records: rows.map(toRecord), total };
    },
  };
}

function inMemory(syncedAt: string, records: unknown[]): LocalList {
  return { syncedAt, read: (offset, limit) => ({ records: records.slice(offset, offset + limit), total: records.length }) };
}

/** When every id has a row in the table; null if any is missing (it may be new in Gong). */
function allStored(ctx: LocalContext, table: string, column: string, ids: string[]): string | null {
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) return null;
  const row = sqliteOf(ctx.exec.database)
    .prepare(`select count(distinct ${column}) as n, max(synced_at) as at from ${table} where ${column} in (${marks(ids)})`)
    .get(...ids) as { n: number; at: string | null };
  return row.n === new Set(ids).size ? row.at : null;
}

function storedRecord(ctx: LocalContext, select: string, id: unknown): LocalGet | null {
  const row = sqliteOf(ctx.exec.database).prepare(select).get(String(id)) as { raw: string; synced_at: string } | undefined;
  return row ? { syncedAt: row.synced_at, record: JSON.parse(row.raw) } : null;
}

function settingsList(ctx: LocalContext, table: 'settings_scorecards' | 'settings_trackers', p: Params): LocalList | null {
  const byWorkspace = p.workspaceId !== undefined;
  return fullTable(
    ctx,
    ctx.coverage.fullPass(table),
    `select raw from ${table}${byWorkspace ? ' where workspace_id = ? or workspace_id is null' : ''}`,
    byWorkspace ? [p.workspaceId] : [],
    'rowid',
  );
}

/** Monthly stats are stored per window: the copy answers exactly the windows the sync read. */
function statsWindow(ctx: LocalContext, table: 'stats_activity_aggregate' | 'stats_interaction', p: Params, toRecords: (rows: StatRow[]) => unknown[]): LocalList | null {
  const filter: Params = p.filter ?? {};
  if (Object.keys(filter).some((k) => !['fromDate', 'toDate', 'userIds'].includes(k))) return null;
  if (!isDate(filter.fromDate) || !isDate(filter.toDate)) return null;
  const syncedAt = ctx.coverage.reaches(table, Date.parse(`${filter.toDate}T00:00:00Z`));
  if (!syncedAt) return null;
  const sqlite = sqliteOf(ctx.exec.database);
  const window = [filter.fromDate, filter.toDate];
  const read = (sqlite.prepare(`select count(*) as n from ${table} where from_date = ? and to_date = ?`).get(...window) as { n: number }).n;
  if (read === 0) return null;
  const where = ['from_date = ?', 'to_date = ?'];
  const args: unknown[] = [...window];
  if (filter.userIds !== undefined) where.push(`user_id in (${marks(filter.userIds)})`), args.push(...filter.userIds);
  const rows = sqlite.prepare(`select user_id, user_email_address, raw from ${table} where ${where.join(' and ')} order by rowid`).all(...args) as StatRow[];
  return inMemory(syncedAt, toRecords(rows));
}

/** Rows stored one per item (a day, a stat) back into one record per user, in stored order. */
function groupByUser(rows: StatRow[], head: (first: StatRow) => Record<string, unknown>, itemsKey: string): unknown[] {
  const byUser = new Map<string, Record<string, unknown> & { items: unknown[] }>();
  for (const row of rows) {
    let record = byUser.get(row.user_id);
    if (!record) byUser.set(row.user_id, (record = { ...head(row), items: [] }));
    record.items.push(JSON.parse(row.raw));
  }
  return [...byUser.values()].map(({ items, ...rest }) => ({ ...rest, [itemsKey]: items }));
}
