import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createApp, syncOptions } from '../../src/app.js';
import { runSync } from '../../src/runner/sync.js';
import { selectStreams } from '../../src/cli/stream-selection.js';
import { silentLogger } from '../../src/logger.js';
import { createMcpApp } from '../../src/mcp/mcp-app.js';
import { createMcpServer } from '../../src/mcp/server.js';

const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

/** A sync of the simulator into the configured database, in this process (as `gong-sync sync` runs it). */
export async function syncInProcess(env: Record<string, string | undefined>): Promise<void> {
  const app = await createApp(loadConfig(env), silentLogger);
  try {
    const report = await runSync(syncOptions(app, selectStreams(undefined)));
    if (report.outcome !== 'succeeded')
      throw new Error(
        `sync ${report.outcome}: ${report.error?.message ?? JSON.stringify(report.streams.filter((s) => s.outcome !== 'succeeded'))}`,
      );
  } finally {
    await app.close();
  }
}

/** The MCP server of `gong-sync mcp`, in this process, with the SDK's client on an in-memory transport. */
export async function mcpInProcess(env: Record<string, string | undefined>): Promise<Client> {
  const app = await createMcpApp(loadConfig(env), silentLogger);
  const server = createMcpServer({ tools: app.tools, version: 'test', logger: silentLogger, redact: app.redact });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'gong-sync-test', version: '1.0.0' });
  await client.connect(clientSide);
  closers.push(async () => {
    await client.close();
    await server.close();
    await app.close();
  });
  return client;
}

export interface ToolAnswer {
  isError: boolean;
  text: string;
  json: any;
}

export async function callTool(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  const result = (await client.callTool({ name, arguments: args })) as {
    isError?: boolean;
    content: Array<{ type: string; text: string }>;
  };
  const text = result.content.map((c) => c.text).join('');
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { isError: result.isError === true, text, json };
}
