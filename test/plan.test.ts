import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { runCli, simEnv, tempDir } from './helpers/cli.js';
import { loadConfig } from '../src/config.js';
import { createApp, syncOptions } from '../src/app.js';
import { runSync } from '../src/runner/sync.js';
import { estimatePlan, type Plan } from '../src/plan/estimate.js';
import { selectStreams } from '../src/cli/stream-selection.js';
import { connectionCheckOf } from '../src/cli/commands/check.js';
import type { GongSimulator } from '../src/simulator/server.js';

const DAY_MS = 86_400_000;

/** The plan, then the sync it describes, on the same fresh database: what each sent. */
async function planThenSync(sim: GongSimulator, env: Record<string, string>, streams?: string) {
  const db = path.join(tempDir(), 'gong.db');
  const config = loadConfig(simEnv(sim, db, env));
  const app = await createApp(config);
  try {
    const selected = selectStreams(streams);
    const before = sim.requests.length;
    const plan: Plan = await estimatePlan({
      client: app.client,
      streams: selected,
      settings: { includePrivateCalls: true },
      runStartedAt: new Date(),
      timeZone: config.timeZone,
      startDate: config.startDate,
      dailyBudget: config.dailyBudget,
      usedToday: await app.counter.usedToday(),
      requestsPerSecond: config.rateLimit,
      connectionCheck: true,
    });
    const probes = sim.requests.length - before;
    const report = await runSync(syncOptions(app, selected, { preflight: connectionCheckOf(app) }));
    expect(report.outcome, report.error?.message).toBe('succeeded');
    return { plan, probes, sent: sim.requests.length - before - probes, report };
  } finally {
    await app.close();
  }
}

describe('gong-sync plan', () => {
  it('estimates a first sync of a year within 15% with at most 20 requests, per stream and in days', async () => {
    const sim = await startSimulator({ calls: 1000, days: 365 });
    const { plan, probes, sent, report } = await planThenSync(sim, {});
    expect(probes).toBe(plan.probes);
    expect(probes).toBeLessThanOrEqual(20);
    const perStream = report.streams.map((s) => `${s.stream} ${plan.streams[s.stream]?.requests}/${s.requests}`).join(', ');
    expect(Math.abs(plan.requests - sent) / sent, `planned ${plan.requests}, sent ${sent}: ${perStream}`).toBeLessThanOrEqual(0.15);
    // Per stream too, for the streams that dominate.
    for (const name of ['calls_extensive', 'call_transcripts']) {
      const actual = report.streams.find((s) => s.stream === name)!.requests;
      expect(
        Math.abs(plan.streams[name]!.requests - actual),
        `${name}: planned ${plan.streams[name]!.requests}, sent ${actual}`,
      ).toBeLessThanOrEqual(Math.max(2, actual * 0.15));
    }
    expect(plan.days).toBeCloseTo(plan.requests / 9000, 2);
  }, 120_000);

  it('estimates three years of calls from an older start date within 15%', async () => {
    const sim = await startSimulator({ calls: 1500, days: 1095 });
    const from = new Date(Date.now() - 1095 * DAY_MS).toISOString().slice(0, 10);
    const { plan, sent } = await planThenSync(
      sim,
      { GONG_START_DATE: from, GONG_DAILY_BUDGET: '100000' },
      'users,calls_extensive,call_transcripts',
    );
    expect(plan.probes).toBeLessThanOrEqual(20);
    expect(Math.abs(plan.requests - sent) / sent, `planned ${plan.requests}, sent ${sent}`).toBeLessThanOrEqual(0.15);
  }, 120_000);

  it('prints {requests, days, streams} with --json, and refuses a start before Gong existed with exit 2', async () => {
    const sim = await startSimulator({ calls: 120 });
    const db = path.join(tempDir(), 'gong.db');
    const result = await runCli(
      ['plan', '--json', '--streams', 'users,calls_extensive,call_transcripts'],
      simEnv(sim, db, { GONG_DAILY_BUDGET: '5' }),
    );
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as Plan;
    expect(Object.keys(plan.streams)).toEqual(expect.arrayContaining(['users', 'calls_extensive', 'call_transcripts']));
    expect(plan.requests).toBe(Object.values(plan.streams).reduce((sum, s) => sum + s.requests, 0));
    expect(plan.days).toBeGreaterThan(0);
    // More requests than the day's 5: the ETA lies on a later UTC day.
    expect(plan.requests).toBeGreaterThan(5);
    expect(plan.eta.slice(0, 10) > new Date().toISOString().slice(0, 10)).toBe(true);

    const early = await runCli(['plan', '--from', '0001-01-01'], simEnv(sim, db));
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/before 2010-01-01/);
    const sync = await runCli(['sync', '--streams', 'users'], simEnv(sim, db, { GONG_START_DATE: '0001-01-01' }));
    expect(sync.code).toBe(2);
    expect(sync.stderr).toMatch(/GONG_START_DATE\) 0001-01-01 is before 2010-01-01/);
  }, 120_000);
});
