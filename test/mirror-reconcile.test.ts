import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator, DEMO_CREDENTIALS } from './helpers/simulator.js';
import { messagesOf, runCli, simEnv, spawnCli, tempDir } from './helpers/cli.js';
import { appFor, syncInProcess } from './helpers/in-process.js';
import { query } from './helpers/database.js';
import { postgresContent, sqliteContent } from './helpers/postgres-database.js';
import { CALL_TABLES, DESTINATIONS, MIRROR_STREAMS, SQLITE_GONG, type Destination } from './helpers/mirror-destinations.js';
import { runReconcile } from '../src/mirror/mirror-commands.js';
import { ReconcileSafetyStop } from '../src/mirror/reconcile.js';
import { reconcileOnSchedule } from '../src/mirror/reconcile-schedule.js';
import { SqlExecutor } from '../src/db/sql-executor.js';
import { RowLoader } from '../src/loader.js';
import { callMediaRow } from '../src/media/media-downloader.js';
import { findStream } from '../streams/index.js';
import type { GongSimulator } from '../src/simulator/server.js';

const COMPARED = [
  'calls',
  'calls_extensive',
  'call_parties',
  'call_trackers',
  'call_transcripts',
  'transcript_sentences',
  'stats_activity_scorecards',
  'scorecard_answers',
  'library_folder_content',
];

async function deleteInGong(sim: GongSimulator, callIds: string[]): Promise<void> {
  const auth = 'Basic ' + Buffer.from(`${DEMO_CREDENTIALS.accessKey}:${DEMO_CREDENTIALS.accessKeySecret}`).toString('base64');
  const response = await fetch(`${sim.url}/__admin/delete-calls`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ callIds }),
  });
  expect(await response.json()).toEqual({ deleted: callIds.length });
}

/** Three calls to delete: one filed in a library folder, one with an answered scorecard, one more. */
function victims(sim: GongSimulator): string[] {
  const filed = sim.account.folders[0]!.callIds[3]!;
  const scored = sim.account.answeredScorecards.find((s) => s.callId !== filed)!.callId;
  const other = sim.account.visibleCalls().find((c) => c.record.id !== filed && c.record.id !== scored && c.record.id.length === 19)!
    .record.id;
  return [filed, scored, other];
}

/** The destination holds what a fresh sync of the account holds now, table by table. */
async function expectTruth(destination: Destination, target: string, sim: GongSimulator): Promise<void> {
  const reference = path.join(tempDir(), 'truth.db');
  await syncInProcess(sim, reference, { streams: MIRROR_STREAMS });
  const want = sqliteContent(reference, COMPARED);
  const got = destination.name.startsWith('SQLite') ? sqliteContent(target, COMPARED) : await postgresContent(target, COMPARED);
  for (const table of COMPARED) expect(got[table], table).toEqual(want[table]);
}

describe.each(DESTINATIONS)('reconcile on $name', (destination) => {
  it('removes the calls Gong deleted from every table, their media files too, and nothing else', async () => {
    const sim = await startSimulator({ calls: 140, shapes: destination.shapes });
    const target = await destination.create();
    const mediaDir = path.join(tempDir(), 'media');
    await syncInProcess(sim, target, { streams: MIRROR_STREAMS });
    const gone = victims(sim);
    // One of them was downloaded: its file goes with it.
    const app = await appFor(sim, target, { GONG_MEDIA_DIR: mediaDir });
    try {
      const url = (await app.media.mediaUrl(gone[0]!, 'audio'))!;
      const file = await app.media.download({ callId: gone[0]!, kind: 'audio', url, directory: mediaDir });
      const exec = new SqlExecutor(app.database);
      const row = callMediaRow(gone[0]!, 'audio', file, new Date().toISOString());
      await exec.transaction(() => new RowLoader(exec).write(findStream('call_audio')!.tables, { call_media: [row] }, row.downloaded_at));
      expect(fs.existsSync(file.path)).toBe(true);

      await deleteInGong(sim, gone);
      sim.clearLog();
      const report = await runReconcile(app);
      expect(report.removed.sort()).toEqual([...gone].sort());
      expect(fs.existsSync(file.path)).toBe(false);
    } finally {
      await app.close();
    }
    const ids = gone.map((id) => `'${id}'`).join(', ');
    for (const [table, column] of [...CALL_TABLES, ['call_media', 'call_id'] as [string, string]]) {
      expect(await destination.rows(target, `select * from ${table} where ${column} in (${ids})`), table).toEqual([]);
    }
    expect((await destination.rows(target, 'select call_id from _deletions order by call_id')).map((r) => String(r.call_id))).toEqual(
      [...gone].sort(),
    );
    // Listed again as Gong allows: GET /v2/calls, both bounds, at most 90 days each.
    const lists = sim.apiRequests('/v2/calls');
    expect(lists.length).toBeGreaterThanOrEqual(4);
    for (const request of lists) {
      const days = (Date.parse(request.query.toDateTime!) - Date.parse(request.query.fromDateTime!)) / 86_400_000;
      expect(days).toBeGreaterThan(0);
      expect(days).toBeLessThanOrEqual(90);
    }
    // Each missing call confirmed gone by id (404), nothing else asked.
    expect(
      sim
        .apiRequests()
        .filter((r) => r.path !== '/v2/calls')
        .map((r) => `${r.path} ${r.status}`)
        .sort(),
    ).toEqual(gone.map((id) => `/v2/calls/${id} 404`).sort());
    await expectTruth(destination, target, sim);
  });
});

describe('reconcile safety and scheduling', () => {
  it('stops with exit 3 and removes nothing in a window that would lose more than the allowed share', async () => {
    const sim = await startSimulator({ calls: 120 });
    const db = path.join(tempDir(), 'gong.db');
    await syncInProcess(sim, db, { streams: MIRROR_STREAMS });
    const before = query(db, 'select count(*) as n from calls')[0]!.n as number;
    // A permission change hides a third of the newest 90 days.
    const recent = sim.account.visibleCalls().filter((c) => c.startedMs > Date.now() - 80 * 86_400_000);
    await deleteInGong(
      sim,
      recent.filter((_, i) => i % 3 === 0).map((c) => c.record.id),
    );
    const app = await appFor(sim, db);
    try {
      const error = await runReconcile(app).catch((e) => e);
      expect(error).toBeInstanceOf(ReconcileSafetyStop);
      expect(error.exitCode).toBe(3);
      expect(error.message).toMatch(/no longer lists \d+ of the \d+ calls .* more than the 20% allowed\), so nothing was removed there/);
      expect(query(db, 'select count(*) as n from calls')[0]!.n).toBe(before);
      expect(query(db, 'select count(*) as n from _deletions')[0]!.n).toBe(0);
      // Told it is real, it removes them.
      const report = await runReconcile(app, { maxDeleteShare: 0.5 });
      expect(report.removed.length).toBe(Math.ceil(recent.length / 3));
    } finally {
      await app.close();
    }
    // A call whose start Gong corrected into another window is not gone: asked for by id, it is kept.
    const moved = sim.account.visibleCalls().find((c) => c.startedMs < Date.now() - 200 * 86_400_000)!;
    moved.startedMs += 100 * 86_400_000;
    moved.record.started = new Date(moved.startedMs).toISOString();
    const again = await appFor(sim, db);
    try {
      expect((await runReconcile(again)).removed).toEqual([]);
    } finally {
      await again.close();
    }
    expect(query(db, 'select id from calls where id = ?', moved.record.id)).toHaveLength(1);
    const cli = await runCli(['reconcile', '--max-delete-share', 'lots'], simEnv(sim, db));
    expect(cli.code).toBe(2);
    expect(messagesOf(cli.stderr)).toMatch(/--max-delete-share "lots" is not a share/);
  });

  it('scheduled runs reconcile the whole history weekly and the recent 30 days daily', async () => {
    const sim = await startSimulator({ calls: 100 });
    const db = path.join(tempDir(), 'gong.db');
    await syncInProcess(sim, db, { streams: MIRROR_STREAMS });
    const app = await appFor(sim, db);
    const schedule = { recentDays: 30, recentEveryHours: 24, fullEveryDays: 7, maxDeleteShare: 0.2 };
    const signal = new AbortController().signal;
    try {
      sim.clearLog();
      await reconcileOnSchedule(app, signal, schedule);
      // The whole history, from the day of the earliest call to now, in windows of at most 90 days
      // one after another (the recent pass is covered). How many depends on the hour: the history
      // starts at the earliest call's UTC midnight.
      const windows = [
        ...new Map(
          sim
            .apiRequests('/v2/calls')
            .map((r) => [r.query.fromDateTime, [Date.parse(r.query.fromDateTime!), Date.parse(r.query.toDateTime!)]]),
        ).values(),
      ].sort((a, b) => a[0]! - b[0]!);
      const earliest = Math.min(...[...sim.account.visibleCalls()].map((c) => c.startedMs));
      expect(windows.length).toBeGreaterThanOrEqual(Math.ceil((Date.now() - earliest) / (90 * 86_400_000)));
      expect(windows.length).toBeGreaterThanOrEqual(4);
      expect(windows[0]![0]).toBeLessThanOrEqual(earliest);
      expect(windows.at(-1)![1]).toBeGreaterThan(Date.now() - 600_000);
      windows.forEach(([from, to], i) => {
        expect(to! - from!).toBeLessThanOrEqual(90 * 86_400_000);
        if (i > 0) expect(from).toBe(windows[i - 1]![1]);
      });
      sim.clearLog();
      await reconcileOnSchedule(app, signal, schedule);
      expect(sim.apiRequests()).toEqual([]); // nothing due an instant later
      sim.clearLog();
      await reconcileOnSchedule(app, signal, schedule, new Date(Date.now() + 25 * 3_600_000));
      const recent = sim.apiRequests('/v2/calls');
      expect(recent.length).toBe(1);
      expect(Date.parse(recent[0]!.query.fromDateTime!)).toBeGreaterThan(Date.now() - 31 * 86_400_000);
    } finally {
      await app.close();
    }
  });
});

describe.each([SQLITE_GONG, DESTINATIONS[1]!])('reconcile killed at random moments on $name', (destination) => {
  it('resumes after each SIGKILL and ends as an uninterrupted run', async () => {
    const sim = await startSimulator({ calls: 140, shapes: destination.shapes });
    const target = await destination.create();
    await syncInProcess(sim, target, { streams: MIRROR_STREAMS });
    // Deletions spread over the year: every window has some to remove.
    const gone = sim.account
      .visibleCalls()
      .filter((_, i) => i % 12 === 5)
      .map((c) => c.record.id);
    await deleteInGong(sim, gone);
    const env = simEnv(sim, target, { GONG_SIMULATOR_SHAPES: destination.shapes });
    const random = mulberry(19);
    let kills = 0;
    for (let round = 0; round < 4; round++) {
      const killAt = 1 + Math.floor(random() * 4);
      let seen = 0;
      const { child, result } = spawnCli(['reconcile'], env);
      sim.onRequest = (entry) => {
        if (entry.path === '/v2/calls' && ++seen === killAt) setTimeout(() => child.kill('SIGKILL'), Math.floor(random() * 15));
      };
      const outcome = await result;
      sim.onRequest = undefined;
      if (outcome.signal === 'SIGKILL') kills++;
      else {
        expect(outcome.code, outcome.stderr).toBe(0);
        break;
      }
    }
    expect(kills).toBeGreaterThanOrEqual(1);
    const last = await runCli(['reconcile'], env);
    expect(last.code, last.stderr).toBe(0);
    expect((await destination.rows(target, 'select call_id from _deletions order by call_id')).map((r) => String(r.call_id))).toEqual(
      [...gone].sort(),
    );
    expect(await destination.rows(target, "select scope from _sync_state where stream = 'reconcile' and checkpoint is not null")).toEqual(
      [],
    );
    await expectTruth(destination, target, sim);
  });
});

function mulberry(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
