/**
 * What the database costs as it grows: transcript rows loaded per second (figure 4), file size per
 * call (figure 7) and the time each view takes to answer `select *` in full (figure 8), after a
 * full first sync of a large account with pacing off. Part of `npm run bench`; alone:
 *   npm run build && node dist/bench/database-figures.js [calls]
 * Size and views alone, of a SQLite file already synced (the bench's own, or yours):
 *   npm run build && node dist/bench/database-figures.js --file gong.db
 * Views are read through `gong-sync query`'s own path (the adapter's read-only query).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GongSimulator, DEMO_CREDENTIALS } from '../src/simulator/server.js';
import { connectDatabase } from '../src/db/database.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../../bin/gong-sync.js');
const DAY = 86_400_000;

export interface DatabaseFigures {
  calls: number;
  sentenceRows: number;
  transcriptSeconds: number;
  rowsPerSecond: number;
  syncSeconds: number;
  /** CPU seconds (user + system) of the sync process, when /usr/bin/time can tell: the figure a loaded machine distorts least. */
  syncCpuSeconds: number | undefined;
  /** The machine's 1-minute load average around the sync: figures measured beside other work say so. */
  loadAverage: number;
  bytes: number;
  bytesPerCall: number;
  /** Bytes by table (its rows and indexes), largest first. */
  bytesByTable: Array<{ table: string; bytes: number }>;
  /**
   * Each view: seconds to its first 1,000 rows (what a BI tool shows first) and to its last, through
   * `gong-sync query`'s path; and SQLite's own seconds for every row and column (what a BI tool
   * reading the file in-process waits), without the hand-over between processes.
   */
  views: Array<{ view: string; rows: number; firstSeconds: number; seconds: number; sqliteSeconds: number }>;
}

export async function benchDatabaseFigures(calls: number): Promise<DatabaseFigures> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gong-sync-bench-db-'));
  try {
    return await measure(calls, path.join(workDir, `figures-${calls}.db`));
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

async function measure(calls: number, file: string): Promise<DatabaseFigures> {
  const sim = await GongSimulator.start({ calls, days: 365 });
  let streams: Array<{ stream: string; records: number; rowsWritten: number; elapsedMs: number }>;
  let syncCpuSeconds: number | undefined;
  const started = Date.now();
  const loadBefore = os.loadavg()[0]!;
  try {
    ({ streams, cpuSeconds: syncCpuSeconds } = await sync(sim.url, file));
  } finally {
    await sim.stop();
  }
  const loadAverage = (loadBefore + os.loadavg()[0]!) / 2;
  const syncSeconds = (Date.now() - started) / 1000;
  const transcripts = streams.find((s) => s.stream === 'call_transcripts')!;
  const sentenceRows = transcripts.rowsWritten - transcripts.records;
  const transcriptSeconds = transcripts.elapsedMs / 1000;
  return {
    sentenceRows,
    transcriptSeconds,
    rowsPerSecond: sentenceRows / transcriptSeconds,
    syncSeconds,
    syncCpuSeconds,
    loadAverage,
    ...(await sizeAndViews(file)),
  };
}

/** Size per call (with the largest tables) and each view's time, of a synced SQLite file. */
export async function sizeAndViews(
  file: string,
): Promise<Pick<DatabaseFigures, 'calls' | 'bytes' | 'bytesPerCall' | 'bytesByTable' | 'views'>> {
  const database = await connectDatabase(file, { readonly: true });
  try {
    const read = async (sqlText: string, onRow: (count: number) => void = () => undefined) => {
      const result = await database.adapter.readOnlyQuery(sqlText, { timeoutMs: 600_000 });
      const rows: unknown[][] = [];
      try {
        for await (const row of result.rows) onRow(rows.push(row));
      } finally {
        await result.close();
      }
      return rows;
    };
    const storedCalls = Number((await read('select count(*) from calls'))[0]![0]);
    const bytes = fs.statSync(file).size;
    const byTable = await read(
      `select coalesce(m.tbl_name, d.name) as tbl, sum(d.pgsize) from dbstat d left join sqlite_master m on m.name = d.name group by tbl order by 2 desc`,
    ).catch(() => []);
    const views: DatabaseFigures['views'] = [];
    for (const { name } of (await database.adapter.listTables()).filter((t) => t.type === 'view')) {
      const viewStarted = Date.now();
      let firstMs = 0;
      // Every row is read and then dropped, as `gong-sync query` writes each row out: holding a
      // million rows would time the bench's own memory, not the view.
      const result = await database.adapter.readOnlyQuery(`select * from "${name}"`, { timeoutMs: 600_000 });
      let rowCount = 0;
      try {
        for await (const _row of result.rows) if (++rowCount === 1000) firstMs = Date.now() - viewStarted;
      } finally {
        await result.close();
      }
      const ms = Date.now() - viewStarted;
      // Every value of every row computed inside SQLite, one number out.
      const columns = result.columns;
      const sqliteStarted = Date.now();
      await read(`select sum(${columns.map((c) => `coalesce(length("${c}"), 0)`).join(' + ')}) from "${name}"`);
      const sqliteMs = Date.now() - sqliteStarted;
      views.push({ view: name, rows: rowCount, firstSeconds: (firstMs || ms) / 1000, seconds: ms / 1000, sqliteSeconds: sqliteMs / 1000 });
    }
    return {
      calls: storedCalls,
      bytes,
      bytesPerCall: bytes / storedCalls,
      bytesByTable: byTable.map(([table, size]) => ({ table: String(table), bytes: Number(size) })),
      views,
    };
  } finally {
    await database.close();
  }
}

async function sync(
  url: string,
  file: string,
): Promise<{ streams: Array<{ stream: string; records: number; rowsWritten: number; elapsedMs: number }>; cpuSeconds?: number }> {
  const timed = fs.existsSync('/usr/bin/time');
  const command = timed ? ['/usr/bin/time', '-f', 'CPU %U %S', process.execPath] : [process.execPath];
  const child = spawn(command[0]!, [...command.slice(1), bin, 'sync'], {
    env: {
      PATH: process.env.PATH ?? '',
      GONG_BASE_URL: url,
      GONG_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
      GONG_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
      GONG_DB: file,
      GONG_LOG_FORMAT: 'json',
      GONG_DAILY_BUDGET: '100000',
      GONG_RATE_LIMIT: '100000',
      GONG_START_DATE: new Date(Date.now() - 365 * DAY).toISOString().slice(0, 10),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`sync exited ${code}:\n${stderr.slice(-2000)}`);
  const cpu = /^CPU ([\d.]+) ([\d.]+)$/m.exec(stderr);
  const streams = stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((e) => e.event === 'stream_done');
  return { streams, cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : undefined };
}

/** The figures as BENCHMARKS.md lines. */
export function describeDatabaseFigures(f: DatabaseFigures): string[] {
  return [
    `- transcript sentence rows loaded per second, ${f.calls} calls, pacing off: ${f.sentenceRows} rows in ${f.transcriptSeconds.toFixed(1)} s = **${Math.round(f.rowsPerSecond).toLocaleString('en-US')} rows/s** (whole sync ${f.syncSeconds.toFixed(1)} s wall${f.syncCpuSeconds === undefined ? '' : `, ${f.syncCpuSeconds.toFixed(1)} s CPU`}; machine load average ${f.loadAverage.toFixed(1)} on ${os.cpus().length} cores)`,
    ...describeSizeAndViews(f),
  ];
}

/** Figures 7 and 8 as BENCHMARKS.md lines. */
export function describeSizeAndViews(f: Pick<DatabaseFigures, 'calls' | 'bytes' | 'bytesPerCall' | 'bytesByTable' | 'views'>): string[] {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    `- database size: ${(f.bytes / 2 ** 20).toFixed(1)} MB for ${f.calls} calls = **${kb(f.bytesPerCall)} per call**; largest tables with their indexes: ${f.bytesByTable
      .slice(0, 8)
      .map((t) => `${t.table} ${kb(t.bytes / f.calls)}`)
      .join(', ')} (per call)`,
    `- views, \`select *\` through gong-sync query's path, first 1,000 rows / all rows (every value computed in SQLite alone): ${f.views
      .map((v) => `${v.view} ${v.firstSeconds.toFixed(2)} s / ${v.seconds.toFixed(2)} s (${v.sqliteSeconds.toFixed(2)} s; ${v.rows} rows)`)
      .join(
        '; ',
      )}; slowest first page **${Math.max(...f.views.map((v) => v.firstSeconds)).toFixed(2)} s**, slowest in full **${Math.max(...f.views.map((v) => v.seconds)).toFixed(2)} s** (in SQLite alone ${Math.max(...f.views.map((v) => v.sqliteSeconds)).toFixed(2)} s)`,
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  if (process.argv[2] === '--file') {
    for (const line of describeSizeAndViews(await sizeAndViews(process.argv[3]!))) console.log(line);
  } else {
    const calls = Number(process.argv[2] ?? 20000);
    const figures = await benchDatabaseFigures(calls);
    for (const line of describeDatabaseFigures(figures)) console.log(line);
  }
}
