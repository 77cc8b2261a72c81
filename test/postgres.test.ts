import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { messagesOf, runCli, simEnv, spawnCli, tempDir } from './helpers/cli.js';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';
import { startPostgres } from './helpers/postgres-server.js';
import { entityTables, expectSameTables, pgQuery } from './helpers/postgres-database.js';
import { SYNCED_STREAMS, SYNCED_TABLES } from './helpers/streams.js';
import type { GongSimulator } from '../src/simulator/server.js';
import { connectDatabase, migrateToLatest } from '../src/db/database.js';
import { SqlExecutor } from '../src/db/sql-executor.js';
import { RowLoader } from '../src/loader.js';
import { displayUrl } from '../src/db/postgres-database.js';

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Runs the same command into a SQLite file and a PostgreSQL database; both must succeed. */
async function runBoth(sim: GongSimulator, args: string[], sqliteFile: string, url: string, extra: Record<string, string> = {}) {
  const onSqlite = await runCli(args, simEnv(sim, sqliteFile, extra));
  expect(onSqlite.code, onSqlite.stderr).toBe(0);
  const onPostgres = await runCli(args, simEnv(sim, url, extra));
  expect(onPostgres.code, onPostgres.stderr).toBe(0);
  return onPostgres;
}

describe('PostgreSQL destination', () => {
  it('a first sync, an incremental sync after new and late data, and a backfill equal the same runs into SQLite, table by table', async () => {
    const sim = await startSimulator({ calls: 320 });
    const file = path.join(tempDir(), 'gong.db');
    const url = await freshPostgresDatabase('equivalence');
    const password = new URL(url).password;

    const first = await runBoth(sim, ['sync'], file, url, { GONG_START_DATE: isoDay(Date.now() - 120 * DAY_MS) });
    const tables = entityTables(file);
    expect(tables.length).toBeGreaterThan(40);
    await expectSameTables(url, file, tables, expect);
    // Native types on PostgreSQL (SQLite keeps ISO-8601 text and 0/1), the same values read from both.
    const types = await pgQuery<{ column_name: string; data_type: string }>(
      url,
      "select column_name, data_type from information_schema.columns where table_schema = 'gong' and table_name = 'calls' and column_name in ('started_utc', 'is_private', 'raw')",
    );
    expect(Object.fromEntries(types.map((t) => [t.column_name, t.data_type]))).toEqual({
      started_utc: 'timestamp with time zone',
      is_private: 'boolean',
      raw: 'jsonb',
    });

    sim.account.addCalls(5, { transcriptReady: false });
    sim.account.addLateCalls(3, { ageDays: 2 });
    await runBoth(sim, ['sync'], file, url, { GONG_START_DATE: isoDay(Date.now() - 120 * DAY_MS) });
    sim.account.addCalls(4);
    sim.account.releaseLateCalls();
    sim.account.releaseTranscripts();
    await runBoth(sim, ['sync'], file, url, { GONG_START_DATE: isoDay(Date.now() - 120 * DAY_MS) });
    const from = isoDay(Date.now() - 300 * DAY_MS);
    const to = isoDay(Date.now() - 200 * DAY_MS);
    await runBoth(
      sim,
      ['backfill', '--from', from, '--to', to, '--streams', 'calls_extensive,call_transcripts,stats_activity_scorecards'],
      file,
      url,
    );

    await expectSameTables(url, file, tables, expect);
    // Every call the synced ranges hold is there, ids as text digit for digit.
    const callIds = (await pgQuery<{ id: string }>(url, 'select id from calls')).map((r) => r.id).sort();
    const inRanges = sim.account
      .visibleCalls()
      .filter(
        (c) =>
          c.startedMs >= Date.parse(from) && (c.startedMs < Date.parse(to) || c.startedMs >= Date.parse(isoDay(Date.now() - 120 * DAY_MS))),
      )
      .map((c) => String(c.record.id));
    expect(callIds.length).toBeGreaterThan(100);
    expect(callIds.every((id) => /^\d{15,20}$/.test(id))).toBe(true);
    expect(callIds).toEqual(expect.arrayContaining(inRanges));
    expect(await pgQuery(url, 'select stream from _sync_state where checkpoint is not null')).toEqual([]);
    expect(await pgQuery(url, 'select * from _rejected_records')).toEqual([]);

    // status works unchanged and counts what SQLite counts; the password shows nowhere.
    const status = await runCli(['status', '--json'], { GONG_DB: url });
    expect(status.code, status.stderr).toBe(0);
    const sqliteStatus = await runCli(['status', '--json'], { GONG_DB: file });
    const rowsOf = (text: string) =>
      (JSON.parse(text) as { streams: Array<{ stream: string; tables: unknown }> }).streams.map((s) => [s.stream, s.tables]);
    expect(rowsOf(status.stdout)).toEqual(rowsOf(sqliteStatus.stdout));
    const report = JSON.parse(status.stdout) as { database: string; runs: Array<{ outcome: string }>; requestsToday: { used: number } };
    expect(report.database).not.toContain(password);
    // The request budget is counted in PostgreSQL as in SQLite: every request the syncs sent.
    const sentToday = (await pgQuery<{ requests: number }>(url, 'select sum(requests)::int as requests from _request_counts'))[0]!.requests;
    expect(report.requestsToday.used).toBe(sentToday);
    expect(sentToday).toBeGreaterThan(20);
    expect(report.runs.every((r) => r.outcome === 'succeeded')).toBe(true);
    for (const output of [first.stdout, first.stderr, status.stdout, status.stderr]) expect(output).not.toContain(password);
    const stored = await pgQuery<{ text: string }>(url, "select coalesce(string_agg(message, ' '), '') as text from _runs");
    expect(stored[0]!.text).not.toContain(password);

    // get writes the same rows into PostgreSQL as into SQLite.
    const callId = String(sim.account.visibleCalls()[3]!.record.id);
    const got = await runCli(['get', 'calls', callId], simEnv(sim, url));
    expect(got.code, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout).id).toBe(callId);
  }, 600_000);

  it('two syncs at once on one database: one writes, the other exits 3; a killed holder frees the lock at once', async () => {
    const sim = await startSimulator({ calls: 300 });
    sim.faults.latencyMs = 30;
    const url = await freshPostgresDatabase('concurrent');
    const env = simEnv(sim, url);
    const reference = path.join(tempDir(), 'reference.db');
    expect((await runCli(['sync', '--streams', SYNCED_STREAMS], simEnv(sim, reference))).code).toBe(0);

    const [a, b] = await Promise.all([
      runCli(['sync', '--streams', SYNCED_STREAMS], env),
      runCli(['sync', '--streams', SYNCED_STREAMS], env),
    ]);
    const codes = [a.code, b.code].sort();
    // Both 0 only if one finished before the other began; never two writers.
    expect(codes[0]).toBe(0);
    expect([0, 3]).toContain(codes[1]);
    const loser = a.code === 3 ? a : b.code === 3 ? b : undefined;
    if (loser) expect(messagesOf(loser.stderr)).toMatch(/Another gong-sync \(sync, pid \d+ on .+\) is writing to this database/);
    await expectSameTables(url, reference, SYNCED_TABLES, expect);

    // A holder killed mid-run: its session ends, the server frees the lock, the next sync runs now.
    sim.account.addCalls(30);
    const { child, result } = spawnCli(['sync', '--streams', SYNCED_STREAMS, '--force-refresh'], env);
    let seen = 0;
    sim.onRequest = (entry) => {
      if (entry.path.startsWith('/v2/') && ++seen === 3) child.kill('SIGKILL');
    };
    expect((await result).signal).toBe('SIGKILL');
    sim.onRequest = undefined;
    const during = await runCli(['status', '--json'], { GONG_DB: url });
    const runs = (JSON.parse(during.stdout) as { runs: Array<{ outcome: string }> }).runs;
    expect(runs[0]!.outcome).toBe('interrupted');
    const next = await runCli(['sync', '--streams', SYNCED_STREAMS], env);
    expect(next.code, next.stderr).toBe(0);
    expect(messagesOf(next.stderr)).not.toMatch(/taking over a stale lock/);
  }, 600_000);

  it('query cannot change anything: writes, DDL and smuggled statements fail with exit 2; tables read by plain names', async () => {
    const sim = await startSimulator({ calls: 60 });
    const url = await freshPostgresDatabase('readonly');
    const sync = await runCli(['sync', '--streams', 'users,calls'], simEnv(sim, url));
    expect(sync.code, sync.stderr).toBe(0);
    const before = await pgQuery<{ n: number }>(url, 'select count(*)::int as n from calls');
    expect(before[0]!.n).toBe(60);
    for (const sql of [
      'delete from calls',
      'drop table calls',
      'select 1; drop table calls',
      'select 1; commit; drop table calls',
      'with gone as (delete from calls returning id) select count(*) from gone',
      'select pg_advisory_lock(1); update calls set title = null',
    ]) {
      const result = await runCli(['query', sql], { GONG_DB: url });
      expect(result.code, sql).toBe(2);
      expect(messagesOf(result.stderr), sql).toMatch(/read-only|SQL error/);
    }
    const after = await pgQuery<{ n: number; titled: number }>(url, 'select count(*)::int as n, count(title)::int as titled from calls');
    expect(after[0]).toEqual({ n: 60, titled: 60 });
    const read = await runCli(['query', 'select count(*) as n from calls', '--format', 'json'], { GONG_DB: url });
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toEqual([{ n: 60 }]);
    const slow = await runCli(['query', 'select pg_sleep(5)', '--timeout', '0.5'], { GONG_DB: url });
    expect(slow.code).toBe(2);
    expect(messagesOf(slow.stderr)).toMatch(/time limit/);
  }, 300_000);

  it('GONG_DB_SCHEMA keeps the tables in their own schema; a wrong password is exit 2 that never shows it', async () => {
    const sim = await startSimulator({ calls: 40 });
    const url = await freshPostgresDatabase('schema');
    const sync = await runCli(['sync', '--streams', 'users,calls'], simEnv(sim, url, { GONG_DB_SCHEMA: 'gong_sales' }));
    expect(sync.code, sync.stderr).toBe(0);
    const tables = await pgQuery<{ table_schema: string }>(
      url,
      "select distinct table_schema from information_schema.tables where table_name = 'calls'",
    );
    expect(tables).toEqual([{ table_schema: 'gong_sales' }]);
    const read = await runCli(['query', 'select count(*) as n from calls', '--format', 'json'], {
      GONG_DB: url,
      GONG_DB_SCHEMA: 'gong_sales',
    });
    expect(JSON.parse(read.stdout)).toEqual([{ n: 40 }]);

    const wrong = new URL(url);
    wrong.password = 'not-the-password-x9';
    const refused = await runCli(['sync', '--streams', 'users'], simEnv(sim, wrong.toString()));
    expect(refused.code).toBe(2);
    expect(messagesOf(refused.stderr)).toMatch(
      /Cannot use the PostgreSQL database postgres:\/\/(postgres|\*\*\*)@127\.0\.0\.1:\d+\/schema_\w+: the server rejected the login/,
    );
    expect(refused.stderr + refused.stdout).not.toContain('not-the-password-x9');
  }, 300_000);
});

describe('PostgreSQL going away', () => {
  it('the server stops mid-sync: exit 1 with one message naming the server and saying what is kept, not a stack trace', async () => {
    const server = await startPostgres();
    try {
      const sim = await startSimulator({ calls: 400 });
      sim.faults.latencyMs = 20;
      const url = await server.createDatabase('goes_away');
      const env = simEnv(sim, url);
      const { child, result } = spawnCli(['sync', '--streams', SYNCED_STREAMS], env);
      let seen = 0;
      let stopping: Promise<void> | undefined;
      sim.onRequest = (entry) => {
        if (entry.path.startsWith('/v2/') && ++seen === 8) stopping = server.stop();
      };
      const outcome = await result;
      sim.onRequest = undefined;
      await stopping;
      expect(outcome.signal).toBeNull();
      expect(outcome.code, outcome.stderr).toBe(1);
      expect(messagesOf(outcome.stderr)).toMatch(
        /Lost the connection to the PostgreSQL database postgres:\/\/(postgres|\*\*\*)@127\.0\.0\.1:\d+\/goes_away.*run again/,
      );
      expect(outcome.stderr).not.toMatch(/\n\s+at /);
      expect(child.exitCode).toBe(1);
    } finally {
      await server.stop();
    }
  }, 300_000);
});

describe('PostgreSQL edges', () => {
  it('NUL characters and integers past 2^31 are stored (SQLite takes both; a page must not fail on them)', async () => {
    const url = await freshPostgresDatabase('edges');
    const database = await connectDatabase(url, { schema: 'gong' });
    try {
      await migrateToLatest(database);
      const exec = new SqlExecutor(database);
      const loader = new RowLoader(exec);
      const sentence = {
        call_id: '12345678901234567890',
        seq: 0,
        segment_index: 0,
        speaker_id: '1',
        topic: null,
        start_ms: 3_000_000_000,
        end_ms: 9_007_199_254_740_991,
        text: 'before\u0000after',
      };
      await exec.transaction(() =>
        loader.write(
          [
            {
              name: 'transcript_sentences',
              primaryKey: ['call_id', 'seq'],
              replaceChildrenOf: { table: 'call_transcripts', parentColumn: 'call_id', column: 'call_id' },
            },
          ],
          { transcript_sentences: [sentence] },
          new Date().toISOString(),
        ),
      );
    } finally {
      await database.close();
    }
    const rows = await pgQuery(url, 'select call_id, start_ms, end_ms, text from transcript_sentences');
    expect(rows).toEqual([
      { call_id: '12345678901234567890', start_ms: 3_000_000_000, end_ms: 9_007_199_254_740_991, text: 'beforeafter' },
    ]);
  });

  it('a password the URL parser cannot read (an unencoded "/") is still never shown', async () => {
    const secret = 'ab/cd+ef==x9';
    const url = `postgres://gong_sync:${secret}@127.0.0.1:1/gong`;
    expect(displayUrl(url)).not.toContain('ab/cd');
    const result = await runCli(['status'], { GONG_DB: url });
    expect(result.code).toBe(2);
    expect(result.stdout + result.stderr).not.toContain('ab/cd');
    expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it('a sync whose lock session is terminated stops after the current page with exit 3 (another writer may start)', async () => {
    const sim = await startSimulator({ calls: 300 });
    sim.faults.latencyMs = 40;
    const url = await freshPostgresDatabase('lock_lost');
    const { result } = spawnCli(['sync', '--streams', SYNCED_STREAMS], simEnv(sim, url));
    let seen = 0;
    let terminated: Promise<unknown> | undefined;
    sim.onRequest = (entry) => {
      if (entry.path.startsWith('/v2/') && ++seen === 6) {
        terminated = pgQuery(
          url,
          // The session holding the sync lock (key gong-sync:<schema>:sync), not a request-log claim.
          "select pg_terminate_backend(l.pid) from pg_locks l where l.locktype = 'advisory' and l.granted and l.objsubid = 1 " +
            "and l.objid = (hashtext('gong-sync:gong:sync')::bigint & 4294967295)::oid and l.database = (select oid from pg_database where datname = current_database())",
        );
      }
    };
    const outcome = await result;
    sim.onRequest = undefined;
    expect(((await terminated) as unknown[]).length).toBe(1);
    expect(outcome.code, outcome.stderr).toBe(3);
    expect(messagesOf(outcome.stderr)).toMatch(/the database session holding the sync lock ended/);
    const next = await runCli(['sync', '--streams', SYNCED_STREAMS], simEnv(sim, url));
    expect(next.code, next.stderr).toBe(0);
  }, 300_000);
});
