import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { simEnv, spawnCli, tempDir, runInProcess } from './helpers/cli.js';
import { query } from './helpers/database.js';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';
import { expectSameTables, pgQuery, sqliteContent } from './helpers/postgres-database.js';
import { SYNCED_STREAMS, SYNCED_TABLES } from './helpers/streams.js';
import type { GongSimulator } from '../src/simulator/server.js';

/** Where the campaign writes, and how to read what a user would check there. */
interface Destination {
  name: string;
  create(): Promise<string>;
  rows(target: string, sql: string): Promise<Array<Record<string, unknown>>>;
  expectSameAs(target: string, reference: string): Promise<void>;
}

const destinations: Destination[] = [
  {
    name: 'SQLite',
    create: async () => path.join(tempDir(), 'victim.db'),
    rows: async (file, sql) => query(file, sql),
    expectSameAs: async (file, reference) => {
      expect(query(file, 'pragma integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      const got = sqliteContent(file, SYNCED_TABLES);
      const want = sqliteContent(reference, SYNCED_TABLES);
      for (const table of SYNCED_TABLES) expect(got[table], table).toEqual(want[table]);
    },
  },
  {
    name: 'PostgreSQL',
    create: () => freshPostgresDatabase('crash'),
    rows: (url, sql) => pgQuery(url, sql),
    expectSameAs: (url, reference) => expectSameTables(url, reference, SYNCED_TABLES, expect),
  },
];

describe.each(destinations)('crash campaign on $name', (destination) => {
  it('killed with SIGKILL at random requests while calls keep arriving: no lost or duplicate rows, state never ahead of data', async () => {
    const sim = await startSimulator({ calls: 430 });
    const target = await destination.create();
    const env = simEnv(sim, target);
    const random = mulberry(20261125);
    // Calls added between rounds start before earlier bookmarks (late data the look-back finds):
    // a bookmark's promise is checked against the calls that existed before any run.
    const original = new Set(sim.account.visibleCalls().map((c) => String(c.record.id)));
    let kills = 0;
    for (let round = 0; round < 10; round++) {
      if (round > 0) sim.account.addCalls(25);
      const killAt = 1 + Math.floor(random() * 6);
      const delayMs = Math.floor(random() * 25);
      let seen = 0;
      const { child, result } = spawnCli(['sync', '--streams', SYNCED_STREAMS], env);
      sim.onRequest = (entry) => {
        if (!entry.path.startsWith('/v2/')) return;
        if (++seen === killAt) setTimeout(() => child.kill('SIGKILL'), delayMs);
      };
      const outcome = await result;
      sim.onRequest = undefined;
      if (outcome.signal === 'SIGKILL') kills++;
      else expect(outcome.code, outcome.stderr).toBe(0);
      await expectStateBehindData(destination, target, sim, original);
    }
    expect(kills).toBeGreaterThanOrEqual(6);
    // One more run, and the copy holds exactly what one uninterrupted sync of the account holds.
    const final = await runInProcess(['sync', '--streams', SYNCED_STREAMS], env);
    expect(final.code, final.stderr).toBe(0);
    const reference = path.join(tempDir(), 'reference.db');
    expect((await runInProcess(['sync', '--streams', SYNCED_STREAMS], simEnv(sim, reference))).code).toBe(0);
    await destination.expectSameAs(target, reference);
    expect(await destination.rows(target, 'select stream from _sync_state where checkpoint is not null')).toEqual([]);
    expect(await destination.rows(target, "select id from _runs where outcome = 'running'")).toEqual([]);
  }, 900_000);
});

/** A call stream's bookmark never claims calls the database does not hold; no key is stored twice. */
async function expectStateBehindData(
  destination: Destination,
  target: string,
  sim: GongSimulator,
  existedBefore: Set<string>,
): Promise<void> {
  let states: Array<{ stream: string; bookmark: string | null; checkpoint: string | null }>;
  try {
    states = (await destination.rows(
      target,
      "select stream, bookmark, checkpoint from _sync_state where scope = 'incremental'",
    )) as typeof states;
  } catch {
    return; // killed before the first migration committed: nothing is claimed yet
  }
  const stored = new Set((await destination.rows(target, 'select id from calls')).map((r) => String(r.id)));
  for (const state of states) {
    if ((state.stream === 'calls' || state.stream === 'calls_extensive') && state.bookmark) {
      const bound = Date.parse(state.bookmark);
      // Read newest first, a first sync's older history may still be unread: the checkpoint names it.
      const unread = historyOf(state.checkpoint);
      const missing = sim.account
        .visibleCalls()
        .filter(
          (c) => existedBefore.has(String(c.record.id)) && c.startedMs < bound && !unread(c.startedMs) && !stored.has(String(c.record.id)),
        );
      expect(
        missing.map((c) => c.record.id),
        `${state.stream} bookmark ${state.bookmark}`,
      ).toEqual([]);
    }
  }
  expect(await destination.rows(target, 'select id from calls group by id having count(*) > 1')).toEqual([]);
  expect(await destination.rows(target, 'select call_id, seq from transcript_sentences group by call_id, seq having count(*) > 1')).toEqual(
    [],
  );
}

/** Whether an instant lies in the history range a checkpoint still declares unread. */
function historyOf(checkpoint: unknown): (ms: number) => boolean {
  const parsed = typeof checkpoint === 'string' ? JSON.parse(checkpoint) : checkpoint;
  const history = parsed?.history as { from: string; to: string } | undefined;
  if (!history) return () => false;
  return (ms) => ms >= Date.parse(history.from) && ms < Date.parse(history.to);
}

function mulberry(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
