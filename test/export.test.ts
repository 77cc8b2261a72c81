import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GongSimulator } from '../src/simulator/server.js';
import { connectDatabase, type Database } from '../src/db/database.js';
import { ConfigError, GongSyncError, StoppedEarlyError } from '../src/errors.js';
import { ColumnTyper } from '../src/export/column-typing.js';
import { exportTables, type ExportOptions } from '../src/export/export-tables.js';
import { spokenTextMask } from '../src/export/spoken-text.js';
import { runInProcess, tempDir } from './helpers/cli.js';
import { syncInProcess } from './helpers/in-process.js';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';

/** One synced account in both databases for every test of this file: export only reads them. */
const fixture = { dir: '', sqlite: '', postgres: '' };

beforeAll(async () => {
  fixture.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gong-sync-export-'));
  fixture.sqlite = path.join(fixture.dir, 'gong.db');
  fixture.postgres = await freshPostgresDatabase('export');
  const sim = await GongSimulator.start({ calls: 60, days: 40 });
  try {
    await Promise.all([syncInProcess(sim, fixture.sqlite), syncInProcess(sim, fixture.postgres)]);
  } finally {
    await sim.stop();
  }
}, 120_000);

afterAll(() => fs.rmSync(fixture.dir, { recursive: true, force: true }));

async function withDatabase<T>(target: string, work: (database: Database) => Promise<T>): Promise<T> {
  const database = await connectDatabase(target, { readonly: true });
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

function exportFrom(database: Database, options: Omit<ExportOptions, 'source'>) {
  return exportTables({ source: database.adapter, ...options });
}

type Schema = Record<string, Record<string, string>>;
const readSchema = (dir: string): Schema => JSON.parse(fs.readFileSync(path.join(dir, 'schema.json'), 'utf8')) as Schema;

/**
 * A value as both sides can agree on it: instants as epoch milliseconds, flags as 0/1, JSON objects
 * with sorted keys (PostgreSQL's jsonb keeps its own key order and spacing), the rest as text.
 */
function canonical(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'TIMESTAMPTZ')
    return String(value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value);
  if (type === 'BOOLEAN') return value === true || value === 1 || value === 1n || value === '1' ? '1' : '0';
  if (typeof value === 'object' && !Buffer.isBuffer(value)) return sortedJson(value);
  if (typeof value === 'string' && /^[{[]/.test(value)) {
    try {
      return sortedJson(JSON.parse(value));
    } catch {
      return value;
    }
  }
  return String(value);
}

const sortedJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );

const linesOf = (rows: unknown[][], types: string[]) =>
  rows.map((row) => JSON.stringify(row.map((v, i) => canonical(v, types[i]!)))).sort();

/** The table as the database holds it, read with each driver's own exact types (int8 as text on PostgreSQL). */
async function storedLines(target: string, table: string, columns: string[], types: string[]): Promise<string[]> {
  const list = columns.map((c) => `"${c}"`).join(', ');
  if (target.startsWith('postgres')) {
    const client = new pg.Client({ connectionString: target, options: '-c search_path=gong' });
    await client.connect();
    try {
      return linesOf((await client.query({ text: `select ${list} from "${table}"`, rowMode: 'array' })).rows as unknown[][], types);
    } finally {
      await client.end();
    }
  }
  const db = new BetterSqlite3(target, { readonly: true });
  try {
    return linesOf(db.prepare(`select ${list} from "${table}"`).raw(true).safeIntegers(true).all() as unknown[][], types);
  } finally {
    db.close();
  }
}

/** The table as a DuckDB user reads the export: instants and flags in the comparable form. */
async function exportedLines(connection: DuckDBConnection, from: string, columns: string[], types: string[]): Promise<string[]> {
  const select = columns
    .map((c, i) => (types[i] === 'TIMESTAMPTZ' ? `epoch_ms("${c}")` : types[i] === 'BOOLEAN' ? `"${c}"::int` : `"${c}"`))
    .join(', ');
  return linesOf((await connection.runAndReadAll(`select ${select} from ${from}`)).getRows() as unknown[][], types);
}

async function withDuckDb<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const duck = await DuckDBInstance.create(':memory:');
  const connection = await duck.connect();
  try {
    return await work(connection);
  } finally {
    connection.closeSync();
    duck.closeSync();
  }
}

describe.each([
  ['SQLite', () => fixture.sqlite],
  ['PostgreSQL', () => fixture.postgres],
])('export from %s', (_name, target) => {
  it('writes CSV and Parquet files that read back equal to every table, ids digit for digit, instants TIMESTAMP and flags BOOLEAN', async () => {
    const out = tempDir();
    const [csv, parquet] = await withDatabase(target(), async (database) => [
      await exportFrom(database, { format: 'csv', outDir: path.join(out, 'csv') }),
      await exportFrom(database, { format: 'parquet', outDir: path.join(out, 'parquet') }),
    ]);
    const schema = readSchema(path.join(out, 'csv'));
    const tables = Object.keys(schema);
    expect(tables).toEqual(
      expect.arrayContaining(['calls', 'users', 'transcript_sentences', 'scorecard_answers', 'stats_activity_scorecards']),
    );
    // No internal tables: bookkeeping, Kysely's migrations, full-text indexes.
    expect(tables.filter((t) => t.startsWith('_') || t.startsWith('kysely') || t.startsWith('transcript_search'))).toEqual([]);
    expect(csv.map((t) => t.table)).toEqual(tables);
    expect(parquet.map((t) => t.rows)).toEqual(csv.map((t) => t.rows));
    expect(schema.calls).toMatchObject({ id: 'VARCHAR', started_utc: 'TIMESTAMPTZ', is_private: 'BOOLEAN', duration: 'BIGINT' });
    expect(schema.transcript_sentences).not.toHaveProperty('tsv');
    expect(fs.readdirSync(path.join(out, 'parquet')).sort()).toEqual(
      [...tables.map((t) => `${t}.parquet`), 'load-duckdb.sql', 'schema.json'].sort(),
    );

    await withDuckDb(async (connection) => {
      // Each folder's own script, run from here (not from inside the folder).
      for (const format of ['csv', 'parquet'])
        await connection.run(
          fs
            .readFileSync(path.join(out, format, 'load-duckdb.sql'), 'utf8')
            .replace(/create or replace table (\w+)/g, `create or replace table ${format}_$1`),
        );
      for (const table of tables) {
        const columns = Object.keys(schema[table]!);
        const types = Object.values(schema[table]!);
        const stored = await storedLines(target(), table, columns, types);
        expect(stored.length, table).toBe(csv.find((t) => t.table === table)!.rows);
        expect(await exportedLines(connection, `csv_${table}`, columns, types), `${table}.csv`).toEqual(stored);
        expect(await exportedLines(connection, `parquet_${table}`, columns, types), `${table}.parquet`).toEqual(stored);
      }
      const described = (
        await connection.runAndReadAll(`describe select * from read_parquet('${path.join(out, 'parquet', 'calls.parquet')}')`)
      ).getRows();
      const typeOf = Object.fromEntries(described.map((r) => [String(r[0]), String(r[1])]));
      expect(typeOf).toMatchObject({
        id: 'VARCHAR',
        started_utc: 'TIMESTAMP WITH TIME ZONE',
        synced_at: 'TIMESTAMP WITH TIME ZONE',
        is_private: 'BOOLEAN',
        duration: 'BIGINT',
      });
      const csvTypes = Object.fromEntries(
        (await connection.runAndReadAll('describe csv_scorecard_answers')).getRows().map((r) => [String(r[0]), String(r[1])]),
      );
      expect(csvTypes).toMatchObject({ is_overall: 'BOOLEAN', answered_scorecard_id: 'VARCHAR' });
    });
    // The ids that a float would change: more than 15 significant digits.
    const longIds = fs
      .readFileSync(path.join(out, 'csv', 'stats_activity_scorecards.csv'), 'utf8')
      .split('\n')
      .slice(1, -1)
      .map((line) => line.split(',')[0]!);
    expect(longIds.length).toBeGreaterThan(0);
    expect(longIds.every((id) => /^\d{16,}$/.test(id))).toBe(true);
  });

  it('exports a bookkeeping table only when named, never the migration tables, and refuses unknown names', async () => {
    const out = tempDir();
    await withDatabase(target(), async (database) => {
      const runs = await exportFrom(database, { format: 'csv', outDir: out, tables: ['_runs', 'users'] });
      expect(runs.map((t) => t.table).sort()).toEqual(['_runs', 'users']);
      expect(runs.find((t) => t.table === '_runs')!.rows).toBeGreaterThan(0);
      for (const name of ['kysely_migration', 'nope']) {
        await expect(exportFrom(database, { format: 'csv', outDir: path.join(out, name), tables: [name] })).rejects.toThrow(
          new RegExp(`Unknown table ${name} for --tables: expected some of .*calls`),
        );
        expect(fs.existsSync(path.join(out, name))).toBe(false);
      }
    });
  });
});

describe('export of unusual values', () => {
  it("a value past DuckDB's default line limit, quotes, newlines and an empty string load back exactly from CSV and Parquet", async () => {
    const dir = tempDir();
    const file = path.join(dir, 'copy.db');
    fs.copyFileSync(fixture.sqlite, file);
    const long = `"Quoted", then a new line\n${'é, naïve; '.repeat(300_000)}end`;
    const db = new BetterSqlite3(file);
    const [first, second] = db.prepare('select call_id, seq from transcript_sentences order by call_id, seq limit 2').all() as {
      call_id: string;
      seq: number;
    }[];
    db.prepare('update transcript_sentences set text = ? where call_id = ? and seq = ?').run(long, first!.call_id, first!.seq);
    db.prepare(`update transcript_sentences set text = '' where call_id = ? and seq = ?`).run(second!.call_id, second!.seq);
    db.close();
    await withDatabase(file, async (database) => {
      for (const format of ['csv', 'parquet'] as const)
        await exportFrom(database, { format, outDir: path.join(dir, format), tables: ['transcript_sentences'] });
    });
    await withDuckDb(async (connection) => {
      for (const format of ['csv', 'parquet']) {
        await connection.run(fs.readFileSync(path.join(dir, format, 'load-duckdb.sql'), 'utf8'));
        const read = async (id: string, seq: number) =>
          (
            await connection.runAndReadAll(`select text from transcript_sentences where call_id = '${id}' and seq = ${seq}`)
          ).getRows()[0]![0];
        expect(await read(first!.call_id, first!.seq), format).toBe(long);
        expect(await read(second!.call_id, second!.seq), format).toBe('');
      }
    });
  });
});

describe('column types from the stored values', () => {
  it("keeps each kind's type while every value fits it, and widens the column when one does not", () => {
    const columns = (['instant', 'instant', 'boolean', 'boolean', 'integer', 'integer', 'integer', 'real', 'text'] as const).map(
      (kind, i) => ({ name: `c${i}`, kind }),
    );
    const typer = new ColumnTyper(columns);
    const rows = [
      ['2026-11-03T10:00:00.000Z', '2026-11-03T10:00:00Z', 1n, 1, 5n, 5n, 5n, 1.5, '0012'],
      ['2026-11-03 10:00:00+02:00', '2026-11-03T10:00Z', 0n, 2, 2n ** 60n, 2.5, 'n/a', 'x', null],
      [null, null, null, null, null, null, null, null, null],
    ];
    expect(rows.map((row) => typer.textOf(row))[0]).toEqual([
      '2026-11-03T10:00:00.000Z',
      '2026-11-03T10:00:00Z',
      'true',
      'true',
      '5',
      '5',
      '5',
      '1.5',
      '0012',
    ]);
    // A time without seconds (DuckDB cannot read it as a timestamp), a flag of 2, text in a number column: VARCHAR.
    expect(typer.types()).toEqual(['TIMESTAMPTZ', 'VARCHAR', 'BOOLEAN', 'VARCHAR', 'BIGINT', 'DOUBLE', 'VARCHAR', 'VARCHAR', 'VARCHAR']);
  });
});

describe('load-duckdb.sql', () => {
  it('loads from any directory, into a folder whose name has a quote, a comma and a line break', async () => {
    const dir = path.join(tempDir(), "it's, odd\nname");
    const exported = await withDatabase(fixture.sqlite, async (database) => {
      const csv = await exportFrom(database, { format: 'csv', outDir: path.join(dir, 'csv'), tables: ['users', 'calls'] });
      await exportFrom(database, { format: 'parquet', outDir: path.join(dir, 'parquet'), tables: ['users', 'calls'] });
      return csv;
    });
    await withDuckDb(async (connection) => {
      for (const format of ['csv', 'parquet']) {
        await connection.run(fs.readFileSync(path.join(dir, format, 'load-duckdb.sql'), 'utf8'));
        for (const t of exported) {
          const [[count]] = (await connection.runAndReadAll(`select count(*) from ${t.table}`)).getRows() as [[bigint]];
          expect(Number(count), `${format} ${t.table}`).toBe(t.rows);
        }
      }
    });
  });
});

describe('export with GONG_REDACT_TEXT=1', () => {
  it('masks e-mail addresses and phone numbers said in transcripts in CSV and Parquet; the database keeps them', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'copy.db');
    fs.copyFileSync(fixture.sqlite, file);
    const said = 'Write to jane.doe@example.com or call +1 (415) 555-0134, the budget is 54000 for 2026.';
    const db = new BetterSqlite3(file);
    const sentence = db.prepare('select call_id, seq from transcript_sentences order by call_id, seq limit 1').get() as {
      call_id: string;
      seq: number;
    };
    db.prepare('update transcript_sentences set text = ? where call_id = ? and seq = ?').run(said, sentence.call_id, sentence.seq);
    const occurrence = db.prepare('select call_id, tracker_id, seq from call_tracker_occurrences limit 1').get() as {
      call_id: string;
      tracker_id: string;
      seq: number;
    };
    db.prepare('update call_tracker_occurrences set phrase = ? where call_id = ? and tracker_id = ? and seq = ?').run(
      'mail me at bob@corp.example',
      occurrence.call_id,
      occurrence.tracker_id,
      occurrence.seq,
    );
    db.close();
    const tables = ['transcript_sentences', 'call_tracker_occurrences', 'users'];
    await withDatabase(file, async (database) => {
      for (const format of ['csv', 'parquet'] as const)
        await exportFrom(database, { format, outDir: path.join(dir, format), tables, mask: spokenTextMask(true) });
      await exportFrom(database, { format: 'csv', outDir: path.join(dir, 'plain'), tables, mask: spokenTextMask(false) });
    });
    const masked = 'Write to [email] or call [phone], the budget is 54000 for 2026.';
    await withDuckDb(async (connection) => {
      for (const format of ['csv', 'parquet', 'plain']) {
        await connection.run(fs.readFileSync(path.join(dir, format, 'load-duckdb.sql'), 'utf8'));
        const text = (
          await connection.runAndReadAll(
            `select text from transcript_sentences where call_id = '${sentence.call_id}' and seq = ${sentence.seq}`,
          )
        ).getRows()[0]![0];
        const phrase = (
          await connection.runAndReadAll(
            `select phrase from call_tracker_occurrences where call_id = '${occurrence.call_id}' and tracker_id = '${occurrence.tracker_id}' and seq = ${occurrence.seq}`,
          )
        ).getRows()[0]![0];
        expect([text, phrase], format).toEqual(format === 'plain' ? [said, 'mail me at bob@corp.example'] : [masked, 'mail me at [email]']);
        // What is not spoken text is not touched: users' own e-mail addresses stay.
        const emails = (await connection.runAndReadAll(`select count(*) from users where email_address like '%@%'`)).getRows()[0]![0];
        expect(Number(emails), format).toBeGreaterThan(0);
      }
    });
    const stored = new BetterSqlite3(file, { readonly: true });
    expect(
      stored.prepare('select text from transcript_sentences where call_id = ? and seq = ?').pluck().get(sentence.call_id, sentence.seq),
    ).toBe(said);
    stored.close();
  });
});

describe('export never writes outside --out', () => {
  it('replaces symlinks planted in --out instead of writing through them', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    const victims = ['users.csv', 'schema.json', 'load-duckdb.sql'].map((name) => {
      const victim = path.join(dir, `victim-${name}`);
      fs.writeFileSync(victim, 'precious\n');
      fs.symlinkSync(victim, path.join(out, name));
      return victim;
    });
    await withDatabase(fixture.sqlite, (database) => exportFrom(database, { format: 'csv', outDir: out, tables: ['users'] }));
    for (const victim of victims) expect(fs.readFileSync(victim, 'utf8')).toBe('precious\n');
    for (const name of ['users.csv', 'schema.json', 'load-duckdb.sql']) expect(fs.lstatSync(path.join(out, name)).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(out, 'users.csv'), 'utf8')).toMatch(/^id,/);
    expect(fs.readdirSync(dir).sort()).toEqual(['out', ...victims.map((v) => path.basename(v))].sort());
  });

  it('removes the staging folder a killed export left, never one whose export still runs, never through a symlink', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out');
    const outside = path.join(dir, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'keep.txt'), 'precious\n');
    const deadPid = spawnSync('true').pid!;
    const abandoned = path.join(out, `.gong-sync-export-${deadPid}-Ab12Cd`);
    const running = path.join(out, `.gong-sync-export-${process.ppid}-Ef34Gh`);
    for (const folder of [abandoned, running]) {
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, 'calls.csv'), 'half a file');
    }
    fs.symlinkSync(outside, path.join(out, `.gong-sync-export-${deadPid}-Link00`));
    await withDatabase(fixture.sqlite, (database) => exportFrom(database, { format: 'csv', outDir: out, tables: ['users'] }));
    expect(fs.readdirSync(out).sort()).toEqual([path.basename(running), 'load-duckdb.sql', 'schema.json', 'users.csv'].sort());
    expect(fs.readFileSync(path.join(outside, 'keep.txt'), 'utf8')).toBe('precious\n');
  });

  it('skips a table whose name would leave --out (a tampered database), and refuses it by name', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'tampered.db');
    fs.copyFileSync(fixture.sqlite, file);
    const db = new BetterSqlite3(file);
    db.exec(`create table "../../escaped" (id text); insert into "../../escaped" values ('x'); create table "a/b" (id text)`);
    db.close();
    const out = path.join(dir, 'a', 'b', 'out');
    const warnings: string[] = [];
    await withDatabase(file, async (database) => {
      const exported = await exportFrom(database, { format: 'csv', outDir: out, warn: (m) => warnings.push(m) });
      expect(exported.map((t) => t.table)).toContain('calls');
      expect(exported.some((t) => t.table.includes('/'))).toBe(false);
      await expect(exportFrom(database, { format: 'csv', outDir: path.join(dir, 'other'), tables: ['../../escaped'] })).rejects.toThrow(
        /"\.\.\/\.\.\/escaped" cannot be exported: its name is not a plain file name/,
      );
    });
    expect(warnings.join('\n')).toMatch(/"\.\.\/\.\.\/escaped" skipped/);
    expect(warnings.join('\n')).toMatch(/"a\/b" skipped/);
    // Nothing beside the export's own folder: not `a/escaped.csv`, not `a/b/escaped.csv`, not the refused export's folder.
    expect(fs.readdirSync(dir).sort()).toEqual(['a', 'tampered.db']);
    expect(fs.readdirSync(path.join(dir, 'a'))).toEqual(['b']);
    expect(fs.readdirSync(path.join(dir, 'a', 'b'))).toEqual(['out']);
    expect(fs.readdirSync(out).every((f) => /^[a-z_]+\.(csv)$|^schema\.json$|^load-duckdb\.sql$/.test(f))).toBe(true);
  });

  it('refuses an --out that is a file, lies under one, or cannot be created, with a usage error naming it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'notes.txt');
    fs.writeFileSync(file, 'mine\n');
    await withDatabase(fixture.sqlite, async (database) => {
      const refusals: [string, RegExp][] = [
        [file, /is a file, not a folder/],
        [path.join(file, 'sub'), /part of the path is a file, not a folder/],
        // Linux refuses new folders in /proc, even to root (who may write anywhere else).
        ['/proc/gong-sync-export', /cannot be used: the path cannot be created/],
      ];
      for (const [outDir, reason] of refusals) {
        const failure = await exportFrom(database, { format: 'csv', outDir, tables: ['users'] }).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(ConfigError);
        expect((failure as Error).message).toContain(`--out ${outDir}`);
        expect((failure as Error).message).toMatch(reason);
      }
    });
    expect(fs.readFileSync(file, 'utf8')).toBe('mine\n');
  });

  it('a disk that fills up mid-export leaves --out as it was: no partial file, the earlier export intact', async () => {
    const out = tempDir();
    await withDatabase(fixture.sqlite, async (database) => {
      await exportFrom(database, { format: 'csv', outDir: out, tables: ['users', 'transcript_sentences'] });
      const before = Object.fromEntries(fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]));
      let written = 0;
      // The device fills up 64 KiB into the second file: its writes fail as a full disk's do.
      const fullDisk = (file: fs.WriteStream, name: string) =>
        new Writable({
          write(chunk: Buffer, _encoding, callback) {
            written += chunk.length;
            if (name === 'transcript_sentences.csv' && written > 64 * 1024)
              callback(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
            else file.write(chunk, callback);
          },
          final: (callback) => file.end(callback),
          destroy: (error, callback) => callback(file.destroy() && error),
        });
      const failure = await exportFrom(database, {
        format: 'csv',
        outDir: out,
        tables: ['calls', 'transcript_sentences'],
        wrapFile: fullDisk,
      }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(GongSyncError);
      expect((failure as GongSyncError).exitCode).toBe(1);
      expect((failure as Error).message).toBe(
        `Export failed while writing transcript_sentences.csv: no space left on the device: free some space. Nothing in ${out} was changed; run the export again.`,
      );
      const after = Object.fromEntries(fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f), 'utf8')]));
      expect(after).toEqual(before);
    });
  });

  it('a stopped export (SIGINT) leaves --out as it was, exit 3', async () => {
    const out = tempDir();
    const stop = new AbortController();
    stop.abort('SIGINT');
    const failure = await withDatabase(fixture.postgres, (database) =>
      exportFrom(database, { format: 'parquet', outDir: out, signal: stop.signal }),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StoppedEarlyError);
    expect((failure as Error).message).toMatch(/Export stopped by SIGINT/);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});

describe('export command', () => {
  it('exports every call from PostgreSQL as CSV; refuses a file as --out, an unknown table or format with exit 2; its help names both databases', async () => {
    const dir = tempDir();
    const calls = await runInProcess(['export', '--format', 'csv', '--tables', 'calls', '--out', path.join(dir, 'out')], {
      GONG_DB: fixture.postgres,
      GONG_LOG_FORMAT: 'json',
    });
    expect(calls.code, calls.stderr).toBe(0);
    expect(calls.stdout).toMatch(/^1 tables, 60 rows written to /);
    const client = new pg.Client({ connectionString: fixture.postgres, options: '-c search_path=gong' });
    await client.connect();
    const ids = (await client.query<{ id: string }>('select id from calls order by id')).rows.map((r) => r.id);
    await client.end();
    const lines = fs
      .readFileSync(path.join(dir, 'out', 'calls.csv'), 'utf8')
      .trimEnd()
      .split('\n');
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual(ids);
    expect(ids.length).toBe(60);

    const sqlite = { GONG_DB: fixture.sqlite, GONG_LOG_FORMAT: 'text' };
    const file = path.join(dir, 'out', 'calls.csv');
    const bad = await runInProcess(['export', '--out', file], sqlite);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`--out ${file} is a file, not a folder`);
    const unknown = await runInProcess(['export', '--out', path.join(dir, 'x'), '--tables', 'users,nope', '--format', 'parquet'], sqlite);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown table nope .*users/);
    const badFormat = await runInProcess(['export', '--out', path.join(dir, 'x'), '--format', 'xlsx'], sqlite);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/csv or parquet/);
    const badMasking = await runInProcess(['export', '--out', path.join(dir, 'x')], { ...sqlite, GONG_REDACT_TEXT: 'perhaps' });
    expect(badMasking.code).toBe(2);
    expect(badMasking.stderr).toMatch(/GONG_REDACT_TEXT "perhaps" is not valid/);
    expect(fs.existsSync(path.join(dir, 'x'))).toBe(false);

    const help = await runInProcess(['export', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/SQLite file or a PostgreSQL database/);
    expect(help.stdout).toMatch(/load-duckdb\.sql/);
  });
});

describe('query output', () => {
  it('streams millions of rows without holding them: 2,000,000 rows under a 64 MB heap', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'rows.csv');
    const sql =
      "with recursive n(i) as (select 1 union all select i + 1 from n where i < 2000000) select i, 'call number ' || i as label from n";
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=64', path.resolve(__dirname, '../bin/gong-sync.js'), 'query', sql, '--db', fixture.sqlite, '--format', 'csv'],
      {
        stdio: ['ignore', fs.openSync(out, 'w'), 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const text = fs.readFileSync(out, 'utf8');
    expect(text.startsWith('i,label\n1,call number 1\n')).toBe(true);
    expect(text.endsWith('2000000,call number 2000000\n')).toBe(true);
    expect(text.split('\n').length).toBe(2_000_002);
  });
});
