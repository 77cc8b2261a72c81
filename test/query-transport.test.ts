import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS } from '../src/simulator/server.js';
import { connectDatabase, migrateToLatest } from '../src/db/database.js';
import { SqlExecutor } from '../src/db/sql-executor.js';
import { QueryStoppedError } from '../src/db/query-stop.js';
import { tempDir } from './helpers/cli.js';
import { callTool, mcpInProcess } from './helpers/mcp-in-process.js';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';

/** How SQLite's query process hands rows over: in order, exact, bounded, stoppable. */

const RUNAWAY = 'with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r';

/** Values the JSON fast path cannot carry as they are, mixed with ones it can. */
const MIXED: unknown[] = [
  null,
  0,
  -1,
  2 ** 53 - 1,
  2n ** 53n + 1n,
  -(2n ** 63n),
  2n ** 63n - 1n,
  0.1,
  1 / 3,
  1e300,
  -0,
  5e-324,
  123.0,
  'é😀\u2028"\\\n\u0000z',
  '',
  '{"blob":"00"}',
  '[1,2]',
  ',12345678901234567]',
  Buffer.from([0, 255, 7]),
  Buffer.alloc(0),
];

function mixedFile(): string {
  const file = path.join(tempDir(), 'mixed.db');
  const db = new Database(file);
  db.exec('create table t (i integer, r real, s text, b blob, x)');
  const insert = db.prepare('insert into t values (?, ?, ?, ?, ?)');
  // 5,000 rows: several batches; every value in every column at some row.
  db.transaction(() => {
    for (let k = 0; k < 5000; k++) insert.run(...[0, 1, 2, 3, 4].map((j) => MIXED[(k * 7 + j * 3) % MIXED.length]));
    // One row wider than a batch's text (1 MB): a batch of a single row.
    insert.run(1, 1.5, 'w'.repeat(1_500_000), null, 'end');
    // A text column with one blob, late: after batches of text went out.
    db.exec('create table late (s text, r real)');
    const late = db.prepare('insert into late values (?, ?)');
    for (let k = 0; k < 4500; k++) late.run(`text ${k}`, k / 7);
    late.run(Buffer.from('blob'), -0);
    late.run('after', 0);
  })();
  db.close();
  return file;
}

/** A database with nothing in it: for statements that make their own rows. */
function emptyFile(): string {
  const file = path.join(tempDir(), 'empty.db');
  new Database(file).close();
  return file;
}

/** The rows as the driver gives them in-process, integers exact (bigint only beyond 2^53). */
function inProcess(file: string, sqlText: string, params: unknown[] = []): unknown[][] {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db
      .prepare(sqlText)
      .raw(true)
      .safeIntegers(true)
      .all(...params) as unknown[][];
    return rows.map((row) => row.map((v) => (typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : v)));
  } finally {
    db.close();
  }
}

async function readAll(file: string, sqlText: string, params: unknown[] = []) {
  const database = await connectDatabase(file, { readonly: true });
  try {
    const result = await database.adapter.readOnlyQuery(sqlText, { timeoutMs: 60_000, params });
    const rows: unknown[][] = [];
    try {
      for await (const row of result.rows) rows.push(row);
    } finally {
      await result.close();
    }
    return { columns: result.columns, rows };
  } finally {
    await database.close();
  }
}

/** The query processes this test process runs (their title is "gong-sync query"). */
function queryProcesses(): Array<{ pid: number; rssKb: number }> {
  try {
    return execFileSync('ps', ['-o', 'pid=,rss=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes('gong-sync query'))
      .map((line) => line.trim().split(/\s+/))
      .map(([pid, rss]) => ({ pid: Number(pid), rssKb: Number(rss) }));
  } catch {
    return [];
  }
}

async function waitFor(check: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("SQLite's query process hands rows over exactly, ahead of the reader but bounded", () => {
  it('gives the same values as the driver in-process: NULLs, reals, big integers, unicode, blobs, across batches', async () => {
    const file = mixedFile();
    for (const sqlText of [
      'select * from t',
      'select x, b, s, r, i, i as i2 from t order by rowid desc;',
      // Not a plain select (the values travel as they are): the same answer.
      'pragma table_info(t)',
      'select * from late',
    ]) {
      const got = await readAll(file, sqlText);
      const want = inProcess(file, sqlText);
      expect(got.rows.length, sqlText).toBe(want.length);
      expect(got.rows, sqlText).toStrictEqual(want);
    }
    // Bound parameters, of every kind.
    const params = [0.1, 2n ** 63n - 1n, Buffer.from([0, 255, 7])];
    const bound = await readAll(file, 'select rowid, * from t where x = ? or i = ? or b = ?', params);
    expect(bound.rows).toStrictEqual(inProcess(file, 'select rowid, * from t where x = ? or i = ? or b = ?', params));
    expect(bound.rows.length).toBeGreaterThan(100);
    expect(bound.columns).toEqual(['rowid', 'i', 'r', 's', 'b', 'x']);
    // Exactness spelled out (not only "the same as the driver"):
    const exact = await readAll(file, "select 9223372036854775807, -0.0 + 0.0 * -1, x'00ff', 0.1, 'é'");
    expect(exact.rows).toStrictEqual([[9223372036854775807n, -0, Buffer.from([0, 255]), 0.1, 'é']]);
    // No blob anywhere: the first statement alone must keep -0.0 (a REAL column, an untyped one, an
    // expression) apart from 0.0 and from the text '0'.
    const zeros = "select r, x, r * 1, s from t where typeof(b) <> 'blob' and typeof(x) <> 'blob' and (r = 0 or x = 0 or s = '0')";
    const zeroRows = await readAll(file, zeros);
    expect(zeroRows.rows).toStrictEqual(inProcess(file, zeros));
    expect(zeroRows.rows.flat().some((v) => Object.is(v, -0))).toBe(true);
    expect(zeroRows.rows.flat().some((v) => Object.is(v, 0))).toBe(true);
    // SQLite failing after rows went out (a batch and more): the read ends with SQLite's message.
    await expect(readAll(file, 'select case when rowid < 3000 then rowid else abs(-9223372036854775808) end from t')).rejects.toThrow(
      /integer overflow/,
    );
  });

  it('runs ahead of a slow reader only a few batches, and a reader that stops early ends the process', async () => {
    const file = emptyFile();
    const database = await connectDatabase(file, { readonly: true });
    try {
      // About 1 GB of rows if it all piled up somewhere.
      const huge =
        "with recursive r(n) as (select 1 union all select n + 1 from r where n < 3000000) select n, printf('%.300c', 'x') from r";
      const result = await database.adapter.readOnlyQuery(huge, { timeoutMs: 60_000 });
      const iterator = result.rows[Symbol.asyncIterator]();
      expect((await iterator.next()).value).toEqual([1, 'x'.repeat(300)]);
      const before = process.memoryUsage();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const after = process.memoryUsage();
      const [child] = queryProcesses();
      expect(child, 'the query process runs while the reader pauses').toBeDefined();
      // The child waits in its write; this process holds a few batches (a few MB), not the result.
      const grownMb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 2 ** 20;
      expect(grownMb).toBeLessThan(64);
      expect(child!.rssKb / 1024).toBeLessThan(200);
      // The reader reads on: rows come in order.
      for (let n = 2; n <= 5000; n++) expect((await iterator.next()).value![0]).toBe(n);
      // break (return) stops the process at once.
      await iterator.return!();
      await waitFor(() => queryProcesses().length === 0, 3000);
      await result.close();
    } finally {
      await database.close();
    }
  });

  it('stops at once on abort and at the time limit, before or while rows flow', async () => {
    const file = emptyFile();
    const database = await connectDatabase(file, { readonly: true });
    try {
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort('SIGINT'), 300);
      // The abort may come before the first answer or while the statement steps: a stop either way.
      const counting = (async () => {
        const runaway = await database.adapter.readOnlyQuery(RUNAWAY, { timeoutMs: 60_000, signal: controller.signal });
        try {
          for await (const _ of runaway.rows);
        } finally {
          await runaway.close();
        }
      })();
      await expect(counting).rejects.toBeInstanceOf(QueryStoppedError);
      expect(Date.now() - started).toBeLessThan(2000);

      // The time limit covers the reading too: a slow reader of a long result is stopped.
      const result = await database.adapter.readOnlyQuery(
        'with recursive r(n) as (select 1 union all select n + 1 from r where n < 10000000) select n from r',
        { timeoutMs: 800 },
      );
      let read = 0;
      const reading = (async () => {
        for await (const _ of result.rows) {
          read++;
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      })();
      await expect(reading).rejects.toThrow(/ran past its time limit \(0\.8 s\)/);
      expect(read).toBeGreaterThan(0);
      await result.close();
      await waitFor(() => queryProcesses().length === 0, 3000);
    } finally {
      await database.close();
    }
  });

  it('PostgreSQL binds the same params', async () => {
    const url = await freshPostgresDatabase('query_params');
    const database = await connectDatabase(url);
    try {
      const result = await database.adapter.readOnlyQuery('select $1::text as a, $2::int + 1 as b', {
        timeoutMs: 10_000,
        params: ['é', 41],
      });
      const rows: unknown[][] = [];
      for await (const row of result.rows) rows.push(row);
      await result.close();
      expect(rows).toEqual([['é', 42]]);
    } finally {
      await database.close();
    }
  });
});

describe('search_transcripts on SQLite runs off the MCP server main loop, with a time limit', () => {
  it('keeps sync_status answering while a slow search runs, and stops the search with a clear tool error', async () => {
    const file = path.join(tempDir(), 'gong.db');
    const database = await connectDatabase(file);
    await migrateToLatest(database);
    // A search FTS5 takes seconds over: a long phrase of one word, matched in 2,000 long sentences.
    const words = Array(1000).fill('w').join(' ');
    const exec = new SqlExecutor(database);
    await exec.transaction(async () => {
      await database.adapter.upsert(
        'calls',
        ['id'],
        ['id', 'title', 'started', 'raw', 'synced_at'],
        [['1', 'c', '2024-05-01T10:00:00Z', '{}', 'x']],
      );
      await database.adapter.upsert('call_transcripts', ['call_id'], ['call_id', 'raw', 'synced_at'], [['1', '{}', 'x']]);
      const sentences = Array.from({ length: 2000 }, (_, seq) => ['1', seq, words]);
      await database.adapter.upsert('transcript_sentences', ['call_id', 'seq'], ['call_id', 'seq', 'text'], sentences);
    });
    await database.close();
    const client = await mcpInProcess({
      GONG_BASE_URL: 'http://127.0.0.1:9',
      GONG_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
      GONG_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
      GONG_DB: file,
    });
    // A quick search answers as before.
    const quick = await callTool(client, 'search_transcripts', { query: 'w', limit: 2 });
    expect(quick.isError, quick.text).toBe(false);
    expect(quick.json.matches).toHaveLength(2);
    // find_calls scans transcripts the same way, its words bound as parameters (% and _ taken literally).
    const found = await callTool(client, 'find_calls', { text: 'W w' });
    expect(found.json.calls.map((c: any) => [c.id, c.matched])).toEqual([
      ['1', expect.arrayContaining([expect.stringMatching(/transcript \(2000 sentences\)/)])],
    ]);
    expect((await callTool(client, 'find_calls', { text: 'w%' })).json.calls).toEqual([]);

    let searchEnded = false;
    const phrase = `"${Array(500).fill('w').join(' ')}"`;
    const started = Date.now();
    const search = callTool(client, 'search_transcripts', { query: phrase, timeout_seconds: 1 }).finally(() => (searchEnded = true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const status = await callTool(client, 'sync_status');
    expect(status.isError, status.text).toBe(false);
    expect(searchEnded, 'sync_status waited for the search').toBe(false);
    const stopped = await search;
    expect(stopped.isError).toBe(true);
    expect(stopped.text).toMatch(/search_transcripts: the search ran past its time limit \(1 s\).*raise timeout_seconds/);
    expect(Date.now() - started).toBeLessThan(5000);
    await waitFor(() => queryProcesses().length === 0, 3000);
  });
});
