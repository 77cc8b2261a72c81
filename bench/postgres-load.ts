/**
 * Transcript sentence rows per second into PostgreSQL beside SQLite, pacing off, the same account
 * and machine, and the sync's peak RSS. Part of `npm run bench` (figure 4b); alone:
 *   npm run build && node dist/bench/postgres-load.js [calls]
 * The server is a local PostgreSQL started for the run, durable settings (fsync on).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectDatabase } from '../src/db/database.js';
import { firstValue } from './read-value.js';
import { GongSimulator, DEMO_CREDENTIALS } from '../src/simulator/server.js';
import { startPostgres } from '../test/helpers/postgres-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../../bin/gong-sync.js');
const DAY = 86_400_000;

export interface LoadFigure {
  destination: 'sqlite' | 'postgres';
  sentenceRows: number;
  /** Transcript requests of the sync: Gong's 3 requests/s caps what any destination receives. */
  requests: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMb: number;
  wallSeconds: number;
}

/** The server alone: synthetic sentence rows inserted as the loader does, with and without full-text search. */
export interface ServerCeiling {
  rows: number;
  plainRowsPerSecond: number;
  withFullTextRowsPerSecond: number;
}

export async function benchPostgresLoad(calls: number): Promise<{ sqlite: LoadFigure; postgres: LoadFigure; ceiling: ServerCeiling }> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gong-sync-bench-pg-'));
  const server = await startPostgres({ durable: true });
  try {
    const url = await server.createDatabase('bench');
    const sqlite = await loadInto('sqlite', path.join(workDir, 'load.db'), calls);
    const postgres = await loadInto('postgres', url, calls);
    const ceiling = await serverCeiling(await server.createDatabase('ceiling'), 250_000);
    return { sqlite, postgres, ceiling };
  } finally {
    await server.stop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

async function loadInto(destination: LoadFigure['destination'], target: string, calls: number): Promise<LoadFigure> {
  const sim = await GongSimulator.start({ calls, days: 365 });
  try {
    const started = Date.now();
    const child = spawn(process.execPath, [bin, 'sync', '--streams', 'users,calls_extensive,call_transcripts'], {
      env: {
        PATH: process.env.PATH ?? '',
        GONG_BASE_URL: sim.url,
        GONG_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
        GONG_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
        GONG_DB: target,
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
    if (code !== 0) throw new Error(`sync into ${destination} exited ${code}:\n${stderr.slice(-2000)}`);
    const transcripts = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map(
        (l) =>
          JSON.parse(l) as { event?: string; stream?: string; rowsWritten: number; records: number; requests: number; elapsedMs: number },
      )
      .find((e) => e.event === 'stream_done' && e.stream === 'call_transcripts')!;
    const sentenceRows = transcripts.rowsWritten - transcripts.records;
    const seconds = transcripts.elapsedMs / 1000;
    return {
      destination,
      sentenceRows,
      requests: transcripts.requests,
      seconds,
      rowsPerSecond: sentenceRows / seconds,
      peakRssMb: await lastPeakRss(destination, target),
      wallSeconds: (Date.now() - started) / 1000,
    };
  } finally {
    await sim.stop();
  }
}

/**
 * How fast this server takes sentence rows at all: the loader's statement (arrays per column,
 * 5,000 rows, upsert, one commit each) with no client work, on the table's shape without and with
 * the tsvector column and GIN index that full-text search needs.
 */
async function serverCeiling(url: string, rows: number): Promise<ServerCeiling> {
  // The product's own connection (adapter and backend), with no sync around it.
  const database = await connectDatabase(url);
  const client = { query: (text: string, values: unknown[] = []) => database.backend.run(text, values) };
  const words = 'pricing budget onboarding security champion review timeline quarter demo rollout integration'.split(' ');
  const rate = async (fullText: boolean) => {
    await client.query('drop table if exists sentences');
    await client.query(
      'create table sentences (call_id text not null, seq integer not null, speaker_id text, start_ms integer, end_ms integer, text text, topic text, ' +
        `segment_index integer, synced_at text not null${fullText ? ", tsv tsvector generated always as (to_tsvector('simple', coalesce(text, ''))) stored" : ''}, primary key (call_id, seq))`,
    );
    if (fullText) await client.query('create index sentences_tsv on sentences using gin (tsv)');
    const started = Date.now();
    for (let first = 0; first < rows; first += 5000) {
      const columns: unknown[][] = Array.from({ length: 9 }, () => []);
      for (let i = first; i < Math.min(rows, first + 5000); i++) {
        const text = Array.from({ length: 12 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ');
        [
          `1000000000${Math.floor(i / 50)}`,
          i % 50,
          '4455768430061709',
          i * 10,
          i * 10 + 5,
          text,
          'Pricing',
          i % 7,
          '2026-11-25T00:00:00.000Z',
        ].forEach((v, c) => columns[c]!.push(v));
      }
      const upsert =
        'insert into sentences (call_id, seq, speaker_id, start_ms, end_ms, text, topic, segment_index, synced_at) ' +
        'select * from unnest($1::text[], $2::int4[], $3::text[], $4::int4[], $5::int4[], $6::text[], $7::text[], $8::int4[], $9::text[]) ' +
        'on conflict (call_id, seq) do update set text = excluded.text, synced_at = excluded.synced_at';
      await database.backend.transaction(() => client.query(upsert, columns));
    }
    return rows / ((Date.now() - started) / 1000);
  };
  try {
    return { rows, plainRowsPerSecond: await rate(false), withFullTextRowsPerSecond: await rate(true) };
  } finally {
    await database.close();
  }
}

async function lastPeakRss(_destination: LoadFigure['destination'], target: string): Promise<number> {
  return Number(await firstValue(target, 'select peak_rss_mb from _runs order by id desc limit 1'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const calls = Number(process.argv[2] ?? 5000);
  benchPostgresLoad(calls).then(
    ({ sqlite, postgres, ceiling }) => {
      for (const f of [sqlite, postgres]) {
        console.log(
          `${f.destination}: ${f.sentenceRows} sentence rows in ${f.seconds.toFixed(1)} s = ${Math.round(f.rowsPerSecond)} rows/s; peak RSS ${f.peakRssMb} MB; sync ${f.wallSeconds.toFixed(1)} s`,
        );
      }
      console.log(
        `Gong's 3 requests/s deliver at most ${Math.round((postgres.sentenceRows / postgres.requests) * 3)} sentence rows/s (${Math.round(postgres.sentenceRows / postgres.requests)} a request)`,
      );
      console.log(
        `server alone, ${ceiling.rows} rows: ${Math.round(ceiling.plainRowsPerSecond)} rows/s without full-text search, ${Math.round(ceiling.withFullTextRowsPerSecond)} rows/s with it`,
      );
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
