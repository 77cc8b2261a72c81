import { DailyBudgetSpentError } from '../errors.js';
import type { GongClient } from '../gong/client.js';
import type { DateWindow, RequestInput, Row, StreamDefinition, StreamSettings } from '../../streams/types.js';
import { pagesOf } from '../runner/pages.js';
import { boundTime } from '../runner/date-windows.js';
import { firstPassWindows, type PassScope } from '../runner/pass-windows.js';

/** `gong-sync plan` spends at most this many requests finding out. */
export const MAX_PROBES = 20;
const DAY_MS = 86_400_000;
/** Gong's page size where an answer does not say. */
const DEFAULT_PAGE_SIZE = 100;

export interface PlanOptions extends PassScope {
  client: GongClient;
  /** The selected streams, in registry order (as a sync would run them). */
  streams: StreamDefinition[];
  settings: StreamSettings;
  dailyBudget: number;
  /** Requests already spent today (the budget left today comes first). */
  usedToday: number;
  requestsPerSecond: number;
  /** Whether the sync will run its connection check first (one request). */
  connectionCheck: boolean;
  maxProbes?: number;
}

export interface StreamEstimate {
  requests: number;
  /** Records the stream is expected to read (where the probes tell). */
  records?: number;
  windows?: number;
  partitions?: number;
}

export interface Plan {
  from: string;
  to: string;
  requests: number;
  /** `requests` over the daily budget. */
  days: number;
  /** When the sync would end, sending at the rate limit and waiting for each new UTC day's budget. */
  eta: string;
  etaSeconds: number;
  probes: number;
  streams: Record<string, StreamEstimate>;
}

interface Probe {
  total: number;
  /** Records on the probed page. */
  records: number;
  pageSize: number;
  rows: Record<string, Row[]>;
}

/**
 * Estimates the requests of a first sync (or backfill) from at most 20 cheap probes: the first
 * page of requests the sync itself will send, whose `totalRecords` tells how many pages follow.
 * The windows are the runner's own (pass-windows.ts); partitions come from the probed parents'
 * rows; transcripts from the estimated calls, 100 ids a request.
 */
export async function estimatePlan(options: PlanOptions): Promise<Plan> {
  const maxProbes = options.maxProbes ?? MAX_PROBES;
  const selected = options.streams.filter((s) => !(s.coveredBy && options.streams.some((o) => o.name === s.coveredBy)));
  const needing = selected.filter((s) => needsProbe(s, selected));
  const parentTables = new Set(selected.flatMap((s) => (s.replication.kind === 'parent_ids' ? [s.replication.parent.table] : [])));
  let probes = 0;
  let budgetSpent = false;
  const rowsByTable = new Map<string, { rows: Row[]; scale: number }>();
  const countByTable = new Map<string, number>();
  const newestCountByTable = new Map<string, number>();
  const streams: Record<string, StreamEstimate> = {};

  const probe = async (stream: StreamDefinition, input: Omit<RequestInput, 'settings'>): Promise<Probe | undefined> => {
    if (probes >= maxProbes || budgetSpent) return undefined;
    const full = { ...input, settings: options.settings };
    const pages = pagesOf({ client: options.client, stream, input: full, cursor: null, includePrivateCalls: true });
    let first: Awaited<ReturnType<typeof pages.next>>;
    try {
      first = await pages.next();
    } catch (error) {
      // Today's budget ends mid-plan: estimate from what the probes so far tell.
      if (!(error instanceof DailyBudgetSpentError)) throw error;
      budgetSpent = true;
      return undefined;
    }
    probes++;
    await pages.return(undefined);
    for (const page of first.done ? [] : [first.value]) {
      const rows: Record<string, Row[]> = {};
      for (const record of page.records) {
        try {
          for (const [table, tableRows] of Object.entries(stream.toRows(record, full))) (rows[table] ??= []).push(...tableRows);
        } catch {
          // a record the sync would reject still costs its page
        }
      }
      const pageSize = page.next ? page.records.length : Math.max(page.records.length, DEFAULT_PAGE_SIZE);
      return { total: page.totalRecords ?? page.records.length, records: page.records.length, pageSize: Math.max(1, pageSize), rows };
    }
    return { total: 0, records: 0, pageSize: DEFAULT_PAGE_SIZE, rows: {} };
  };
  const remember = (stream: StreamDefinition, result: Probe | undefined, scale: number) => {
    for (const table of stream.tables) {
      const rows = result?.rows[table.name] ?? [];
      const pageScale = result && result.records > 0 ? Math.max(1, result.total / result.records) : 1;
      rowsByTable.set(table.name, { rows, scale: scale * pageScale });
    }
  };

  for (const stream of selected) {
    const replication = stream.replication;
    const partitions = partitionsOf(stream, rowsByTable);
    const count = partitions.count;
    if (replication.kind === 'full_refresh') {
      if (options.range) continue; // a backfill skips streams that are not date-based
      let pagesEach = 1;
      if (count > 0 && needsProbe(stream, selected)) {
        const result = await probe(stream, { partition: partitions.first });
        if (result && stream.paginated) pagesEach = pagesFor(result.total, result.pageSize);
        remember(stream, result, count);
      }
      streams[stream.name] = { requests: count * pagesEach, ...(stream.partitions ? { partitions: count } : {}) };
    } else if (replication.kind === 'date_windows') {
      const windows = firstPassWindows(replication, options);
      if (!stream.paginated || count === 0) {
        streams[stream.name] = {
          requests: count * windows.length,
          windows: windows.length,
          ...(stream.partitions ? { partitions: count } : {}),
        };
        continue;
      }
      // The newest window always, the one before it while probes last (it tells whether the records
      // grow with the window's length); more windows for the streams transcripts hang on.
      const feedsParents = stream.tables.some((t) => parentTables.has(t.name));
      const reservedAfter = needing.slice(needing.indexOf(stream) + 1).length;
      const probed: Array<{ window: DateWindow; result: Probe }> = [];
      for (const window of windows) {
        if (probed.length > 0 && (probes + 1 + reservedAfter > maxProbes || (probed.length >= 2 && !feedsParents))) break;
        const result = await probe(stream, { window, partition: partitions.first });
        if (!result) break;
        probed.push({ window, result });
      }
      const perWindow = recordsPerWindow(probed, Boolean(replication.alignToMonths && !options.range));
      const pageSize = probed.find((p) => p.result.total > 0)?.result.pageSize ?? DEFAULT_PAGE_SIZE;
      let requests = 0;
      let records = 0;
      windows.forEach((window, index) => {
        const total = probed[index]?.result.total ?? perWindow(window);
        records += total;
        requests += pagesFor(total, pageSize);
      });
      for (const table of stream.tables) {
        countByTable.set(table.name, Math.round(records * count));
        newestCountByTable.set(table.name, Math.round((probed[0]?.result.total ?? 0) * count));
      }
      remember(stream, probed[0]?.result, count);
      streams[stream.name] = {
        requests: requests * count,
        records: Math.round(records * count),
        windows: windows.length,
        ...(stream.partitions ? { partitions: count } : {}),
      };
    } else {
      // Parent-fed (transcripts): the newest parents first, then the rest, `batchSize` ids a request.
      const parents = countByTable.get(replication.parent.table) ?? 0;
      const newest = Math.min(parents, newestCountByTable.get(replication.parent.table) ?? 0);
      const batches = Math.ceil(newest / replication.batchSize) + Math.ceil((parents - newest) / replication.batchSize);
      streams[stream.name] = { requests: batches * Math.max(1, count), records: parents };
    }
  }

  const connection = options.connectionCheck ? 1 : 0;
  if (connection) streams.connection_check = { requests: 1 };
  const requests = Object.values(streams).reduce((sum, s) => sum + s.requests, 0);
  const etaSeconds = etaOf(requests, options);
  const to = options.range?.to ?? options.runStartedAt.toISOString();
  return {
    from: (options.range ? new Date(boundTime(options.range.from)) : options.startDate).toISOString().slice(0, 10),
    to: to.slice(0, 10),
    requests,
    days: Math.round((requests / Math.max(1, options.dailyBudget)) * 100) / 100,
    eta: new Date(options.runStartedAt.getTime() + etaSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    etaSeconds,
    probes,
    streams,
  };
}

/**
 * Records in an unprobed window. Calls and reviews grow with the window's length; statistics per
 * user do not (a month and a year hold one record per user): two probed windows of different
 * lengths with about the same count say which; month windows are alike.
 */
function recordsPerWindow(probed: Array<{ window: DateWindow; result: Probe }>, months: boolean): (window: DateWindow) => number {
  if (probed.length === 0) return () => 0;
  const counts = probed.map((p) => p.result.total);
  const constant = Math.max(...counts);
  if (months) return () => constant;
  if (probed.length >= 2) {
    const [a, b] = [probed[0]!, probed[1]!];
    const lengthRatio = daysOf(b.window) / Math.max(daysOf(a.window), 1e-9);
    const countRatio = (b.result.total + 1) / (a.result.total + 1);
    if (lengthRatio > 2 && countRatio < 1.5) return () => constant;
  }
  const days = probed.reduce((sum, p) => sum + daysOf(p.window), 0);
  const density = days > 0 ? counts.reduce((sum, c) => sum + c, 0) / days : 0;
  return (window) => density * daysOf(window);
}

/** A stream needs a probe when its pages are unknown, or when later streams are partitioned by its rows. */
function needsProbe(stream: StreamDefinition, selected: StreamDefinition[]): boolean {
  if (stream.replication.kind === 'parent_ids') return false;
  const feedsPartitions = selected.some((s) => s.partitions?.sources.some((src) => stream.tables.some((t) => t.name === src.table)));
  return stream.paginated || feedsPartitions;
}

/** How many partitions a stream will have, from the rows probed of its source tables (scaled when only a page was seen). */
function partitionsOf(
  stream: StreamDefinition,
  rowsByTable: Map<string, { rows: Row[]; scale: number }>,
): { count: number; first?: Record<string, string> } {
  if (!stream.partitions) return { count: 1 };
  let count = 1;
  const first: Record<string, string> = {};
  for (const source of stream.partitions.sources) {
    const known = rowsByTable.get(source.table);
    if (!known) return { count: 0 };
    let values = [
      ...new Set(
        known.rows
          .map((r) => r[source.column])
          .filter((v) => v !== null && v !== undefined)
          .map(String),
      ),
    ];
    if (source.whereIn) {
      const allowed = new Set((rowsByTable.get(source.whereIn.table)?.rows ?? []).map((r) => String(r[source.whereIn!.column])));
      values = values.filter((v) => allowed.has(v));
    }
    if (values.length === 0) return { count: 0 };
    count *= Math.round(values.length * known.scale);
    first[source.param] = values.sort()[0]!;
  }
  return { count, first };
}

function pagesFor(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(Math.round(total) / pageSize));
}

function daysOf(window: DateWindow): number {
  return Math.max(0, (boundTime(window.to) - boundTime(window.from)) / DAY_MS);
}

/** Seconds until the last request leaves: at the rate limit, waiting for the next UTC day when today's budget is spent. */
function etaOf(requests: number, options: PlanOptions): number {
  const rate = Math.max(0.01, options.requestsPerSecond);
  const leftToday = Math.max(0, options.dailyBudget - options.usedToday);
  if (requests <= leftToday) return Math.ceil(requests / rate);
  const now = options.runStartedAt.getTime();
  const nextDay = Math.floor(now / DAY_MS) * DAY_MS + DAY_MS;
  const after = requests - leftToday;
  const fullDays = Math.floor((after - 1) / Math.max(1, options.dailyBudget));
  const lastDay = after - fullDays * options.dailyBudget;
  return Math.ceil((nextDay - now) / 1000 + fullDays * 86_400 + lastDay / rate);
}
