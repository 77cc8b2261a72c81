import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { runCli, simEnv, tempDir } from './helpers/cli.js';

/** Every row of a table as sorted JSON lines of strings: what "digit for digit" means. */
function linesOf(rows: unknown[][]): string[] {
  return rows.map((row) => JSON.stringify(row.map((v) => (v === null || v === undefined ? null : String(v))))).sort();
}

function sqliteTables(file: string): Record<string, string[]> {
  const db = new BetterSqlite3(file, { readonly: true });
  try {
    const schema = JSON.parse(fs.readFileSync(path.join(path.dirname(file), 'csv', 'schema.json'), 'utf8')) as Record<string, Record<string, string>>;
    return Object.fromEntries(
      Object.entries(schema).map(([table, columns]) => {
        const list = Object.keys(columns).map((c) => `"${c}"`).join(', ');
        return [table, linesOf(db.prepare(`select ${list} from "${table}"`).raw(true).safeIntegers(true).all() as unknown[][])];
      }),
    );
  } finally {
    db.close();
  }
}

describe('export', () => {
  it('writes CSV and Parquet files that read back with every id digit for digit', async () => {
    const sim = await startSimulator({ calls: 60, days: 40 });
    const dir = tempDir();
    const db = path.join(dir, 'gong.db');
    expect((await runCli(['sync'], simEnv(sim, db))).code).toBe(0);

    const csv = await runCli(['export', '--format', 'csv', '--out', path.join(dir, 'csv')], simEnv(sim, db));
    expect(csv.code).toBe(0);
    const parquet = await runCli(['export', '--format', 'parquet', '--out', path.join(dir, 'parquet')], simEnv(sim, db));
    expect(parquet.code).toBe(0);
    expect(parquet.stdout).toMatch(/tables, \d+ rows written/);

    const expected = sqliteTables(db);
    const tables = Object.keys(expected);
    expect(tables).toEqual(expect.arrayContaining(['calls', 'users', 'transcript_sentences', 'scorecard_answers', 'stats_activity_scorecards']));
    expect(tables.some((t) => t.startsWith('_') || t.startsWith('transcript_search'))).toBe(false);
    // The ids that a float would change: more than 15 significant digits.
    const longIds = expected.stats_activity_scorecards!.map((line) => JSON.parse(line)[0] as string);
    expect(longIds.length).toBeGreaterThan(0);
    expect(longIds.every((id) => /^\d{16,}$/.test(id))).toBe(true);

    const duck = await DuckDBInstance.create(':memory:');
    const connection = await duck.connect();
    try {
      // CSV, loaded the way the export says to (its load-duckdb.sql, with the declared types).
      const load = fs.readFileSync(path.join(dir, 'csv', 'load-duckdb.sql'), 'utf8').replace(/read_csv\('/g, `read_csv('${path.join(dir, 'csv')}/`);
      for (const statement of load.split(';\n').filter((s) => s.trim())) await connection.run(statement);
      for (const table of tables) {
        const fromCsv = (await connection.runAndReadAll(`select * from ${table}`)).getRows();
        expect(linesOf(fromCsv as unknown[][]), `${table}.csv`).toEqual(expected[table]);
        const fromParquet = (await connection.runAndReadAll(`select * from read_parquet('${path.join(dir, 'parquet', `${table}.parquet`)}')`)).getRows();
        expect(linesOf(fromParquet as unknown[][]), `${table}.parquet`).toEqual(expected[table]);
      }
      const idType = (await connection.runAndReadAll(`select typeof(id) from read_parquet('${path.join(dir, 'parquet', 'calls.parquet')}') limit 1`)).getRows();
      expect(idType[0]![0]).toBe('VARCHAR');
    } finally {
      connection.closeSync();
      duck.closeSync();
    }
    expect(fs.readdirSync(path.join(dir, 'parquet')).filter((f) => f.includes('partial') || f.includes('scratch'))).toEqual([]);
  });

  it('refuses an unknown table or format with exit 2 and names what is accepted', async () => {
    const sim = await startSimulator({ calls: 5, days: 5 });
    const dir = tempDir();
    const db = path.join(dir, 'gong.db');
    expect((await runCli(['sync', '--streams', 'users'], simEnv(sim, db))).code).toBe(0);
    const badTable = await runCli(['export', '--out', path.join(dir, 'x'), '--tables', 'users,nope'], simEnv(sim, db));
    expect(badTable.code).toBe(2);
    expect(badTable.stderr).toMatch(/Unknown table nope .*users/);
    const badFormat = await runCli(['export', '--out', path.join(dir, 'x'), '--format', 'xlsx'], simEnv(sim, db));
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toMatch(/csv or parquet/);
    const one = await runCli(['export', '--out', path.join(dir, 'y'), '--tables', 'users'], simEnv(sim, db));
    expect(one.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'y')).sort()).toEqual(['load-duckdb.sql', 'schema.json', 'users.csv']);
  });
});

describe('query output', () => {
  it('streams millions of rows without holding them: 2,000,000 rows under a 64 MB heap', async () => {
    const sim = await startSimulator({ calls: 5, days: 5 });
    const dir = tempDir();
    const db = path.join(dir, 'gong.db');
    expect((await runCli(['sync', '--streams', 'users'], simEnv(sim, db))).code).toBe(0);
    const out = path.join(dir, 'rows.csv');
    const sql = "with recursive n(i) as (select 1 union all select i + 1 from n where i < 2000000) select i, 'call number ' || i as label from n";
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--max-old-space-size=64', path.resolve(__dirname, '../bin/gong-sync.js'), 'query', sql, '--db', db, '--format', 'csv'], {
      stdio: ['ignore', fs.openSync(out, 'w'), 'pipe'],
    });
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
