import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { tempDir } from './helpers/cli.js';
import { column, query } from './helpers/database.js';
import { appFor, syncInProcess } from './helpers/in-process.js';
import { findStream, streams } from '../streams/index.js';
import { syncOptions } from '../src/app.js';
import { runSync } from '../src/runner/sync.js';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';
import { connectDatabase, migrateToLatest } from '../src/db/database.js';
import { SqlExecutor } from '../src/db/sql-executor.js';
import { migrations } from '../migrations/index.js';

const BEFORE_CHILDREN_WITHOUT_STAMPS = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '2026-12-03-0031'));

const tables = streams.flatMap((s) => s.tables);
const childTables = tables.filter((t) => t.replaceChildrenOf).map((t) => t.name);
const stampedTables = tables.filter((t) => !t.replaceChildrenOf).map((t) => t.name);

const columnsOf = (db: string, table: string) => column(db, `select name from pragma_table_info('${table}')`);

describe('child tables carry their parent stamp, not their own', () => {
  it('stamps every entity row and no child row; a child whose parent leaves Gong leaves the copy with it', async () => {
    const sim = await startSimulator({ calls: 60, days: 30 });
    const db = path.join(tempDir(), 'gong.db');
    await syncInProcess(sim, db);

    expect(childTables.length).toBeGreaterThan(20);
    for (const table of childTables) expect(columnsOf(db, table), table).not.toContain('synced_at');
    for (const table of stampedTables) expect(columnsOf(db, table), table).toContain('synced_at');
    // The old view keeps its stamp, from the call.
    const [hit] = query<{ synced_at: string | null }>(db, 'select synced_at from call_tracker_hits limit 1');
    expect(hit?.synced_at).toMatch(/^\d{4}-\d\d-\d\dT/);

    // A tracker Gong no longer lists goes when the refresh completes, and so do its keywords.
    const leaving = sim.account.trackers.pop()!;
    const leavingId = String(leaving.trackerId);
    expect(Number(column(db, `select count(*) from tracker_keywords where tracker_id = '${leavingId}'`)[0])).toBeGreaterThan(0);
    const staying = sim.account.trackers.map((t) => String(t.trackerId)).sort();
    const app = await appFor(sim, db);
    try {
      const report = await runSync(syncOptions(app, [findStream('settings_trackers')!], { ignoreRefreshIntervals: true }));
      expect(report.outcome, report.error?.message).toBe('succeeded');
    } finally {
      await app.close();
    }
    expect(column(db, `select count(*) from settings_trackers where tracker_id = '${leavingId}'`)).toEqual(['0']);
    expect(column(db, `select count(*) from tracker_keywords where tracker_id = '${leavingId}'`)).toEqual(['0']);
    expect(column(db, 'select distinct tracker_id from tracker_keywords order by tracker_id')).toEqual(staying);
  }, 60_000);

  it('migration 0031 drops the stamps of child rows in place, keeping every row, on SQLite and PostgreSQL', async () => {
    for (const target of [path.join(tempDir(), 'old.db'), await freshPostgresDatabase('child_stamps')]) {
      const old = await connectDatabase(target);
      try {
        await migrateToLatest(old, undefined, BEFORE_CHILDREN_WITHOUT_STAMPS);
        const exec = new SqlExecutor(old);
        const stamp = '2024-06-01T00:00:00Z';
        await exec.run(exec.db.insertInto('calls_extensive').values({ id: '1', raw: '{}', synced_at: stamp }));
        await exec.run(
          exec.db.insertInto('call_trackers').values([
            { call_id: '1', tracker_id: 't1', name: 'Pricing', count: 2, synced_at: stamp },
            { call_id: '1', tracker_id: 't2', name: 'Budget', count: 1, synced_at: stamp },
          ]),
        );
        await exec.run(exec.db.insertInto('call_topics').values({ call_id: '1', name: 'Intro', duration: 30, synced_at: stamp }));
        await migrateToLatest(old);
        const read = (q: string) => old.backend.all<Record<string, unknown>>(q, []);
        expect(await read('select tracker_id, name, count from call_trackers order by tracker_id')).toEqual([
          { tracker_id: 't1', name: 'Pricing', count: 2 },
          { tracker_id: 't2', name: 'Budget', count: 1 },
        ]);
        expect(await read('select name from call_topics')).toEqual([{ name: 'Intro' }]);
        const hits = await read('select tracker_id, synced_at from call_tracker_hits order by tracker_id');
        expect(hits.map((h) => [h.tracker_id, new Date(String(h.synced_at)).toISOString()])).toEqual([
          ['t1', '2024-06-01T00:00:00.000Z'],
          ['t2', '2024-06-01T00:00:00.000Z'],
        ]);
        const stamped = (await old.adapter.listTables()).filter((t) => t.columns.some((c) => c.name === 'synced_at')).map((t) => t.name);
        for (const table of childTables) expect(stamped, table).not.toContain(table);
      } finally {
        await old.close();
      }
    }
  }, 60_000);
});
