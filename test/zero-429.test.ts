import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS, startSimulator } from './helpers/simulator.js';
import { runCli, simEnv, tempDir } from './helpers/cli.js';
import { query } from './helpers/database.js';
import { GongClient, type RequestBudget } from '../src/gong/client.js';
import { checkConnection } from '../src/gong/connection-check.js';
import { RequestPacer } from '../src/gong/pacer.js';
import { SqlExecutor } from '../src/db/sql-executor.js';
import { migrateToLatest, openDatabase } from '../src/db/database.js';
import { DailyRequestCounter } from '../state/request-counter.js';
import { SharedRequestTimes } from '../state/request-times.js';

/**
 * The daily counter, whose database write is held up now and then, as it is while another
 * gong-sync process holds SQLite's write lock (a page commit, migrations of a new file, the
 * statistics a finishing process writes). The wait is asynchronous here because this process
 * also hosts the simulator, whose clock a blocked event loop would skew.
 */
class HeldUpCounter implements RequestBudget {
  private calls = 0;
  readonly held: number[] = [];

  constructor(
    private readonly counter: DailyRequestCounter,
    private readonly holdOn: Set<number>,
    private readonly holdMs: number,
  ) {}

  async consume(): Promise<void> {
    if (this.holdOn.has(++this.calls)) {
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, this.holdMs));
      this.held.push(Date.now() - started);
    }
    await this.counter.consume();
  }
}

/** Rounds of three simultaneous first syncs under load (each about one sync long). */
const ROUNDS = 3;
const SYNC_STREAMS = 'users,calls_extensive';

/** Most requests the server saw in any 1000 ms. */
function peakPerSecond(times: number[]): number {
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

describe('zero 429s at 3 requests per second', () => {
  it('counts a request from when it left when its budget write was held up after its slot (connection check and client)', async () => {
    const sim = await startSimulator({ calls: 40, rateLimitPerSecond: 3 });
    const file = path.join(tempDir(), 'gong.db');
    const database = openDatabase(file);
    try {
      await migrateToLatest(database);
      const exec = new SqlExecutor(database);
      const pacer = new RequestPacer({ requestsPerSecond: 3, shared: new SharedRequestTimes(exec) });
      // The check's write and the 3rd client request's write wait 300 ms: far more than any margin.
      const budget = new HeldUpCounter(new DailyRequestCounter(exec, 10_000), new Set([1, 4]), 300);
      const auth = { kind: 'basic' as const, accessKey: DEMO_CREDENTIALS.accessKey, accessKeySecret: DEMO_CREDENTIALS.accessKeySecret };
      const client = new GongClient({ baseUrl: sim.url, auth, pacer, budget });
      try {
        const verdict = await checkConnection({
          baseUrl: sim.url,
          authorization: client.authorizationHeader,
          authKind: 'basic',
          pacer,
          budget,
        });
        expect(verdict.ok).toBe(true);
        for (let i = 0; i < 7; i++) await client.request({ method: 'GET', path: '/v2/users' });
      } finally {
        await client.close();
      }
      expect(budget.held.length).toBe(2);
      expect(Math.min(...budget.held)).toBeGreaterThanOrEqual(290);
      const times = sim.apiRequests().map((r) => r.at);
      expect(times.length).toBe(8);
      expect(sim.stats.throttled).toBe(0);
      expect(peakPerSecond(times)).toBeLessThanOrEqual(3);
      // Other processes pace themselves by the shared record: it holds every request, as it left.
      const logged = query<{ sent_at_ms: number }>(file, 'select sent_at_ms from _request_log order by sent_at_ms').map((r) =>
        Number(r.sent_at_ms),
      );
      expect(logged.length).toBe(8);
      expect(peakPerSecond(logged)).toBeLessThanOrEqual(3);
    } finally {
      await database.close();
    }
  });
});

describe('zero 429s on a loaded machine', () => {
  it('with six CPU burners, simultaneous first syncs on a new database and a sync through faults provoke no 429', async () => {
    const burners = Array.from({ length: 6 }, () => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    try {
      const sim = await startSimulator({ calls: 120, days: 30, rateLimitPerSecond: 3 });
      const dir = tempDir();
      const start = { GONG_RATE_LIMIT: '3', GONG_START_DATE: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10) };
      for (let round = 0; round < ROUNDS; round++) {
        const env = simEnv(sim, path.join(dir, `new-${round}.db`), start);
        const codes = (await Promise.all([0, 1, 2].map(() => runCli(['sync', '--streams', SYNC_STREAMS], env)))).map((r) => r.code);
        // One takes the lock and syncs; the others stop at once (exit 3, resumable).
        expect(codes.sort()).toEqual([0, 3, 3]);
      }
      Object.assign(sim.faults, { error503: 0.1, drop: 0.05 });
      const faulty = await runCli(['sync', '--streams', SYNC_STREAMS], simEnv(sim, path.join(dir, 'faulty.db'), start));
      expect(faulty.code).toBe(0);
      expect(sim.requests.filter((r) => r.fault).length).toBeGreaterThan(0);
      const times = sim.apiRequests().map((r) => r.at);
      expect(sim.stats.throttled).toBe(0);
      expect(peakPerSecond(times)).toBeLessThanOrEqual(3);
    } finally {
      for (const burner of burners) burner.kill();
    }
  }, 120_000);
});
