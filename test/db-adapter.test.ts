import path from 'node:path';
import fs from 'node:fs';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/cli.js';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';
import { connectDatabase, migrateToLatest, type Database } from '../src/db/database.js';
import { SqlExecutor } from '../src/db/sql-executor.js';
import { QueryStoppedError } from '../src/db/query-stop.js';
import { ConfigError } from '../src/errors.js';

/** A never-ending statement on each database. */
const RUNAWAY = 'with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r';

async function collect(rows: AsyncIterable<unknown[]>): Promise<unknown[][]> {
  const out: unknown[][] = [];
  for await (const row of rows) out.push(row);
  return out;
}

async function openBoth(label: string): Promise<Array<[string, Database]>> {
  const file = path.join(tempDir(), 'adapter.db');
  const sqlite = await connectDatabase(file);
  const postgres = await connectDatabase(await freshPostgresDatabase(label));
  for (const database of [sqlite, postgres]) await migrateToLatest(database);
  return [
    ['SQLite', sqlite],
    ['PostgreSQL', postgres],
  ];
}

describe('the database adapter, the same on SQLite and PostgreSQL', () => {
  it('reads, stops and lists the same way on both', async () => {
    for (const [name, database] of await openBoth('adapter')) {
      const { adapter } = database;
      expect(adapter.name).toBe(name);
      const exec = new SqlExecutor(database);
      await exec.transaction(() =>
        adapter.upsert(
          'calls',
          ['id'],
          ['id', 'title', 'started', 'started_utc', 'is_private', 'raw', 'synced_at'],
          [
            ['1', 'first', '2024-05-01T10:00:00-07:00', '2024-05-01T17:00:00Z', 1, '{"id":"1"}', '2024-06-01T00:00:00Z'],
            ['2', 'second', '2024-05-01T18:30:00Z', '2024-05-01T18:30:00Z', 0, '{"id":"2"}', '2024-06-01T00:00:00Z'],
          ],
        ),
      );
      // Upserting again by key updates, never duplicates.
      await adapter.upsert(
        'calls',
        ['id'],
        ['id', 'title', 'raw', 'synced_at'],
        [['2', 'second, renamed', '{"id":"2"}', '2024-06-02T00:00:00Z']],
      );

      // Rows stream in column order; values read the same on both databases.
      const result = await adapter.readOnlyQuery('select id, title, started_utc, is_private from calls order by id', { timeoutMs: 10_000 });
      expect(result.columns).toEqual(['id', 'title', 'started_utc', 'is_private']);
      expect(await collect(result.rows)).toEqual([
        ['1', 'first', '2024-05-01T17:00:00Z', 1],
        ['2', 'second, renamed', '2024-05-01T18:30:00Z', 0],
      ]);
      await result.close();

      // Many rows arrive in batches, all of them.
      const many = await adapter.readOnlyQuery(
        'with recursive r(n) as (select 1 union all select n + 1 from r where n < 5000) select n from r',
        { timeoutMs: 10_000 },
      );
      expect((await collect(many.rows)).length).toBe(5000);
      await many.close();

      // Writes and broken SQL are usage errors.
      await expect(adapter.readOnlyQuery('delete from calls', { timeoutMs: 10_000 })).rejects.toBeInstanceOf(ConfigError);
      await expect(adapter.readOnlyQuery('selec 1', { timeoutMs: 10_000 })).rejects.toThrow(/SQL error/);

      // A statement that never ends stops at its time limit...
      let started = Date.now();
      await expect(adapter.readOnlyQuery(RUNAWAY, { timeoutMs: 1000 }).then((r) => collect(r.rows))).rejects.toThrow(/time limit/);
      expect(Date.now() - started).toBeLessThan(8000);
      // ...or when its signal aborts.
      const controller = new AbortController();
      setTimeout(() => controller.abort('SIGINT'), 500);
      started = Date.now();
      await expect(
        adapter.readOnlyQuery(RUNAWAY, { timeoutMs: 60_000, signal: controller.signal }).then((r) => collect(r.rows)),
      ).rejects.toBeInstanceOf(QueryStoppedError);
      expect(Date.now() - started).toBeLessThan(8000);

      // Instants compare as instants whatever their offset.
      const later = await exec.all<{ id: string }>(
        exec.db
          .selectFrom('calls')
          .select('id')
          .where(adapter.instant(sql.ref('started')), '>', adapter.instant(sql.val('2024-05-01T17:30:00Z'))),
      );
      expect(later.map((r) => r.id)).toEqual(['2']);

      // Tables with their columns' kinds; full-text indexes left out.
      const tables = await adapter.listTables();
      const calls = tables.find((t) => t.name === 'calls')!;
      const kinds = Object.fromEntries(calls.columns.map((c) => [c.name, c.kind]));
      expect(kinds).toMatchObject({ id: 'text', started_utc: 'instant', is_private: 'boolean', raw: 'json', duration: 'integer' });
      expect(tables.find((t) => t.name === 'call_summary')?.type).toBe('view');
      expect(tables.find((t) => t.name === '_runs')?.bookkeeping).toBe(true);
      expect(tables.some((t) => t.name.startsWith('transcript_search'))).toBe(false);
      expect(tables.find((t) => t.name === 'transcript_sentences')!.columns.map((c) => c.name)).not.toContain('tsv');

      await adapter.updateStatistics();
      await database.close();
    }
  });

  it('searches transcripts and erases deleted sentences without a trace', async () => {
    for (const [, database] of await openBoth('erase')) {
      const { adapter } = database;
      const exec = new SqlExecutor(database);
      const secret = 'zebracodeword';
      await exec.transaction(async () => {
        await adapter.upsert(
          'calls',
          ['id'],
          ['id', 'title', 'started', 'raw', 'synced_at'],
          [['7', 'a call', '2024-05-01T10:00:00Z', '{}', '2024-06-01T00:00:00Z']],
        );
        // A transcript's row comes before its sentences (on SQLite they are keyed by it).
        await adapter.upsert('call_transcripts', ['call_id'], ['call_id', 'raw', 'synced_at'], [['7', '{}', '2024-06-01T00:00:00Z']]);
        await adapter.upsert(
          'transcript_sentences',
          ['call_id', 'seq'],
          ['call_id', 'seq', 'speaker_id', 'start_ms', 'text'],
          [
            ['7', 0, 's1', 1500, `the ${secret} is here`],
            ['7', 1, 's1', 4000, 'nothing to see'],
          ],
        );
      });
      const found = await adapter.searchTranscripts({ query: secret, limit: 10, offset: 0 });
      expect(found).toEqual([expect.objectContaining({ callId: '7', callTitle: 'a call', startMs: 1500, text: `the ${secret} is here` })]);
      expect(await adapter.searchTranscripts({ query: '"to see"', limit: 10, offset: 0 })).toHaveLength(1);
      expect(await adapter.searchTranscripts({ query: secret, from: '2024-05-02T00:00:00Z', limit: 10, offset: 0 })).toEqual([]);

      // A sentence whose text changes (the upsert updates it in place) is found by its new words only.
      await exec.transaction(() =>
        adapter.upsert('transcript_sentences', ['call_id', 'seq'], ['call_id', 'seq', 'text'], [['7', 1, 'renewal terms agreed']]),
      );
      expect(await adapter.searchTranscripts({ query: 'renewal', limit: 10, offset: 0 })).toHaveLength(1);
      expect(await adapter.searchTranscripts({ query: '"to see"', limit: 10, offset: 0 })).toEqual([]);
      if (adapter.name === 'SQLite') {
        // FTS5's own check: the index holds exactly the sentences' text, no more, no less.
        await exec.transaction(() =>
          database.backend.run(`insert into transcript_search(transcript_search, rank) values ('integrity-check', 1)`, []),
        );
      }

      await adapter.secureErase(['transcript_sentences'], () =>
        exec.run(exec.db.deleteFrom('transcript_sentences').where('call_id', '=', '7')),
      );
      expect(await adapter.searchTranscripts({ query: secret, limit: 10, offset: 0 })).toEqual([]);
      const file = database.file;
      await database.close();
      if (!file.startsWith('postgres')) {
        // A writer leaves the planner's statistics current when it closes (views stay fast as data grows).
        const stats = await connectDatabase(file, { readonly: true });
        const analysed = await stats.adapter.readOnlyQuery("select count(distinct tbl) from sqlite_stat1 where tbl = 'calls'", {
          timeoutMs: 10_000,
        });
        for await (const [count] of analysed.rows) expect(count).toBe(1);
        await analysed.close();
        await stats.close();
        // No byte of the deleted sentence is left in the file or beside it.
        for (const candidate of [file, `${file}-wal`]) {
          if (fs.existsSync(candidate)) expect(fs.readFileSync(candidate).includes(secret), candidate).toBe(false);
        }
      }
    }
  });
});
