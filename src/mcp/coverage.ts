import type { SqlExecutor } from '../db/sql-executor.js';
import { SyncStateStore, type StreamState } from '../../state/sync-state-store.js';
import { boundTime } from '../runner/date-windows.js';

/** What the copy holds for a date range: when it was synced, and up to when it is complete. */
export interface RangeCoverage {
  /** When the covering state last completed a window. */
  syncedAt: string;
  /**
   * The copy is complete from the range's start up to this instant (ms): the range's end when it
   * covers all of it; before the range's start when the range lies wholly after the last sync.
   */
  completeToMs: number;
}

/**
 * What the copy holds, read from the sync state (state/): which full passes completed, and which
 * date ranges each date-windowed stream has read completely (incremental from the start date up to
 * its bookmark, each backfill from its start up to how far it got).
 */
export class Coverage {
  private readonly store: SyncStateStore;

  constructor(
    exec: SqlExecutor,
    private readonly startDate: Date,
  ) {
    this.store = new SyncStateStore(exec);
  }

  /** When a full pass of this stream (and partition) last completed, or null if none ever did. */
  async fullPass(stream: string, partitionKey = ''): Promise<string | null> {
    const state = await this.store.get({ stream, partitionKey, scope: 'incremental' });
    return state?.lastSuccessAt ?? null;
  }

  /**
   * When one of these streams last completed a window, if together its windows cover [from, to);
   * null when any part of the range was never read.
   */
  async dateRange(streams: string[], fromMs: number, toMs: number, partitionKey = ''): Promise<string | null> {
    const covered = await this.rangeStart(streams, fromMs, toMs, partitionKey);
    return covered && covered.completeToMs >= toMs ? covered.syncedAt : null;
  }

  /**
   * How far from `fromMs` the copy is complete without a gap, for the stream that reaches furthest
   * (null when it does not even hold the range's start). A range ending after the last sync is
   * then answered from the copy "as of" that point.
   */
  async rangeStart(streams: string[], fromMs: number, toMs: number, partitionKey = ''): Promise<RangeCoverage | null> {
    if (!(fromMs < toMs)) return null;
    let best: RangeCoverage | null = null;
    for (const stream of streams) {
      const states = await this.statesOf(stream, partitionKey);
      const intervals = states.flatMap((state) => intervalOf(state, this.startDate)).sort((a, b) => a[0] - b[0]);
      let reached = fromMs;
      let started = false;
      for (const [start, end] of intervals) {
        if (start > reached) break;
        started = true;
        reached = Math.max(reached, end);
        if (reached >= toMs) break;
      }
      const syncedAt = latest(states);
      if (!syncedAt) continue;
      if (!started || reached <= fromMs) {
        // A range that starts after everything read (e.g. the last hour, synced this morning): known
        // empty of nothing, so answered as of the incremental bookmark, with the whole range uncovered.
        const incremental = states.find((s) => s.key.scope === 'incremental' && s.bookmark);
        const end = incremental ? boundTime(incremental.bookmark!) : Number.NaN;
        if (!(fromMs >= end && fromMs >= this.startDate.getTime())) continue;
        if (!best) best = { syncedAt, completeToMs: end };
        continue;
      }
      if (!best || reached > best.completeToMs) best = { syncedAt, completeToMs: Math.min(reached, toMs) };
    }
    return best;
  }

  /** When the window ending at `toMs` was completed (some state's bookmark reaches it), else null. */
  async reaches(stream: string, toMs: number, partitionKey = ''): Promise<string | null> {
    const states = (await this.statesOf(stream, partitionKey)).filter((s) => s.bookmark !== null && boundTime(s.bookmark) >= toMs);
    return states.length > 0 ? latest(states) : null;
  }

  private async statesOf(stream: string, partitionKey: string): Promise<StreamState[]> {
    return (await this.store.list()).filter((s) => s.key.stream === stream && s.key.partitionKey === partitionKey);
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
  const times = states
    .map((s) => s.lastSuccessAt ?? s.updatedAt)
    .filter((t): t is string => Boolean(t))
    .sort();
  return times[times.length - 1] ?? null;
}
