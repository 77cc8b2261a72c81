import { describe, expect, it } from 'vitest';
import { startSimulator, DEMO_CREDENTIALS } from './helpers/simulator.js';
import { appFor, syncInProcess } from './helpers/in-process.js';
import { DESTINATIONS, type Destination } from './helpers/mirror-destinations.js';
import { runRepair } from '../src/mirror/mirror-commands.js';
import { readStatus, formatStatus } from '../src/status.js';
import { streams } from '../streams/index.js';
import type { GongSimulator } from '../src/simulator/server.js';

/** Without calls_extensive: calls come from GET /v2/calls alone, so none has extensive data yet. */
const STREAMS_WITHOUT_EXTENSIVE = ['users', 'workspaces', 'calls', 'call_transcripts'];

async function completeness(destination: Destination, target: string) {
  const rows = await destination.rows(
    target,
    'select transcript_status as s, count(*) as n from call_completeness group by transcript_status',
  );
  const byStatus = Object.fromEntries(rows.map((r) => [String(r.s), Number(r.n)]));
  const withoutExtensive = Number(
    (await destination.rows(target, 'select count(*) as n from call_completeness where not has_extensive'))[0]!.n,
  );
  return { present: byStatus.present ?? 0, pending: byStatus.pending ?? 0, none: byStatus.none ?? 0, withoutExtensive };
}

async function addUnlistedWorkspaceField(sim: GongSimulator, name: string): Promise<void> {
  const auth = 'Basic ' + Buffer.from(`${DEMO_CREDENTIALS.accessKey}:${DEMO_CREDENTIALS.accessKeySecret}`).toString('base64');
  const response = await fetch(`${sim.url}/__admin/unlisted-workspace-field`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  expect(response.status).toBe(200);
}

describe.each(DESTINATIONS)('completeness ledger, repair and schema drift on $name', (destination) => {
  it('counts present and pending transcripts exactly, repairs exactly the incomplete calls by id, and records an unlisted field', async () => {
    const sim = await startSimulator({ calls: 110, shapes: destination.shapes });
    const pending = sim.account.addCalls(4, { transcriptReady: false }).map((c) => c.record.id);
    const old = sim.account.visibleCalls().find((c) => c.startedMs < Date.now() - 60 * 86_400_000)!;
    old.transcriptReady = false;
    await addUnlistedWorkspaceField(sim, 'regionCode');
    const target = await destination.create();
    await syncInProcess(sim, target, { streams: STREAMS_WITHOUT_EXTENSIVE });

    const visible = sim.account.visibleCalls().length;
    expect(await completeness(destination, target)).toEqual({ present: visible - 5, pending: 4, none: 1, withoutExtensive: visible });
    const drift = await destination.rows(
      target,
      "select endpoint, path, count, example_type from _schema_drift where path like '%regionCode'",
    );
    expect(drift.map((d) => ({ ...d, count: Number(d.count) }))).toEqual([
      { endpoint: 'GET /v2/workspaces', path: 'workspaces[].regionCode', count: sim.account.workspaces.length, example_type: 'string' },
    ]);

    const app = await appFor(sim, target);
    try {
      const status = await readStatus(app.database, streams, 9000);
      expect(status.mirror?.completeness.transcripts).toEqual({ present: visible - 5, pending: 4, none: 1 });
      expect(status.mirror?.newDrift.map((d) => d.path)).toContain('workspaces[].regionCode');
      expect(formatStatus(status)).toMatch(
        /schema drift first seen in the latest run .*\n(.*\n)*.*GET \/v2\/workspaces workspaces\[\]\.regionCode \(string, 2x\)/,
      );

      // Gong has published the held-back transcripts: repair asks for exactly those, by id.
      sim.account.releaseTranscripts([...pending, old.record.id]);
      sim.clearLog();
      const transcripts = await runRepair(app, { transcriptsOnly: true });
      expect(transcripts).toMatchObject({ withoutTranscript: 5, transcriptsRepaired: 5, withoutExtensive: 0 });
      const asked = sim.apiRequests().map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body?.filter?.callIds?.slice().sort())}`);
      expect(asked).toEqual([`POST /v2/calls/transcript ${JSON.stringify([...pending, old.record.id].sort())}`]);
      expect(await completeness(destination, target)).toMatchObject({ present: visible, pending: 0, none: 0 });

      // Calls without extensive data: re-read by id, 100 a request.
      sim.clearLog();
      const full = await runRepair(app, {});
      expect(full).toMatchObject({ withoutExtensive: visible, extensiveRepaired: visible, withoutTranscript: 0 });
      const extensive = sim.apiRequests('/v2/calls/extensive');
      expect(extensive.length).toBe(Math.ceil(visible / 100));
      expect(extensive.flatMap((r) => r.body.filter.callIds).sort()).toEqual(
        sim.account
          .visibleCalls()
          .map((c) => c.record.id)
          .sort(),
      );
      expect(await completeness(destination, target)).toEqual({ present: visible, pending: 0, none: 0, withoutExtensive: 0 });
    } finally {
      await app.close();
    }
  });
});
