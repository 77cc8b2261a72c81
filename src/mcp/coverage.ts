import type BetterSqlite3 from 'better-sqlite3';
import type { SqlExecutor } from '../db/sql-executor.js';
import { sqliteOf } from '../db/database.js';
import { fromRow, type StateRow, type StreamState } from '../../state/sync-state-store.js';
import { boundTime } from '../runner/date-windows.js';

/**
 * What the copy holds, read from the sync state: which full passes completed, and which date
 * ranges each date-windowed stream has read completely (incremental from the start date up to its
 * bookmark, each backfill from its start up to how far it got).
 */
export class Coverage {
  /** Read synchronously: the MCP server's planners are synchronous and it serves SQLite files only. */
  private readonly sqlite: BetterSqlite3.Database;

  constructor(
    exec: SqlExecutor,
    private readonly startDate: Date,
  ) {
    this.sqlite = sqliteOf(exec.database);
  }

  /** When a full pass of this stream (and partition) last completed, or null if none ever did. */
  fullPass(stream: string, partitionKey = ''): string | null {
    const row = this.sqlite
      .prepare(`select * from _sync_state where stream = ? and partition_key = ? and scope = 'incremental'`)
      .get(stream, partitionKey) as StateRow | undefined;
    return row ? fromRow(row).lastSuccessAt : null;
  }

  /**
   * When one of these streams last completed a window, if together its windows cover [from, to);
   * null when any part of the range was never read.
   */
  dateRange(streams: string[], fromMs: number, toMs: number, partitionKey = ''): string | null {
    if (!(fromMs < toMs)) return null;
    for (const stream of streams) {
      const states = this.statesOf(stream, partitionKey);
      const intervals = states.flatMap((state) => intervalOf(state, this.startDate)).sort((a, b) => a[0] - b[0]);
      let reached = fromMs;
      for (const [start, end] of intervals) {
        if (start > reached) break;
        reached = Math.max(reached, end);
        if (reached >= toMs) break;
      }
      if (reached >= toMs) return latest(states);
    }
    return null;
  }

  /** When the window ending at `toMs` was completed (some state's bookmark reaches it), else null. */
  reaches(stream: string, toMs: number, partitionKey = ''): string | null {
    const states = this.statesOf(stream, partitionKey).filter((s) => s.bookmark !== null && boundTime(s.bookmark) >= toMs);
    return states.length > 0 ? latest(states) : null;
  }

  private statesOf(stream: string, partitionKey: string): StreamState[] {
    const rows = this.sqlite.prepare('select * from _sync_state where stream = ? and partition_key = ? order by scope').all(stream, partitionKey) as StateRow[];
    return rows.map(fromRow);
  }
}

function intervalOf(state: StreamState, startDate: Date): Array<[number, number]> {
  if (!state.bookmark) return [];
  const end = boundTime(state.bookmark);
  let start = Number.NaN;
  if (state.key.scope === 'incremental') start = startDate.getTime();
  else if (state.key.scope.startsWith('backfill:')) start = boundTime(state.key.scope.slice('backfill:'.length).split('..')[0] ?? '');
  if (!Number.isFinite(start)) return [];
  // Read newest first, the older history [from, to) may still be unread: it is not covered.
  const history = state.checkpoint?.history;
  if (!history) return [[start, end]];
  return [
    [start, boundTime(history.from)],
    [boundTime(history.to), end],
  ].filter(([a, b]) => a! < b!) as Array<[number, number]>;
}

function latest(states: StreamState[]): string | null {
  const times = states.map((s) => s.lastSuccessAt ?? s.updatedAt).filter((t): t is string => Boolean(t)).sort();
  return times[times.length - 1] ?? null;
}
