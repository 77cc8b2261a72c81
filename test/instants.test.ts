import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { syncInProcess } from './helpers/in-process.js';
import { query } from './helpers/database.js';
import { tempDir } from './helpers/cli.js';
import { connectDatabase, migrateToLatest } from '../src/db/database.js';
import { SqlExecutor } from '../src/db/sql-executor.js';
import { UTC_COPIES } from '../src/db/column-kinds.js';
import { migrations } from '../migrations/index.js';
import { utcIso } from '../streams/mapping.js';

/** The stored form of a UTC instant: whole seconds, milliseconds only when there are any. */
const STORED_FORM = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.(?!000)\d{3})?Z$/;

describe('consistent instants', () => {
  it('one stored form: a UTC original and its copy are the same text; offsets become UTC', () => {
    expect(utcIso('2024-05-01T10:00:00Z')).toBe('2024-05-01T10:00:00Z');
    expect(utcIso('2024-05-01T10:00:00.000Z')).toBe('2024-05-01T10:00:00Z');
    expect(utcIso('2024-05-01T03:00:00-07:00')).toBe('2024-05-01T10:00:00Z');
    expect(utcIso('2024-05-01T10:00:00.250+02:00')).toBe('2024-05-01T08:00:00.250Z');
    expect(utcIso('not a time')).toBeNull();
  });

  it('every Gong timestamp with an offset has its UTC copy after a sync, in the stored form', async () => {
    const sim = await startSimulator({ calls: 40, days: 30 });
    const db = path.join(tempDir(), 'gong.db');
    await syncInProcess(sim, db, {
      streams: [
        'workspaces',
        'users',
        'calls',
        'library_folders',
        'library_folder_content',
        'settings_scorecards',
        'settings_trackers',
        'stats_activity_scorecards',
      ],
    });
    const copies = [
      ...Object.entries(UTC_COPIES).flatMap(([table, columns]) => columns.map((c) => [table, c])),
      ['calls', 'started'],
      ['users', 'created'],
    ];
    for (const [table, column] of copies) {
      const rows = query<{ source: string | null; copy: string | null }>(
        db,
        `select ${column} as source, ${column}_utc as copy from ${table}`,
      );
      const withSource = rows.filter((r) => r.source !== null);
      // Gong's shapes (the simulator's default) leave answeredDateTime out; every other source is sent.
      if (column !== 'answered_date_time') expect(withSource.length, `${table}.${column}`).toBeGreaterThan(0);
      for (const row of withSource) {
        expect(row.copy, `${table}.${column}_utc`).toMatch(STORED_FORM);
        expect(Date.parse(row.copy!)).toBe(Date.parse(row.source!));
      }
    }
    // started and started_utc compare equal as text wherever Gong sent UTC.
    const utcStarts = query<{ n: number; same: number }>(
      db,
      "select count(*) as n, sum(started = started_utc) as same from calls where started like '%Z'",
    );
    expect(utcStarts[0]!.same).toBe(utcStarts[0]!.n);
  });

  it('an existing SQLite database gets its UTC copies rewritten in the stored form, and the new copies filled', async () => {
    const file = path.join(tempDir(), 'old.db');
    const old = await connectDatabase(file);
    await migrateToLatest(old, undefined, Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '2026-12-03-0010')));
    const exec = new SqlExecutor(old);
    await exec.run(
      exec.db
        .insertInto('calls')
        .values({ id: '1', started: '2024-05-01T10:00:00Z', started_utc: '2024-05-01T10:00:00.000Z', raw: '{}', synced_at: 'x' }),
    );
    await exec.run(
      exec.db
        .insertInto('settings_trackers')
        .values({ tracker_id: 't', created: '2024-05-01T03:00:00-07:00', updated: '2024-05-01T10:00:00.250Z', raw: '{}', synced_at: 'x' }),
    );
    await old.close();
    const database = await connectDatabase(file);
    await migrateToLatest(database);
    await database.close();
    expect(query(file, 'select started, started_utc from calls')).toEqual([
      { started: '2024-05-01T10:00:00Z', started_utc: '2024-05-01T10:00:00Z' },
    ]);
    expect(query(file, 'select created_utc, updated_utc from settings_trackers')).toEqual([
      { created_utc: '2024-05-01T10:00:00Z', updated_utc: '2024-05-01T10:00:00.250Z' },
    ]);
  });
});
