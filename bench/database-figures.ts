/**
 * What the database costs as it grows: transcript rows loaded per second (figure 4), file size per
 * call (figure 7) and the time each view takes to answer `select *` in full (figure 8), after a
 * full first sync of a large account with pacing off. Part of `npm run bench`; alone:
 *   npm run build && node dist/bench/database-figures.js [calls]
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
  bytes: number;
  bytesPerCall: number;
  /** Bytes by table (its rows and indexes), largest first. */
  bytesByTable: Array<{ table: string; bytes: number }>;
  views: Array<{ view: string; rows: number; seconds: number }>;
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
  const started = Date.now();
  try {
    streams = await sync(sim.url, file);
  } finally {
    await sim.stop();
  }
  const syncSeconds = (Date.now() - started) / 1000;
  const transcripts = streams.find((s) => s.stream === 'call_transcripts')!;
  const sentenceRows = transcripts.rowsWritten - transcripts.records;
  const transcriptSeconds = transcripts.elapsedMs / 1000;

  const database = await connectDatabase(file, { readonly: true });
  try {
    const read = async (sqlText: string) => {
      const result = await database.adapter.readOnlyQuery(sqlText, { timeoutMs: 600_000 });
      const rows: unknown[][] = [];
      try {
        for await (const row of result.rows) rows.push(row);
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
      const rows = await read(`select * from "${name}"`);
      views.push({ view: name, rows: rows.length, seconds: (Date.now() - viewStarted) / 1000 });
    }
    return {
      calls: storedCalls,
      sentenceRows,
      transcriptSeconds,
      rowsPerSecond: sentenceRows / transcriptSeconds,
      syncSeconds,
      bytes,
      bytesPerCall: bytes / storedCalls,
      bytesByTable: byTable.map(([table, size]) => ({ table: String(table), bytes: Number(size) })),
      views,
    };
  } finally {
    await database.close();
  }
}

async function sync(url: string, file: string): Promise<Array<{ stream: string; records: number; rowsWritten: number; elapsedMs: number }>> {
  const child = spawn(process.execPath, [bin, 'sync'], {
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
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((e) => e.event === 'stream_done');
}

/** The figures as BENCHMARKS.md lines. */
export function describeDatabaseFigures(f: DatabaseFigures): string[] {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    `- transcript sentence rows loaded per second, ${f.calls} calls, pacing off: ${f.sentenceRows} rows in ${f.transcriptSeconds.toFixed(1)} s = **${Math.round(f.rowsPerSecond).toLocaleString('en-US')} rows/s** (whole sync ${f.syncSeconds.toFixed(1)} s)`,
    `- database size: ${(f.bytes / 2 ** 20).toFixed(1)} MB for ${f.calls} calls = **${kb(f.bytesPerCall)} per call**; largest tables with their indexes: ${f.bytesByTable
      .slice(0, 8)
      .map((t) => `${t.table} ${kb(t.bytes / f.calls)}`)
      .join(', ')} (per call)`,
    `- views, \`select *\` read in full: ${f.views.map((v) => `${v.view} ${v.seconds.toFixed(2)} s (${v.rows} rows)`).join('; ')}; slowest **${Math.max(...f.views.map((v) => v.seconds)).toFixed(2)} s**`,
  ];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const calls = Number(process.argv[2] ?? 20000);
  const figures = await benchDatabaseFigures(calls);
  for (const line of describeDatabaseFigures(figures)) console.log(line);
}
