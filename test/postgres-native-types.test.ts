import { describe, expect, it } from 'vitest';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';
import { pgQuery } from './helpers/postgres-database.js';
import { connectDatabase, migrateToLatest } from '../src/db/database.js';
import { SqlExecutor } from '../src/db/sql-executor.js';
import { migrations } from '../migrations/index.js';
import { compactJson } from '../src/db/postgres-database.js';

const SHIPPED_BEFORE_NATIVE_TYPES = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '2026-12-03-0010'));

async function columnTypes(url: string, table: string): Promise<Record<string, string>> {
  const rows = await pgQuery<{ column_name: string; data_type: string }>(
    url,
    'select column_name, data_type from information_schema.columns where table_schema = current_schema() and table_name = $1',
    [table],
  );
  return Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
}

describe('PostgreSQL native types', () => {
  it("jsonb reads back as compact as SQLite's JSON text, strings and every digit intact", () => {
    expect(compactJson('{"a": "x, y: z", "b": [1, 2], "c": "q\\" , :", "n": 12345678901234567890}')).toBe(
      '{"a":"x, y: z","b":[1,2],"c":"q\\" , :","n":12345678901234567890}',
    );
    expect(compactJson('[]')).toBe('[]');
  });

  it('an existing database is migrated in place: instants timestamptz, flags boolean, raw jsonb, views made again; values read as on SQLite', async () => {
    const url = await freshPostgresDatabase('native_types');
    const old = await connectDatabase(url);
    await migrateToLatest(old, undefined, SHIPPED_BEFORE_NATIVE_TYPES);
    // Rows as the earlier version stored them: text instants (with milliseconds), 0/1 flags, raw JSON text.
    const exec = new SqlExecutor(old);
    await exec.run(
      exec.db.insertInto('calls').values([
        {
          id: '1',
          title: 'one',
          started: '2024-05-01T10:00:00-07:00',
          started_utc: '2024-05-01T17:00:00.000Z',
          is_private: 1,
          raw: '{"id":"1","nul":"a\\u0000b"}',
          synced_at: '2024-06-01T00:00:00.123Z',
        },
        {
          id: '2',
          title: 'two',
          started: '2024-05-08T09:00:00Z',
          started_utc: '2024-05-08T09:00:00.000Z',
          is_private: 0,
          raw: '{"id":"2"}',
          synced_at: '2024-06-01T00:00:00.123Z',
        },
      ]),
    );
    await exec.run(
      exec.db.insertInto('stats_activity_scorecards').values({
        answered_scorecard_id: 's1',
        call_id: '1',
        review_time: '2024-05-02T00:00:00Z',
        review_time_utc: '2024-05-02T00:00:00.000Z',
        raw: '{}',
        synced_at: 'x',
      }),
    );
    await exec.run(
      exec.db.insertInto('scorecard_answers').values([
        { answered_scorecard_id: 's1', question_id: 'q1', is_overall: 0, score: 2, not_applicable: 0, synced_at: 'x' },
        { answered_scorecard_id: 's1', question_id: 'q2', is_overall: 0, score: 4, not_applicable: 0, synced_at: 'x' },
        { answered_scorecard_id: 's1', question_id: 'q3', is_overall: 0, score: 100, not_applicable: 1, synced_at: 'x' },
      ]),
    );
    await exec.run(exec.db.updateTable('stats_activity_scorecards').set({ synced_at: '2024-06-01T00:00:00Z' }));
    await exec.run(exec.db.updateTable('scorecard_answers').set({ synced_at: '2024-06-01T00:00:00Z' }));
    await old.close();

    const database = await connectDatabase(url);
    const outcome = await migrateToLatest(database);
    expect(outcome.applied).toContain('2026-12-03-0010-postgres-native-types');

    const calls = await columnTypes(url, 'calls');
    expect(calls.started_utc).toBe('timestamp with time zone');
    expect(calls.synced_at).toBe('timestamp with time zone');
    expect(calls.is_private).toBe('boolean');
    expect(calls.raw).toBe('jsonb');
    // Gong's own text (with its offset) stays text; counts stay bigint.
    expect(calls.started).toBe('text');
    expect(calls.duration).toBe('bigint');
    expect((await columnTypes(url, 'scorecard_answers')).not_applicable).toBe('boolean');

    // Readers see what SQLite gives: ISO-8601 UTC text, 0/1, JSON text.
    const read = new SqlExecutor(database);
    const rows = await read.all<{ id: string; started_utc: string; is_private: number; raw: string; synced_at: string }>(
      read.db.selectFrom('calls').select(['id', 'started_utc', 'is_private', 'raw', 'synced_at']).orderBy('id'),
    );
    expect(rows[1]!.raw).toBe('{"id":"2"}');
    expect(rows.map((r) => [r.id, r.started_utc, r.is_private, JSON.parse(r.raw), r.synced_at])).toEqual([
      ['1', '2024-05-01T17:00:00Z', 1, { id: '1', nul: 'ab' }, '2024-06-01T00:00:00.123Z'],
      ['2', '2024-05-08T09:00:00Z', 0, { id: '2' }, '2024-06-01T00:00:00.123Z'],
    ]);
    // The views work on the new types: scores skip not-applicable answers, weeks come from timestamptz.
    expect(await pgQuery(url, 'select answered_scorecard_id, score from answered_scorecard_scores')).toEqual([
      { answered_scorecard_id: 's1', score: 3 },
    ]);
    expect(
      (await pgQuery<{ week_start: string }>(url, 'select distinct week_start from rep_weekly_activity order by 1')).map(
        (r) => r.week_start,
      ),
    ).toEqual([]);
    const summary = await read.all<{ call_id: string; started_utc: string }>(
      read.db.selectFrom('call_summary').select(['call_id', 'started_utc']).orderBy('call_id'),
    );
    expect(summary).toEqual([
      { call_id: '1', started_utc: '2024-05-01T17:00:00Z' },
      { call_id: '2', started_utc: '2024-05-08T09:00:00Z' },
    ]);
    // A flag filters as a boolean, a week groups without a cast.
    expect(
      await pgQuery(
        url,
        "select count(*)::int as n, date_trunc('week', min(started_utc)) is not null as weekly from calls where is_private",
      ),
    ).toEqual([{ n: 1, weekly: 1 }]);

    // New rows go in through the adapter's upsert with the same values SQLite takes.
    await read.transaction(() =>
      database.adapter.upsert(
        'calls',
        ['id'],
        ['id', 'title', 'started_utc', 'is_private', 'raw', 'synced_at'],
        [['3', 'three', '2024-05-09T00:00:00Z', 1, '{"id":"3","x":"\\u0000"}', '2024-06-02T00:00:00Z']],
      ),
    );
    expect(await read.get(read.db.selectFrom('calls').select(['started_utc', 'is_private']).where('id', '=', '3'))).toEqual({
      started_utc: '2024-05-09T00:00:00Z',
      is_private: 1,
    });
    await database.close();
  });
});
