/**
 * The MCP server's promise in one figure: a calls_list answered from the local copy against the
 * same call asked live from Gong at 3 requests/s (the real CLI `gong-sync mcp` as a child
 * process, the SDK's own client over stdio, the simulated Gong API on 127.0.0.1); with the tool
 * list's size and how many parameters it describes, find_calls and call_brief, and how fast
 * sync_status answers while a runaway query runs.
 *   node dist/bench/mcp-latency.js   (BENCH_MCP_CALLS=2000 calls, BENCH_MCP_RUNS=15 calls each way, BENCH_LATENCY_MS=50)
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { firstValue } from './read-value.js';
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
  /** The tool list as the client receives it: characters, tools, parameters (nested too) and how many are described. */
  toolListChars: number;
  tools: number;
  parameters: number;
  describedParameters: number;
  /** find_calls by the account with most calls, and call_brief of one of them (medians, ms; no Gong request). */
  findCallsMedianMs: number;
  callBriefMedianMs: number;
  /** Gong requests find_calls and call_brief made (0 is the promise). */
  findRequests: number;
  /** sync_status while a runaway recursive query runs (timeout_seconds 5): slowest answer, and when the query ended with its error. */
  statusDuringRunawayMaxMs: number;
  runawayEndedMs: number;
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
    await run(['sync', '--streams', 'users,calls,calls_extensive'], env);
    const to = String(
      await firstValue(
        db,
        "select bookmark from _sync_state where stream in ('calls', 'calls_extensive') and scope = 'incremental' and bookmark is not null order by bookmark limit 1",
      ),
    );
    // About one Gong page: the last ~100 calls before the bookmark.
    const from = new Date(Date.parse(to) - Math.max(1, Math.round((100 / calls) * 365)) * DAY).toISOString().replace('.000', '');
    const args = { fromDateTime: from, toDateTime: to };

    const client = new Client({ name: 'mcp-latency-bench', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [bin, 'mcp'], env, stderr: 'ignore' }));
    try {
      const time = async (extra: Record<string, unknown>) => {
        const started = performance.now();
        const result = (await client.callTool({ name: 'calls_list', arguments: { ...args, ...extra } })) as {
          content: Array<{ text: string }>;
          isError?: boolean;
        };
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
      const liveRequests = sim.apiRequests().length - localRequests;

      const { tools } = await client.listTools();
      const parameters = countParameters(tools.map((t) => t.inputSchema));
      const tool = async (name: string, args: Record<string, unknown>) => {
        const started = performance.now();
        const result = (await client.callTool({ name, arguments: args })) as { content: Array<{ text: string }>; isError?: boolean };
        return {
          ms: performance.now() - started,
          isError: result.isError === true,
          json: result.isError ? undefined : JSON.parse(result.content[0]!.text),
        };
      };
      const topValue = await firstValue(
        db,
        "select value from call_context_fields where object_type = 'Account' and lower(name) = 'name' group by value order by count(*) desc limit 1",
      );
      const top = topValue === undefined ? undefined : { value: String(topValue) };
      const before = sim.apiRequests().length;
      const finds: number[] = [];
      const briefs: number[] = [];
      let callId: string | undefined;
      for (let i = 0; i < runs; i++) {
        const found = await tool('find_calls', { account: top?.value ?? 'Inc' });
        finds.push(found.ms);
        callId ??= found.json?.calls?.[0]?.id;
        if (callId) briefs.push((await tool('call_brief', { id: callId })).ms);
      }
      const findRequests = sim.apiRequests().length - before;
      // A runaway recursive query, and sync_status asked while it runs.
      const runaway = tool('query', {
        sql: 'with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r',
        timeout_seconds: 5,
      });
      const started = performance.now();
      const statuses: number[] = [];
      await new Promise((r) => setTimeout(r, 300));
      for (let i = 0; i < 5; i++) statuses.push((await tool('sync_status', {})).ms);
      const ended = await runaway;
      if (!ended.isError) throw new Error('the runaway query did not end with an error');
      return {
        calls,
        runs,
        records,
        latencyMs,
        localMedianMs: median(local),
        liveMedianMs: median(live),
        localRequests,
        liveRequests,
        toolListChars: JSON.stringify(tools).length,
        tools: tools.length,
        ...parameters,
        findCallsMedianMs: median(finds),
        callBriefMedianMs: briefs.length ? median(briefs) : Number.NaN,
        findRequests,
        statusDuringRunawayMaxMs: Math.max(...statuses),
        runawayEndedMs: performance.now() - started,
      };
    } finally {
      await client.close();
    }
  } finally {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Every parameter of the tools' schemas, nested ones too, and those with a description. */
function countParameters(schemas: unknown[]): { parameters: number; describedParameters: number } {
  let parameters = 0;
  let describedParameters = 0;
  const walk = (schema: any) => {
    for (const property of Object.values<any>(schema?.properties ?? {})) {
      parameters++;
      if (typeof property.description === 'string' && property.description.trim()) describedParameters++;
      if (property.type === 'object') walk(property);
    }
  };
  schemas.forEach(walk);
  return { parameters, describedParameters };
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
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`gong-sync ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`)),
    );
  });
}

export function formatMcpLatency(r: McpLatency): string {
  return [
    `MCP calls_list (${r.records} records, ${r.calls} calls in the account, ${r.runs} calls each way, simulator latency ${r.latencyMs} ms):`,
    `  local copy: median ${r.localMedianMs.toFixed(1)} ms, ${r.localRequests} Gong requests`,
    `  live at 3/s: median ${r.liveMedianMs.toFixed(1)} ms, ${r.liveRequests} Gong requests`,
    `  local is ${(r.liveMedianMs / r.localMedianMs).toFixed(0)}x faster`,
    `MCP tool list: ${r.tools} tools, ${r.toolListChars} characters; ${r.describedParameters} of ${r.parameters} parameters described (${((100 * r.describedParameters) / r.parameters).toFixed(1)}%, nested included)`,
    `MCP find_calls (account with most calls): median ${r.findCallsMedianMs.toFixed(1)} ms; call_brief: median ${r.callBriefMedianMs.toFixed(1)} ms; ${r.findRequests} Gong requests`,
    `MCP sync_status during a runaway query: slowest of 5 answers ${r.statusDuringRunawayMaxMs.toFixed(0)} ms; the query ended with its time-limit error after ${(r.runawayEndedMs / 1000).toFixed(1)} s (limit 5 s)`,
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
