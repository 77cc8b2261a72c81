import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { runCli, simEnv, spawnCli, tempDir } from './helpers/cli.js';
import { contentOf, query } from './helpers/database.js';
import { SYNCED_STREAMS, SYNCED_TABLES } from './helpers/streams.js';

const STREAMS = SYNCED_STREAMS;
const TABLES = SYNCED_TABLES;

describe('a sync that is killed, or fed faults', () => {
  it('killed with SIGKILL at several points and rerun, ends with exactly the rows of an uninterrupted sync', async () => {
    const sim = await startSimulator({ calls: 430 });
    const dir = tempDir();
    const reference = path.join(dir, 'reference.db');
    expect((await runCli(['sync', '--streams', STREAMS], simEnv(sim, reference))).code).toBe(0);
    const totalRequests = sim.apiRequests().length;
    expect(totalRequests).toBeGreaterThan(12);

    const victim = path.join(dir, 'victim.db');
    const env = simEnv(sim, victim);
    let kills = 0;
    // Kill at different depths of the run: before, during and after pages are written.
    for (const [killAt, delayMs] of [
      [1, 0],
      [3, 2],
      [5, 0],
      [6, 15],
      [9, 5],
      [12, 0],
    ] as const) {
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
    const final = await runCli(['sync', '--streams', STREAMS], env);
    expect(final.code).toBe(0);
    expect(contentOf(victim, TABLES)).toEqual(contentOf(reference, TABLES));
    // No checkpoint is left pointing into an unfinished pass.
    expect(query(victim, 'select stream from _sync_state where checkpoint is not null')).toEqual([]);
  });

  it('completes with the same rows through 503s, dropped connections and truncated bodies', async () => {
    const sim = await startSimulator({ calls: 1500 });
    const dir = tempDir();
    const reference = path.join(dir, 'reference.db');
    expect((await runCli(['sync', '--streams', STREAMS], simEnv(sim, reference))).code).toBe(0);

    Object.assign(sim.faults, { error503: 0.05, drop: 0.02, truncate: 0.02 });
    sim.clearLog();
    const faulty = path.join(dir, 'faulty.db');
    const result = await runCli(['sync', '--streams', STREAMS], simEnv(sim, faulty));
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
    expect((await runCli(['sync', '--streams', STREAMS], simEnv(sim, reference))).code).toBe(0);

    Object.assign(sim.faults, { html200: 0.05, hang: 0.05, drop: 0.05, expireNextCursor: true });
    sim.clearLog();
    const faulty = path.join(dir, 'faulty.db');
    const result = await runCli(['sync', '--streams', STREAMS], simEnv(sim, faulty, { GONG_REQUEST_TIMEOUT_MS: '400' }));
    expect(result.code).toBe(0);
    expect(contentOf(faulty, TABLES)).toEqual(contentOf(reference, TABLES));
    expect(sim.requests.filter((r) => r.status === 400).length).toBe(1);
    expect(new Set(sim.requests.map((r) => r.fault).filter(Boolean))).toEqual(new Set(['html200', 'hang', 'drop']));
    expect(result.stderr).toMatch(/cursor expired; restarting window/);
  });

  it('at Gong\'s strict 3 requests per second, provokes no 429 and never sends more than 3 in any second', async () => {
    const sim = await startSimulator({ calls: 450, rateLimitPerSecond: 3 });
    const db = path.join(tempDir(), 'gong.db');
    const result = await runCli(['sync', '--streams', STREAMS], simEnv(sim, db, { GONG_RATE_LIMIT: '3' }));
    expect(result.code).toBe(0);
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
    const result = await runCli(['sync', '--streams', 'users,calls'], simEnv(sim, db));
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
    const result = await runCli(['sync', '--streams', 'users,calls'], simEnv(sim, db));
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/wait 10800s/);
    const again = await runCli(['sync', '--streams', 'users,calls'], simEnv(sim, db));
    expect(again.code).toBe(0);
    expect(query(db, 'select count(*) n from calls')).toEqual([{ n: 120 }]);
  });
});
