import type { Database } from './db/database.js';
import { SqlExecutor } from './db/sql-executor.js';
import { SyncStateStore, type StreamState } from '../state/sync-state-store.js';
import { utcDay } from '../state/request-counter.js';
import type { StreamDefinition } from '../streams/types.js';
import { boundTime } from './runner/date-windows.js';
import { redact } from './redact.js';
import { INTERRUPTED_MESSAGE } from '../state/run-log.js';
import { holderIsAlive, type LockHolder } from '../state/sync-lock.js';
import { historyLeft, type HistoryLeft } from './plan/history-left.js';
import { formatMirrorStatus, readMirrorStatus, type MirrorStatus } from './mirror/mirror-status.js';

/** The JSON shape of `gong-sync status --json` (documented in the README; only ever extended). */
export interface StatusReport {
  database: string;
  requestsToday: { day: string; used: number; budget: number };
  streams: StreamStatus[];
  runs: RunStatus[];
  /** Completeness counts, schema drift new since the latest run, deletions and erasures (turn 3). */
  mirror?: MirrorStatus;
  /** A first sync's history still unread (newest first, across days): requests left and days of budget. */
  historyLeft: { requests: number; days: number } | null;
}

export interface StreamStatus {
  stream: string;
  /** End of the last completed window (date streams), or start of the last complete pass. */
  bookmark: string | null;
  lastSuccessAt: string | null;
  /** True when a pass stopped mid-way and will resume from its checkpoint. */
  resumable: boolean;
  tables: Array<{ table: string; rows: number }>;
  /** Work known to be waiting, e.g. calls without a transcript. */
  pending: Record<string, number>;
  /** Each backfill this stream took part in: how far it got and what is left ("FROM..TO"). */
  backfills: Array<{ range: string; doneUpTo: string | null; finished: boolean; left: string | null }>;
  /** The older range a first sync has not read yet, and what reading it costs (plan/history-left.ts). */
  historyLeft?: HistoryLeft;
}

export interface RunStatus {
  id: number;
  command: string;
  startedAt: string;
  finishedAt: string | null;
  outcome: string;
  requests: number;
  rowsWritten: number;
  message: string | null;
}

export async function readStatus(database: Database, streams: StreamDefinition[], budget: number, now = new Date()): Promise<StatusReport> {
  const exec = new SqlExecutor(database);
  const tables = new Set((await database.adapter.listTables()).filter((t) => t.type === 'table').map((t) => t.name));
  const count = async (table: string) =>
    tables.has(table)
      ? Number((await exec.get<{ n: number }>(exec.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n'))))?.n ?? 0)
      : 0;
  const states = tables.has('_sync_state') ? await new SyncStateStore(exec).list() : [];
  const day = utcDay(now);
  const used = tables.has('_request_counts')
    ? Number(
        (await exec.get<{ requests: number }>(exec.db.selectFrom('_request_counts').select('requests').where('day', '=', day)))?.requests ??
          0,
      )
    : 0;
  const streamStatuses: StreamStatus[] = [];
  for (const stream of streams) {
    const own = states.filter((s) => s.key.stream === stream.name);
    const incremental = own.filter((s) => s.key.scope === 'incremental');
    const bookmarks = incremental
      .map((s) => s.bookmark)
      .filter((b): b is string => b !== null)
      .sort();
    const successes = incremental
      .map((s) => s.lastSuccessAt)
      .filter((b): b is string => b !== null)
      .sort();
    const pending: Record<string, number> = {};
    const replication = stream.replication;
    if (replication.kind === 'parent_ids' && tables.has(replication.parent.table) && tables.has(replication.missingIn.table)) {
      const row = await exec.get<{ n: number }>(
        exec.db
          .selectFrom(`${replication.parent.table} as p`)
          .select((eb) => eb.fn.countAll().as('n'))
          .where((eb) =>
            eb.not(
              eb.exists(
                exec.db
                  .selectFrom(`${replication.missingIn.table} as c`)
                  .select('c.' + replication.missingIn.column)
                  .whereRef(`c.${replication.missingIn.column}`, '=', `p.${replication.parent.idColumn}`),
              ),
            ),
          ),
      );
      pending[`${replication.parent.table}_without_${stream.name}`] = Number(row?.n ?? 0);
    }
    const tableCounts: StreamStatus['tables'] = [];
    for (const t of stream.tables) tableCounts.push({ table: t.name, rows: await count(t.name) });
    streamStatuses.push({
      stream: stream.name,
      bookmark: bookmarks[0] ?? null,
      lastSuccessAt: successes[0] ?? null,
      resumable: incremental.some((s) => s.checkpoint !== null),
      tables: tableCounts,
      pending,
      backfills: summarizeBackfills(
        own.filter((s) => s.key.scope.startsWith('backfill:')),
        stream,
      ),
    });
  }
  const rowsOf = (stream: StreamDefinition) => streamStatuses.find((s) => s.stream === stream.name)?.tables[0]?.rows ?? 0;
  const left = historyLeft(streams, states, rowsOf);
  for (const status of streamStatuses) if (left.has(status.stream)) status.historyLeft = left.get(status.stream);
  const leftRequests = [...left.values()].reduce((sum, l) => sum + l.requests, 0);
  const holder = tables.has('_lock') ? await readLockHolder(exec) : undefined;
  // Where the lock lives in a server session (PostgreSQL), the server knows whether the writer is still there.
  const sessionLock = database.adapter.sessionLock;
  const writerAlive = holder !== undefined && (sessionLock ? await sessionLock.held('sync') : holderIsAlive(holder, now));
  const runs = tables.has('_runs')
    ? (await exec.all<any>(exec.db.selectFrom('_runs').selectAll().orderBy('id', 'desc').limit(10))).map((r) => ({
        id: r.id,
        command: r.command,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        // A run still "running" with no live writer belongs to a process that died (killed, disk full).
        outcome: r.outcome === 'running' && !writerAlive ? 'interrupted' : r.outcome,
        requests: r.requests,
        rowsWritten: r.rows_written,
        message: r.outcome === 'running' && !writerAlive ? INTERRUPTED_MESSAGE : r.message === null ? null : redact(String(r.message)),
      }))
    : [];
  const mirror = await readMirrorStatus(exec, tables);
  return {
    database: database.file,
    requestsToday: { day, used, budget },
    streams: streamStatuses,
    runs,
    ...(mirror ? { mirror } : {}),
    historyLeft: left.size > 0 ? { requests: leftRequests, days: Math.round((leftRequests / Math.max(1, budget)) * 100) / 100 } : null,
  };
}

async function readLockHolder(exec: SqlExecutor): Promise<LockHolder | undefined> {
  const row = await exec.get<{ holder_pid: number; holder_host: string; command: string; acquired_at: string; heartbeat_at: string }>(
    exec.db.selectFrom('_lock').selectAll().where('name', '=', 'sync'),
  );
  return row
    ? { pid: row.holder_pid, host: row.holder_host, command: row.command, acquiredAt: row.acquired_at, heartbeatAt: row.heartbeat_at }
    : undefined;
}

/** One entry per backfill range, over all of the stream's partitions (the least advanced counts). */
function summarizeBackfills(states: StreamState[], stream: StreamDefinition): StreamStatus['backfills'] {
  const byRange = new Map<string, typeof states>();
  for (const state of states) {
    const range = state.key.scope.slice('backfill:'.length);
    byRange.set(range, [...(byRange.get(range) ?? []), state]);
  }
  return [...byRange.entries()].map(([range, parts]) => {
    const to = range.split('..')[1] ?? '';
    const toTime = boundTime(to);
    const bookmarks = parts.map((p) => p.bookmark);
    const doneUpTo = bookmarks.includes(null) ? null : ((bookmarks as string[]).sort()[0] ?? null);
    // Parent-id streams record the pass start, date streams the end of the last window (clamped to what Gong allows).
    const finished =
      parts.every((p) => p.checkpoint === null && p.bookmark !== null) &&
      (stream.replication.kind === 'parent_ids' || (doneUpTo !== null && boundTime(doneUpTo) >= Math.min(toTime, Date.now() - 86_400_000)));
    // Read newest first, a backfill's unread part is the history its checkpoint names.
    const history = parts.map((p) => p.checkpoint?.history).find((h) => h !== undefined);
    const left = finished ? null : history ? `${history.from}..${history.to}` : `${doneUpTo ?? range.split('..')[0]}..${to}`;
    return { range, doneUpTo: history ? null : doneUpTo, finished, left };
  });
}

export function formatStatus(report: StatusReport): string {
  const lines = [
    `database: ${report.database}`,
    `requests today (${report.requestsToday.day} UTC): ${report.requestsToday.used} of ${report.requestsToday.budget}`,
    '',
    'streams:',
  ];
  for (const s of report.streams) {
    const rows = s.tables.map((t) => `${t.table}=${t.rows}`).join(' ');
    const pending = Object.entries(s.pending)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    lines.push(
      `  ${s.stream.padEnd(28)} bookmark ${s.bookmark ?? '-'}  last success ${s.lastSuccessAt ?? (s.tables.some((t) => t.rows > 0) ? 'none of its own yet (rows came from a backfill, get, a stream that covers it or a pass still unfinished)' : 'never')}${s.resumable ? '  (resumes mid-pass)' : ''}`,
      `  ${''.padEnd(28)} rows: ${rows}${pending ? `  pending: ${pending}` : ''}`,
    );
    if (s.historyLeft) {
      const h = s.historyLeft;
      lines.push(
        `  ${''.padEnd(28)} history still to read: ${h.from}..${h.to} (${h.days} days, about ${h.records} records, ${h.requests} requests)`,
      );
    }
    for (const b of s.backfills)
      lines.push(`  ${''.padEnd(28)} backfill ${b.range}: ${b.finished ? 'done' : `done up to ${b.doneUpTo ?? 'nothing yet'}`}`);
  }
  lines.push(...formatMirrorStatus(report.mirror));
  if (report.historyLeft) {
    lines.push(
      '',
      `history still missing: about ${report.historyLeft.requests} requests, ${report.historyLeft.days} day(s) of the daily budget; each run (or \`schedule\`) continues it, newest first.`,
    );
  }
  lines.push('', 'recent runs:');
  if (report.runs.length === 0) lines.push('  none yet');
  for (const r of report.runs) {
    lines.push(
      `  #${r.id} ${r.command} ${r.startedAt} ${r.outcome} ${r.requests} requests ${r.rowsWritten} rows${r.message ? ` - ${r.message}` : ''}`,
    );
  }
  return lines.join('\n');
}
