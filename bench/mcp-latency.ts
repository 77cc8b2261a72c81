/**
 * The MCP server's promise in one figure: a calls_list answered from the local copy against the
 * same call asked live from Gong at 3 requests/s (the real CLI `gong-sync mcp` as a child
 * process, the SDK's own client over stdio, the simulated Gong API on 127.0.0.1).
 *   node dist/bench/mcp-latency.js   (BENCH_MCP_CALLS=2000 calls, BENCH_MCP_RUNS=15 calls each way, BENCH_LATENCY_MS=50)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import BetterSqlite3 from 'better-sqlite3';
import { GongSimulator, DEMO_CREDENTIALS } from '../src/simulator/server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.resolve(here, '../../bin/gong-sync.js');
const DAY = 86_400_000;

export interface McpLatency {
  calls: number;
  runs: number;
  /** Records in each answer (one page). */
  records: number;
  latencyMs: number;
  localMedianMs: number;
  liveMedianMs: number;
  /** Gong requests the local answers made (0 is the promise). */
  localRequests: number;
  liveRequests: number;
}

export async function benchMcpLatency(options: { calls?: number; runs?: number; latencyMs?: number } = {}): Promise<McpLatency> {
  const calls = options.calls ?? Number(process.env.BENCH_MCP_CALLS ?? 2000);
  const runs = options.runs ?? Number(process.env.BENCH_MCP_RUNS ?? 15);
  const latencyMs = options.latencyMs ?? Number(process.env.BENCH_LATENCY_MS ?? 50);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gong-sync-mcp-bench-'));
  const sim = await GongSimulator.start({ calls, days: 365, rateLimitPerSecond: 3, faults: { latencyMs } });
  try {
    const db = path.join(dir, 'gong.db');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      GONG_BASE_URL: sim.url,
      GONG_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
      GONG_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
      GONG_DB: db,
      GONG_RATE_LIMIT: '3',
      GONG_DAILY_BUDGET: '100000',
      GONG_START_DATE: new Date(Date.now() - 400 * DAY).toISOString().slice(0, 10),
      GONG_LOG_FORMAT: 'json',
      GONG_MEDIA_DIR: path.join(dir, 'media'),
    };
    await run(['sync', '--streams', 'users,calls'], env);
    const bookmark = new BetterSqlite3(db, { readonly: true });
    const to = (bookmark.prepare("select bookmark from _sync_state where stream = 'calls' and scope = 'incremental'").get() as { bookmark: string }).bookmark;
    bookmark.close();
    // About one Gong page: the last ~100 calls before the bookmark.
    const from = new Date(Date.parse(to) - Math.max(1, Math.round((100 / calls) * 365)) * DAY).toISOString().replace('.000', '');
    const args = { fromDateTime: from, toDateTime: to };

    const client = new Client({ name: 'mcp-latency-bench', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp'], env, stderr: 'ignore' }));
    try {
      const time = async (extra: Record<string, unknown>) => {
        const started = performance.now();
        const result = (await client.callTool({ name: 'calls_list', arguments: { ...args, ...extra } })) as { content: Array<{ text: string }>; isError?: boolean };
        const ms = performance.now() - started;
        if (result.isError) throw new Error(result.content[0]?.text);
        const answer = JSON.parse(result.content[0]!.text) as { source: string; records: unknown[] };
        return { ms, answer };
      };
      await time({}); // warm-up: first statement preparation
      sim.clearLog();
      const local: number[] = [];
      let records = 0;
      for (let i = 0; i < runs; i++) {
        const { ms, answer } = await time({});
        if (answer.source !== 'local') throw new Error(`expected a local answer, got ${answer.source}`);
        local.push(ms);
        records = answer.records.length;
      }
      const localRequests = sim.apiRequests().length;
      const live: number[] = [];
      for (let i = 0; i < runs; i++) live.push((await time({ live: true })).ms);
      return { calls, runs, records, latencyMs, localMedianMs: median(local), liveMedianMs: median(live), localRequests, liveRequests: sim.apiRequests().length - localRequests };
    } finally {
      await client.close();
    }
  } finally {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function run(args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`gong-sync ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`))));
  });
}

export function formatMcpLatency(r: McpLatency): string {
  return [
    `MCP calls_list (${r.records} records, ${r.calls} calls in the account, ${r.runs} calls each way, simulator latency ${r.latencyMs} ms):`,
    `  local copy: median ${r.localMedianMs.toFixed(1)} ms, ${r.localRequests} Gong requests`,
    `  live at 3/s: median ${r.liveMedianMs.toFixed(1)} ms, ${r.liveRequests} Gong requests`,
    `  local is ${(r.liveMedianMs / r.localMedianMs).toFixed(0)}x faster`,
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  benchMcpLatency()
    .then((r) => console.log(formatMcpLatency(r)))
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    });
}
