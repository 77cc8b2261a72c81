import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { simEnv, tempDir } from './helpers/cli.js';
import { column, query } from './helpers/database.js';
import { loadConfig } from '../src/config.js';
import { createApp, syncOptions } from '../src/app.js';
import { runSync } from '../src/runner/sync.js';
import { findStream } from '../streams/index.js';

describe('transcript batches', () => {
  it('asks for at most 100 call ids; a 400 naming the id list halves the batch, every transcript still arrives, and the run note says so', async () => {
    const sim = await startSimulator({ calls: 150 });
    sim.maxCallIds = 40; // a tenant stricter than Gong's documented 100
    const db = path.join(tempDir(), 'gong.db');
    const app = await createApp(loadConfig(simEnv(sim, db)));
    try {
      const report = await runSync(syncOptions(app, [findStream('calls')!, findStream('call_transcripts')!]));
      expect(report.outcome, report.error?.message).toBe('succeeded');
    } finally {
      await app.close();
    }
    const batches = sim.requests.filter((r) => r.path === '/v2/calls/transcript');
    expect(Math.max(...batches.map((r) => r.body.filter.callIds.length))).toBeLessThanOrEqual(100);
    expect(batches.some((r) => r.status === 400)).toBe(true);
    const ready = sim.account
      .visibleCalls()
      .filter((c) => c.transcriptReady)
      .map((c) => String(c.record.id))
      .sort();
    expect(column(db, 'select call_id from call_transcripts order by call_id')).toEqual(ready);
    const [run] = query<{ message: string }>(db, "select message from _runs where outcome = 'succeeded'");
    expect(run!.message).toMatch(/call_transcripts: Gong refused a batch of 100 ids .*halved to 50/);
  }, 60_000);
});
