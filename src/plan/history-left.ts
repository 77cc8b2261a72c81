import type { StreamState } from '../../state/sync-state-store.js';
import type { StreamDefinition } from '../../streams/types.js';
import { boundTime, planWindowsNewestFirst } from '../runner/date-windows.js';

const DAY_MS = 86_400_000;
const PAGE_SIZE = 100;

/** The unread history of one stream (a first sync's older windows, read newest first). */
export interface HistoryLeft {
  from: string;
  to: string;
  days: number;
  /** Records expected in it, from the density of what is already stored. */
  records: number;
  requests: number;
}

/**
 * What a first sync still has to read, per stream, from the incremental state: the history range
 * the checkpoint names, its records estimated from the rows per day already stored, and the
 * requests that takes (pages of its windows; transcripts 100 calls a request).
 */
export function historyLeft(
  streams: StreamDefinition[],
  states: StreamState[],
  rowsOf: (stream: StreamDefinition) => number,
): Map<string, HistoryLeft> {
  const left = new Map<string, HistoryLeft>();
  const byTable = new Map<string, HistoryLeft>();
  for (const stream of streams) {
    const replication = stream.replication;
    if (replication.kind !== 'date_windows') continue;
    const parts = states.filter(
      (s) => s.key.stream === stream.name && s.key.scope === 'incremental' && s.checkpoint?.history && s.bookmark,
    );
    if (parts.length === 0) continue;
    let requests = 0;
    let records = 0;
    let days = 0;
    let from = '';
    let to = '';
    const rowsPerPartition = rowsOf(stream) / parts.length;
    for (const state of parts) {
      const history = state.checkpoint!.history!;
      const historyMs = boundTime(history.to) - boundTime(history.from);
      const coveredMs = Math.max(DAY_MS, boundTime(state.bookmark!) - boundTime(history.to));
      // Gong's own total for the window being read beats the density of what is stored (which
      // counts that window's first pages against the newest window's days only).
      const current = history.window;
      const currentMs = current ? boundTime(current.to) - boundTime(current.from) : 0;
      const density = current && history.total !== undefined && currentMs > 0 ? history.total / currentMs : rowsPerPartition / coveredMs;
      if (current && history.total !== undefined) {
        const rest = Math.max(0, history.total - (history.read ?? 0));
        records += rest;
        requests += Math.ceil(rest / PAGE_SIZE);
      }
      const windows = planWindowsNewestFirst({
        granularity: replication.granularity,
        from: boundTime(history.from),
        to: current && history.total !== undefined ? current.from : history.to,
        maxWindowDays: replication.maxWindowDays,
        alignToMonths: replication.alignToMonths,
      });
      for (const window of windows) {
        const expected = density * (boundTime(window.to) - boundTime(window.from));
        records += expected;
        requests += Math.max(1, Math.ceil(expected / PAGE_SIZE));
      }
      days = Math.max(days, historyMs / DAY_MS);
      if (!from || history.from < from) from = history.from;
      if (!to || history.to > to) to = history.to;
    }
    const entry = { from, to, days: Math.round(days * 10) / 10, records: Math.round(records), requests };
    for (const table of stream.tables) byTable.set(table.name, entry);
    left.set(stream.name, entry);
  }
  // Streams fed by the ids of those records (transcripts): one request per batch of them.
  for (const stream of streams) {
    const replication = stream.replication;
    if (replication.kind !== 'parent_ids') continue;
    const parent = byTable.get(replication.parent.table);
    if (!parent) continue;
    left.set(stream.name, { ...parent, requests: Math.ceil(parent.records / replication.batchSize) });
  }
  return left;
}
