import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { simEnv, tempDir } from './helpers/cli.js';
import { startSimulator } from './helpers/simulator.js';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';
import { syncInProcess } from './helpers/mcp-in-process.js';

const BIN = path.resolve(__dirname, '../bin/gong-sync.js');
const running: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  while (running.length > 0) running.pop()!.kill('SIGKILL');
});

/** `gong-sync mcp` on an empty copy, spoken to line by line, as a client process would. */
function startServer() {
  const child = spawn(process.execPath, [BIN, 'mcp'], {
    env: { PATH: process.env.PATH, GONG_DB: path.join(tempDir(), 'gong.db'), GONG_LOG_FORMAT: 'text' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (what: () => boolean, label: string) => {
    const deadline = Date.now() + 20_000;
    while (!what()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}; stderr:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const answers = () =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id?: unknown; result?: any; error?: { code: number; message: string } });
  return { child, exited, waitFor, answers, stderr: () => stderr };
}

describe('gong-sync mcp on stdio never hangs and never vanishes', () => {
  it('answers malformed and oversized request lines with JSON-RPC errors and keeps serving; says why it exits', async () => {
    const server = startServer();
    await server.waitFor(() => /mcp server ready/.test(server.stderr()), 'the server to start');
    server.child.stdin.write('this is not json\n');
    await server.waitFor(() => server.answers().length >= 1, 'an answer to a malformed line');
    expect(server.answers()[0]).toMatchObject({ id: null, error: { code: -32700 } });

    server.child.stdin.write('{"jsonrpc":"2.0","id":7,"nonsense":true}\n');
    await server.waitFor(() => server.answers().length >= 2, 'an answer to an invalid message');
    expect(server.answers()[1]).toMatchObject({ id: 7, error: { code: -32600 } });

    // Over 10 MiB in one line, written in pieces as a pipe delivers it.
    const piece = Buffer.alloc(1024 * 1024, 'a');
    for (let i = 0; i < 11; i++) server.child.stdin.write(piece);
    server.child.stdin.write('\n');
    await server.waitFor(() => server.answers().length >= 3, 'an answer to an oversized line');
    expect(server.answers()[2]).toMatchObject({
      id: null,
      error: { code: -32600, message: expect.stringMatching(/larger than 10485760 bytes/) },
    });

    // Still serving: a client can initialize and list the tools.
    server.child.stdin.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } })}\n`,
    );
    server.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    server.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' })}\n`);
    await server.waitFor(() => server.answers().some((a) => a.id === 2), 'the tool list');
    expect(
      server
        .answers()
        .find((a) => a.id === 2)!
        .result.tools.map((t: { name: string }) => t.name),
    ).toContain('find_calls');
    expect(server.stderr()).toMatch(/mcp refused a message: Parse error/);

    server.child.stdin.end();
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toMatch(/mcp server exited with code 0: the client closed stdin/);
  });

  it('logs the signal that ends it', async () => {
    const server = startServer();
    await server.waitFor(() => /mcp server ready/.test(server.stderr()), 'the server to start');
    server.child.kill('SIGTERM');
    await server.exited;
    expect(server.stderr()).toMatch(/mcp server stopping: SIGTERM received/);
  });
});

describe('gong-sync mcp on PostgreSQL', () => {
  it('answers calls_get and find_calls from the copy with no request to Gong (the CLI, the SDK client over stdio)', async () => {
    const sim = await startSimulator({ calls: 40, days: 30 });
    const url = await freshPostgresDatabase('mcp_cli');
    const env = simEnv(sim, url, { GONG_START_DATE: new Date(Date.now() - 40 * 86_400_000).toISOString().slice(0, 10) });
    await syncInProcess(env);
    const call = sim.account.visibleCalls().find((c) => c.record.scope === 'External')!;
    const defined = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
    const client = new Client({ name: 'gong-sync-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], env: defined, stderr: 'ignore' }));
    try {
      sim.clearLog();
      const got = (await client.callTool({ name: 'calls_get', arguments: { id: call.record.id } })) as {
        content: Array<{ text: string }>;
        isError?: boolean;
      };
      expect(got.isError, got.content[0]?.text).toBeFalsy();
      expect(JSON.parse(got.content[0]!.text)).toMatchObject({ source: 'local', record: { id: call.record.id, title: call.record.title } });
      const found = (await client.callTool({ name: 'find_calls', arguments: { participant: call.parties[0]!.emailAddress } })) as {
        content: Array<{ text: string }>;
      };
      expect(JSON.parse(found.content[0]!.text).calls.map((c: { id: string }) => c.id)).toContain(call.record.id);
      expect(sim.apiRequests()).toEqual([]);
    } finally {
      await client.close();
    }
  });
});
