import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { runCli, simEnv, spawnCli, tempDir, runInProcess } from './helpers/cli.js';
import { contentOf, query } from './helpers/database.js';
import { SYNCED_STREAMS, SYNCED_TABLES } from './helpers/streams.js';
import { RequestPacer } from '../src/gong/pacer.js';
import { SharedRequestTimes } from '../state/request-times.js';
import { SqlExecutor } from '../src/db/sql-executor.js';
import { migrateToLatest, openDatabase } from '../src/db/database.js';

const STREAMS = SYNCED_STREAMS;
const TABLES = SYNCED_TABLES;

/** Kill at different depths of the run: [the API request to kill at, ms after it]. */
const KILL_POINTS = [
  [1, 0],
  [3, 2],
  [5, 0],
  [6, 15],
  [9, 5],
  [12, 0],
] as const;

describe('a sync that is killed, or fed faults', () => {
  it(
    'killed with SIGKILL at several points and rerun, ends with exactly the rows of an uninterrupted sync',
    async () => {
      const sim = await startSimulator({ calls: 430 });
      const dir = tempDir();
      const reference = path.join(dir, 'reference.db');
      expect((await runInProcess(['sync', '--streams', STREAMS], simEnv(sim, reference))).code).toBe(0);
      const totalRequests = sim.apiRequests().length;
      expect(totalRequests).toBeGreaterThan(12);

      const victim = path.join(dir, 'victim.db');
      const env = simEnv(sim, victim);
      let kills = 0;
      for (const [killAt, delayMs] of KILL_POINTS) {
        let seen = 0;
        const { child, result } = spawnCli(['sync', '--streams', STREAMS], env);
        sim.onRequest = (entry) => {
          if (!entry.path.startsWith('/v2/')) return;
          if (++seen === killAt) setTimeout(() => child.kill('SIGKILL'), delayMs);
        };
        const outcome = await result;
        if (outcome.signal === 'SIGKILL') kills++;
        sim.onRequest = undefined;
        const integrity = query<{ integrity_check: string }>(victim, 'pragma integrity_check');
        expect(integrity).toEqual([{ integrity_check: 'ok' }]);
      }
      expect(kills).toBeGreaterThanOrEqual(4);
      const final = await runInProcess(['sync', '--streams', STREAMS], env);
      expect(final.code).toBe(0);
      expect(contentOf(victim, TABLES)).toEqual(contentOf(reference, TABLES));
      // No checkpoint is left pointing into an unfinished pass.
      expect(query(victim, 'select stream from _sync_state where checkpoint is not null')).toEqual([]);
      // Each kill costs a process start and a partial sync: the time allowed grows with the kill count.
    },
    60_000 + KILL_POINTS.length * 30_000,
  );

  it('completes with the same rows through 503s, dropped connections and truncated bodies', async () => {
    const sim = await startSimulator({ calls: 1500 });
    const dir = tempDir();
    const reference = path.join(dir, 'reference.db');
    expect((await runInProcess(['sync', '--streams', STREAMS], simEnv(sim, reference))).code).toBe(0);

    Object.assign(sim.faults, { error503: 0.05, drop: 0.02, truncate: 0.02 });
    sim.clearLog();
    const faulty = path.join(dir, 'faulty.db');
    const result = await runInProcess(['sync', '--streams', STREAMS], simEnv(sim, faulty));
    expect(result.code).toBe(0);
    expect(contentOf(faulty, TABLES)).toEqual(contentOf(reference, TABLES));
    const faults = sim.requests.filter((r) => r.fault).map((r) => r.fault);
    expect(faults.length).toBeGreaterThanOrEqual(3);
    expect(faults).toContain('503');
  });

  it('recovers from HTML error pages, hung responses, dropped connections and an expired cursor', async () => {
    const sim = await startSimulator({ calls: 420 });
    const dir = tempDir();
    const reference = path.join(dir, 'reference.db');
    expect((await runInProcess(['sync', '--streams', STREAMS], simEnv(sim, reference))).code).toBe(0);

    // Each kind at least once (after the connection check's request), then at random.
    Object.assign(sim.faults, {
      html200: 0.05,
      hang: 0.05,
      drop: 0.05,
      expireNextCursor: true,
      faultsNext: ['none', 'html200', 'hang', 'drop'],
    });
    sim.clearLog();
    const faulty = path.join(dir, 'faulty.db');
    const result = await runCli(['sync', '--streams', STREAMS], simEnv(sim, faulty, { GONG_REQUEST_TIMEOUT_MS: '400' }));
    expect(result.code).toBe(0);
    expect(contentOf(faulty, TABLES)).toEqual(contentOf(reference, TABLES));
    expect(sim.requests.filter((r) => r.status === 400).length).toBe(1);
    expect(new Set(sim.requests.map((r) => r.fault).filter(Boolean))).toEqual(new Set(['html200', 'hang', 'drop']));
    expect(result.stderr).toMatch(/cursor expired; restarting window/);
  });

  it("at Gong's strict 3 requests per second, provokes no 429 and never sends more than 3 in any second", async () => {
    const sim = await startSimulator({ calls: 450, rateLimitPerSecond: 3 });
    const db = path.join(tempDir(), 'gong.db');
    const result = await runCli(['sync', '--streams', STREAMS], simEnv(sim, db, { GONG_RATE_LIMIT: '3' }));
    expect(result.code).toBe(0);
    expect(sim.stats.throttled).toBe(0);
    const times = sim.apiRequests().map((r) => r.at);
    expect(times.length).toBeGreaterThan(12);
    for (let i = 3; i < times.length; i++) expect(times[i]! - times[i - 3]!).toBeGreaterThanOrEqual(1000);
  });

  it('shares the per-second limit with other gong-sync processes on the same database (get during a sync, back-to-back runs)', async () => {
    const sim = await startSimulator({ calls: 300, rateLimitPerSecond: 3 });
    const db = path.join(tempDir(), 'gong.db');
    const env = simEnv(sim, db, { GONG_RATE_LIMIT: '3' });
    // The database (and its request log) exists before the processes race for it.
    expect((await runInProcess(['migrate'], env)).code).toBe(0);
    const userId = sim.account.users[0]!.id;
    const sync = spawnCli(['sync', '--streams', 'users,calls_extensive,call_transcripts'], env);
    const gets: number[] = [];
    for (let i = 0; i < 4; i++) gets.push((await runCli(['get', 'users', userId], env)).code ?? -1);
    expect((await sync.result).code).toBe(0);
    // A second run right after the first: its first requests count the first run's last ones. A
    // process of its own: run in this one, its commits would stop the simulator's clock (Gong's
    // does not stop) and bunch the arrivals it stamps.
    expect((await runCli(['sync', '--streams', 'users,calls_extensive'], env)).code).toBe(0);
    expect(gets).toEqual([0, 0, 0, 0]);
    expect(sim.stats.throttled).toBe(0);
    const times = sim.apiRequests().map((r) => r.at);
    expect(times.length).toBeGreaterThan(12);
    for (let i = 3; i < times.length; i++) expect(times[i]! - times[i - 3]!).toBeGreaterThanOrEqual(1000);
  });

  it('obeys 429 Retry-After by pausing every request, then completes', async () => {
    const sim = await startSimulator({ calls: 120 });
    sim.faults.throttleNext = 2;
    sim.faults.throttleRetryAfterSeconds = 1;
    const db = path.join(tempDir(), 'gong.db');
    const result = await runInProcess(['sync', '--streams', 'users,calls'], simEnv(sim, db));
    expect(result.code).toBe(0);
    const api = sim.apiRequests();
    expect(api[0]!.status).toBe(429);
    expect(api[2]!.at - api[1]!.at).toBeGreaterThanOrEqual(950);
    expect(query(db, 'select count(*) n from calls')).toEqual([{ n: 120 }]);
  });

  it('stops with exit 3 and a resumable state when Gong asks to wait for hours', async () => {
    const sim = await startSimulator({ calls: 120 });
    sim.faults.throttleNext = 1;
    sim.faults.throttleRetryAfterSeconds = 3 * 3600;
    const db = path.join(tempDir(), 'gong.db');
    const result = await runInProcess(['sync', '--streams', 'users,calls'], simEnv(sim, db));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/wait 10800s/);
    const again = await runInProcess(['sync', '--streams', 'users,calls'], simEnv(sim, db));
    expect(again.code).toBe(0);
    expect(query(db, 'select count(*) n from calls')).toEqual([{ n: 120 }]);
  });
});

describe('the request pacer', () => {
  const gapsOf = (times: number[], n: number) => times.slice(n).map((t, i) => t - times[i]!);

  it('spreads sends evenly and keeps any window of 1000 ms + margin to the rate, counting from when each left', async () => {
    const pacer = new RequestPacer({ requestsPerSecond: 10, machineLoad: () => 0 });
    const sent: number[] = [];
    // Each task blocks the event loop for a while after it starts, like a synchronous page commit.
    const tasks = Array.from({ length: 25 }, (_, i) =>
      pacer.run(async () => {
        sent.push(Date.now());
        if (i % 4 === 0) {
          const until = Date.now() + 60;
          while (Date.now() < until);
        }
      }),
    );
    await Promise.all(tasks);
    const margin = 20;
    for (const gap of gapsOf(sent, 10)) expect(gap).toBeGreaterThanOrEqual(1000 + margin);
    for (const gap of gapsOf(sent, 1)) expect(gap).toBeGreaterThanOrEqual((1000 + margin) / 10 - 1);
    expect(pacer.stats.sends).toBe(25);
  });

  it('widens its margin after a 429 and narrows it again while sends are clean', async () => {
    const pacer = new RequestPacer({ requestsPerSecond: 1000, machineLoad: () => 0 });
    const base = pacer.marginMs;
    pacer.pauseFor(1);
    const widened = pacer.marginMs;
    expect(widened).toBeGreaterThanOrEqual(base * 2);
    await Promise.all(Array.from({ length: 300 }, () => pacer.run(async () => undefined)));
    expect(pacer.marginMs).toBeLessThan(widened);
    expect(pacer.marginMs).toBeGreaterThanOrEqual(base);
  });

  it('two pacers on one database share the limit through _request_log', async () => {
    const file = path.join(tempDir(), 'shared.db');
    const databases = [openDatabase(file), openDatabase(file)];
    await migrateToLatest(databases[0]!);
    const pacers = databases.map(
      (d) => new RequestPacer({ requestsPerSecond: 5, machineLoad: () => 0, shared: new SharedRequestTimes(new SqlExecutor(d)) }),
    );
    const sent: number[] = [];
    await Promise.all(pacers.flatMap((p) => Array.from({ length: 8 }, () => p.run(async () => void sent.push(Date.now())))));
    sent.sort((a, b) => a - b);
    for (const gap of gapsOf(sent, 5)) expect(gap).toBeGreaterThanOrEqual(1000);
    expect(query(file, 'select count(*) n from _request_log')).toEqual([{ n: 16 }]);
    for (const d of databases) await d.close();
  });
});
