import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { simEnv, tempDir } from './helpers/cli.js';
import { column, query } from './helpers/database.js';
import { loadConfig } from '../src/config.js';
import { createApp, syncOptions } from '../src/app.js';
import { runSync, type SyncReport } from '../src/runner/sync.js';
import { streams, OPT_IN_STREAMS } from '../streams/index.js';
import type { GongSimulator, RequestLogEntry } from '../src/simulator/server.js';
import { readStatus, formatStatus } from '../src/status.js';
import { connectDatabase } from '../src/db/database.js';

const DAY_MS = 86_400_000;
const DEFAULT_STREAMS = streams.filter((s) => !OPT_IN_STREAMS.includes(s.name));

/** One in-process sync of the simulator into `db`, as `gong-sync sync` runs it. */
async function sync(sim: GongSimulator, db: string, env: Record<string, string> = {}, signal?: AbortSignal): Promise<SyncReport> {
  const app = await createApp(loadConfig(simEnv(sim, db, env)));
  try {
    return await runSync(syncOptions(app, DEFAULT_STREAMS, { signal }));
  } finally {
    await app.close();
  }
}

function extensiveWindows(requests: RequestLogEntry[]): Array<{ from: string; to: string; cursor?: string }> {
  return requests
    .filter((r) => r.path === '/v2/calls/extensive')
    .map((r) => ({ from: r.body.filter.fromDateTime, to: r.body.filter.toDateTime, cursor: r.body.cursor }));
}

function expectEqualsTruth(sim: GongSimulator, db: string) {
  const visible = sim.account.visibleCalls();
  expect(column(db, 'select id from calls order by id')).toEqual(visible.map((c) => String(c.record.id)).sort());
  expect(column(db, 'select call_id from call_transcripts order by call_id')).toEqual(
    visible
      .filter((c) => c.transcriptReady)
      .map((c) => String(c.record.id))
      .sort(),
  );
}

describe('a first sync reads newest first', () => {
  it("commits the last week's calls and transcripts before any older window, then reads history newest to oldest and equals the truth", async () => {
    const sim = await startSimulator({ calls: 1000, days: 365 });
    const db = path.join(tempDir(), 'gong.db');
    const weekAgo = Date.now() - 7 * DAY_MS;
    const lastWeek = sim.account.visibleCalls().filter((c) => c.startedMs >= weekAgo + 60_000);
    expect(lastWeek.length).toBeGreaterThan(10);
    // The moment the first older window is asked for, the last week must already be queryable.
    let atHistory: { requests: number; calls: string[]; transcripts: string[] } | undefined;
    sim.onRequest = (entry) => {
      if (atHistory || entry.path !== '/v2/calls/extensive' || Date.parse(entry.body.filter.toDateTime) > weekAgo + 60_000) return;
      atHistory = {
        requests: sim.requests.filter((r) => r.path.startsWith('/v2/')).length,
        calls: column(db, 'select id from calls'),
        transcripts: column(db, 'select call_id from call_transcripts'),
      };
    };
    const report = await sync(sim, db);
    expect(report.outcome, report.error?.message).toBe('succeeded');
    expect(atHistory).toBeDefined();
    expect(atHistory!.calls).toEqual(expect.arrayContaining(lastWeek.map((c) => String(c.record.id))));
    expect(atHistory!.transcripts).toEqual(expect.arrayContaining(lastWeek.map((c) => String(c.record.id))));
    // At Gong's 3 requests/s, 30 requests are 10 s: the week is there long before that.
    expect(atHistory!.requests).toBeLessThanOrEqual(30);

    // Windows newest to oldest, each ending where the one before began, down to the start date.
    const windows = extensiveWindows(sim.requests).filter((w) => !w.cursor);
    expect(windows.length).toBeGreaterThan(2);
    for (let i = 1; i < windows.length; i++) expect(windows[i]!.to).toBe(windows[i - 1]!.from);
    expect(Date.parse(windows[0]!.to) - Date.parse(windows[0]!.from)).toBe(7 * DAY_MS);
    expectEqualsTruth(sim, db);
    expect(query(db, 'select stream from _sync_state where checkpoint is not null')).toEqual([]);

    // The next sync is incremental: one look-back window, and no transcript read twice.
    sim.requests.length = 0;
    const again = await sync(sim, db);
    expect(again.outcome).toBe('succeeded');
    expect(extensiveWindows(sim.requests).filter((w) => !w.cursor)).toHaveLength(1);
    expectEqualsTruth(sim, db);
  }, 120_000);

  it('stopped mid-history, the state names the unread range; the next run reads it without a gap and re-reads at most a page', async () => {
    const sim = await startSimulator({ calls: 900, days: 365 });
    const db = path.join(tempDir(), 'gong.db');
    const stop = new AbortController();
    sim.onRequest = (entry) => {
      // The second page of the first history window: stop after it commits, mid-window.
      if (entry.path === '/v2/calls/extensive' && entry.body?.cursor) stop.abort('a test');
    };
    const first = await sync(sim, db, {}, stop.signal);
    expect(first.outcome).toBe('stopped');
    const [state] = query<{ bookmark: string; checkpoint: string }>(
      db,
      "select bookmark, checkpoint from _sync_state where stream = 'calls_extensive'",
    );
    const checkpoint = JSON.parse(state!.checkpoint) as {
      history: { from: string; to: string; window: { from: string; to: string }; cursor: string | null };
    };
    expect(checkpoint.history.window).toBeDefined();
    // The bookmark covers the newest window; the unread history ends where that window began.
    const stored = new Set(column(db, 'select id from calls'));
    const unread = (ms: number) => ms >= Date.parse(checkpoint.history.from) && ms < Date.parse(checkpoint.history.to);
    const lost = sim.account
      .visibleCalls()
      .filter((c) => c.startedMs < Date.parse(state!.bookmark) && !unread(c.startedMs) && !stored.has(String(c.record.id)));
    expect(lost).toEqual([]);
    const readBefore = extensiveWindows(sim.requests);

    sim.onRequest = undefined;
    sim.requests.length = 0;
    const second = await sync(sim, db);
    expect(second.outcome, second.error?.message).toBe('succeeded');
    const readAfter = extensiveWindows(sim.requests);
    // History resumes at the saved cursor: no page of the first run is asked for again.
    const key = (w: { from: string; to: string; cursor?: string }) => `${w.from}|${w.to}|${w.cursor ?? ''}`;
    const history = readAfter.filter((w) => Date.parse(w.to) <= Date.parse(checkpoint.history.to));
    const saved = checkpoint.history;
    expect(history[0]).toMatchObject({ from: saved.window.from, to: saved.window.to, cursor: saved.cursor ?? undefined });
    const again = new Set(readBefore.map(key));
    expect(history.filter((w) => again.has(key(w)))).toEqual([]);
    expectEqualsTruth(sim, db);
  }, 120_000);

  it('across days: the budget ends mid-history (exit 3), status shows the history missing in requests and days, the next day completes it', async () => {
    const sim = await startSimulator({ calls: 900, days: 365 });
    const db = path.join(tempDir(), 'gong.db');
    const first = await sync(sim, db, { GONG_DAILY_BUDGET: '30' });
    expect(first.outcome).toBe('stopped');
    expect(first.error?.message).toMatch(/budget/i);
    const database = await connectDatabase(db);
    try {
      const status = await readStatus(database, streams, 30);
      expect(status.historyLeft).not.toBeNull();
      expect(status.historyLeft!.requests).toBeGreaterThan(0);
      expect(status.historyLeft!.days).toBeCloseTo(status.historyLeft!.requests / 30, 2);
      const calls = status.streams.find((s) => s.stream === 'calls_extensive')!;
      expect(calls.historyLeft!.days).toBeGreaterThan(300);
      // About the calls of the unread range not stored yet (Gong's total for the window being read, then density).
      const stored = new Set(column(db, 'select id from calls'));
      const unread = sim.account
        .visibleCalls()
        .filter((c) => c.startedMs < Date.parse(calls.historyLeft!.to) && !stored.has(String(c.record.id))).length;
      expect(Math.abs(calls.historyLeft!.records - unread)).toBeLessThanOrEqual(Math.max(30, unread * 0.25));
      expect(formatStatus(status)).toMatch(/history still missing: about \d+ requests/);
    } finally {
      await database.close();
    }
    // The next day (a fresh budget), the run continues the history and completes it.
    const second = await sync(sim, db, { GONG_DAILY_BUDGET: '100000' });
    expect(second.outcome, second.error?.message).toBe('succeeded');
    expectEqualsTruth(sim, db);
    const after = await connectDatabase(db);
    try {
      expect((await readStatus(after, streams, 100000)).historyLeft).toBeNull();
    } finally {
      await after.close();
    }
  }, 120_000);
});
