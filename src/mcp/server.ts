import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ToolError, type McpTool } from './tool.js';
import { argumentProblems } from './json-schema.js';

export const SERVER_NAME = 'gong-sync';

/**
 * The MCP server: lists the tools and runs them. A tool that fails answers with a tool error
 * (isError) that says what was wrong; the server itself never stops for a bad call.
 */
export function createMcpServer(options: { tools: McpTool[]; version: string; logger: Logger; redact: (text: string) => string }): Server {
  const byName = new Map(options.tools.map((t) => [t.name, t]));
  const server = new Server(
    { name: SERVER_NAME, version: options.version },
    {
      capabilities: { tools: {} },
      instructions:
        "Gong data (calls, transcripts, users, stats, scorecards, trackers, library, coaching) from a local copy kept fresh by gong-sync. " +
        'Tools named <entity>_<action> take the Gong connector reference\'s parameters and answer from the copy when it covers the request ' +
        '(source "local", no Gong quota), else from Gong (source "live"). search_transcripts finds what was said; query runs read-only SQL; ' +
        'sync_status says how fresh the copy is.',
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: options.tools.map((t) => ({ name: t.name, description: t.description, inputSchema: t.inputSchema as { type: 'object' } })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const tool = byName.get(request.params.name);
    if (!tool) return toolError(`Unknown tool "${request.params.name}": expected one of ${[...byName.keys()].join(', ')}`);
    const args = request.params.arguments ?? {};
    const problems = argumentProblems(tool.inputSchema, args);
    if (problems.length > 0) return toolError(`${tool.name}: ${problems.join('; ')}`);
    const started = Date.now();
    try {
      const result = await tool.run(args);
      options.logger.info(`mcp ${tool.name} answered in ${Date.now() - started} ms${sourceOf(result)}`);
      return { content: [{ type: 'text', text: options.redact(JSON.stringify(result)) }] };
    } catch (error) {
      const message = options.redact(describeError(error));
      if (!(error instanceof ToolError)) options.logger.warn(`mcp ${tool.name} failed: ${message}`);
      return toolError(message);
    }
  });
  return server;
}

function toolError(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

function sourceOf(result: unknown): string {
  const source = (result as { source?: unknown } | null)?.source;
  return typeof source === 'string' ? ` (${source})` : '';
}

export async function serve(server: Server, transport: Transport): Promise<void> {
  const closed = new Promise<void>((resolve) => {
    server.onclose = () => resolve();
  });
  await server.connect(transport);
  await closed;
}
