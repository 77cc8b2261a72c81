import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { runCli, simEnv, spawnCli, tempDir, runInProcess } from './helpers/cli.js';
import { column, contentOf, query } from './helpers/database.js';

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const CORE = 'users,calls,call_transcripts,stats_activity_scorecards';
const CORE_TABLES = ['users', 'calls', 'call_transcripts', 'transcript_sentences', 'stats_activity_scorecards', 'scorecard_answers'];

describe('operations', () => {
  it('backfill loads exactly its range, survives an interruption, and never moves the incremental bookmark', async () => {
    const sim = await startSimulator({ calls: 900, days: 365 });
    const db = path.join(tempDir(), 'gong.db');
    const from = isoDay(Date.now() - 200 * DAY);
    const to = isoDay(Date.now() - 80 * DAY);
    const args = ['backfill', '--from', from, '--to', to, '--streams', 'calls_extensive,call_transcripts'];
    const first = await runInProcess(args, simEnv(sim, db, { GONG_DAILY_BUDGET: '3' }));
    expect(first.code).toBe(3);
    expect(first.stdout).toMatch(/run the same command again to continue/);
    const midway = JSON.parse((await runInProcess(['status', '--json'], simEnv(sim, db))).stdout);
    const extensive = midway.streams.find((s: any) => s.stream === 'calls_extensive');
    expect(extensive.backfills[0]).toMatchObject({ range: `${from}..${to}`, finished: false });

    const second = await runInProcess(args, simEnv(sim, db));
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/calls_extensive\s+done/);
    const inRange = sim.account
      .visibleCalls()
      .filter((c) => c.startedMs >= Date.parse(`${from}T00:00:00Z`) && c.startedMs < Date.parse(`${to}T00:00:00Z`));
    const expected = inRange.map((c) => c.record.id).sort();
    expect(expected.length).toBeGreaterThan(200);
    expect(column(db, 'select id from calls order by id')).toEqual(expected);
    expect(column(db, 'select id from calls_extensive order by id')).toEqual(expected);
    expect(column(db, 'select call_id from call_transcripts order by call_id')).toEqual(expected);
    expect(query(db, "select * from _sync_state where scope = 'incremental'")).toEqual([]);
    // Windows of at most a month, so progress is saved often.
    const windows = sim
      .apiRequests('/v2/calls/extensive')
      .filter((r) => !r.body.cursor)
      .map((r) => r.body.filter);
    for (const w of windows) expect(Date.parse(w.toDateTime) - Date.parse(w.fromDateTime)).toBeLessThanOrEqual(31 * DAY);

    // Running it again does nothing more.
    sim.clearLog();
    const again = await runInProcess(args, simEnv(sim, db));
    expect(again.code).toBe(0);
    expect(sim.apiRequests()).toHaveLength(0);
  });

  it('two syncs started together on one database: one writes, the other exits 3 naming the holder; the result equals one sync', async () => {
    const sim = await startSimulator({ calls: 400, faults: { latencyMs: 60 } });
    const dir = tempDir();
    const reference = path.join(dir, 'reference.db');
    expect((await runInProcess(['sync', '--streams', CORE], simEnv(sim, reference))).code).toBe(0);
    const shared = path.join(dir, 'shared.db');
    expect((await runInProcess(['migrate'], simEnv(sim, shared))).code).toBe(0);
    const a = spawnCli(['sync', '--streams', CORE], simEnv(sim, shared));
    const b = spawnCli(['sync', '--streams', CORE], simEnv(sim, shared));
    const results = await Promise.all([a.result, b.result]);
    const codes = results.map((r) => r.code).sort();
    expect(codes).toEqual([0, 3]);
    const loser = results.find((r) => r.code === 3)!;
    expect(loser.stderr).toMatch(new RegExp(`Another gong-sync \\(sync, pid \\d+ on ${os.hostname()}`));
    expect(contentOf(shared, CORE_TABLES)).toEqual(contentOf(reference, CORE_TABLES));
    expect(query(shared, 'select * from _lock')).toEqual([]);
  });

  it('takes over a stale lock left by a process that died', async () => {
    const sim = await startSimulator({ calls: 50 });
    const db = path.join(tempDir(), 'gong.db');
    expect((await runInProcess(['migrate'], simEnv(sim, db))).code).toBe(0);
    const raw = new BetterSqlite3(db);
    const old = new Date(Date.now() - 3600_000).toISOString();
    raw.prepare('insert into _lock values (?, ?, ?, ?, ?, ?)').run('sync', 4_000_000, 'some-other-host', 'schedule', old, old);
    raw.close();
    const result = await runInProcess(['sync', '--streams', 'users,calls'], simEnv(sim, db));
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/taking over a stale lock of schedule \(pid 4000000 on some-other-host/);
    expect(query(db, 'select count(*) n from calls')).toEqual([{ n: 50 }]);

    // A live holder (this test process, fresh heartbeat) is respected.
    const live = new BetterSqlite3(db);
    const now = new Date().toISOString();
    live.prepare('insert into _lock values (?, ?, ?, ?, ?, ?)').run('sync', process.pid, os.hostname(), 'sync', now, now);
    live.close();
    const blocked = await runCli(['sync', '--streams', 'users'], simEnv(sim, db));
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toMatch(new RegExp(`pid ${process.pid}`));
  });

  it('query is read-only: no statement can change the database', async () => {
    const sim = await startSimulator({ calls: 40 });
    const db = path.join(tempDir(), 'gong.db');
    expect((await runInProcess(['sync', '--streams', 'users,calls'], simEnv(sim, db))).code).toBe(0);
    const before = fs.readFileSync(db);
    for (const statement of [
      'delete from calls',
      'update calls set title = 1',
      'insert into users (id, raw, synced_at) values (1, 2, 3)',
      'drop table calls',
      'create table x (a)',
      'delete from calls returning id',
      "attach database 'other.db' as o",
      // The file rests in rollback-journal mode (readable from a read-only folder): switching it is a write.
      'pragma journal_mode = wal',
      'pragma user_version = 7',
      'vacuum',
    ]) {
      const result = await runCli(['query', statement, '--db', db], {});
      expect(result.code, statement).toBe(2);
      expect(result.stderr).toMatch(/read-only|readonly|SQL error/);
    }
    expect(column(db, 'select count(*) from calls')).toEqual(['40']);
    expect(fs.readFileSync(db).equals(before)).toBe(true);
    const csv = await runCli(['query', 'select id, title from calls order by id limit 2', '--format', 'csv', '--db', db], {});
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toBe('id,title');
    const json = await runCli(['query', 'select count(*) as n from calls', '--format', 'json', '--db', db], {});
    expect(JSON.parse(json.stdout)).toEqual([{ n: 40 }]);
    const search = await runCli(
      ['query', "select count(*) as n from transcript_search where transcript_search match 'pricing'", '--format', 'json', '--db', db],
      {},
    );
    expect(search.code).toBe(0);
  });

  it('status --json reports what the database holds', async () => {
    const sim = await startSimulator({ calls: 120 });
    sim.account.addCalls(3, { transcriptReady: false });
    const db = path.join(tempDir(), 'gong.db');
    expect((await runInProcess(['sync', '--streams', CORE], simEnv(sim, db))).code).toBe(0);
    const result = await runInProcess(['status', '--json'], simEnv(sim, db, { GONG_DAILY_BUDGET: '5000' }));
    expect(result.code).toBe(0);
    const status = JSON.parse(result.stdout);
    const calls = status.streams.find((s: any) => s.stream === 'calls');
    expect(calls.tables).toEqual([{ table: 'calls', rows: 123 }]);
    expect(calls.bookmark).toBe(query<{ bookmark: string }>(db, "select bookmark from _sync_state where stream = 'calls'")[0]!.bookmark);
    expect(calls.lastSuccessAt).toMatch(/^\d{4}-/);
    const transcripts = status.streams.find((s: any) => s.stream === 'call_transcripts');
    expect(transcripts.pending).toEqual({ calls_without_call_transcripts: 3 });
    expect(transcripts.tables[1]).toEqual({
      table: 'transcript_sentences',
      rows: Number(column(db, 'select count(*) from transcript_sentences')[0]),
    });
    expect(status.requestsToday).toEqual({ day: new Date().toISOString().slice(0, 10), used: sim.apiRequests().length, budget: 5000 });
    expect(status.runs[0]).toMatchObject({ command: 'sync', outcome: 'succeeded', requests: sim.apiRequests().length });
    const text = await runInProcess(['status'], simEnv(sim, db));
    expect(text.stdout).toMatch(/calls_without_call_transcripts=3/);
  });

  it('SIGTERM stops a sync after the current page with exit 3; the next run completes it', async () => {
    const sim = await startSimulator({ calls: 600, faults: { latencyMs: 40 } });
    const dir = tempDir();
    const reference = path.join(dir, 'reference.db');
    expect((await runInProcess(['sync', '--streams', CORE], simEnv(sim, reference))).code).toBe(0);
    const db = path.join(dir, 'gong.db');
    const { child, result } = spawnCli(['sync', '--streams', CORE], simEnv(sim, db));
    let seen = 0;
    sim.onRequest = () => {
      if (++seen === 4) child.kill('SIGTERM');
    };
    const stopped = await result;
    sim.onRequest = undefined;
    expect(stopped.code).toBe(3);
    expect(stopped.stderr).toMatch(/Stopped by SIGTERM/);
    expect(query(db, 'select outcome from _runs')).toEqual([{ outcome: 'stopped' }]);
    expect(query(db, 'select * from _lock')).toEqual([]);
    expect((await runInProcess(['sync', '--streams', CORE], simEnv(sim, db))).code).toBe(0);
    expect(contentOf(db, CORE_TABLES)).toEqual(contentOf(reference, CORE_TABLES));
  });

  it('schedule runs sync on its cron, never two at once, and stops cleanly on SIGTERM', async () => {
    const sim = await startSimulator({ calls: 60 });
    const db = path.join(tempDir(), 'gong.db');
    const { child, result } = spawnCli(['schedule', '--cron', '*/2 * * * * *', '--now', '--streams', 'users,calls'], simEnv(sim, db));
    await new Promise((resolve) => setTimeout(resolve, 5500));
    child.kill('SIGTERM');
    const outcome = await result;
    expect(outcome.code).toBe(0);
    const runs = query<{ started_at: string; finished_at: string; outcome: string }>(
      db,
      'select started_at, finished_at, outcome from _runs order by id',
    );
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs) expect(run.outcome).toBe('succeeded');
    for (let i = 1; i < runs.length; i++) expect(runs[i]!.started_at >= runs[i - 1]!.finished_at).toBe(true);
    expect(outcome.stderr).toMatch(/next run at/);
  });
});
