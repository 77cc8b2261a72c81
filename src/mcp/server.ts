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
        'Gong data from a local copy kept fresh by gong-sync: answers in milliseconds with no Gong request. ' +
        'Start with find_calls (by account, opportunity, person, rep, dates, tracker, topic, outcome, words), then call_brief, transcript_excerpt, account_overview; ' +
        'search_transcripts finds what was said; query runs read-only SQL; sync_status says how fresh the copy is. ' +
        'Tools named <entity>_<action> take the Gong API reference\'s parameters and answer {source, synced_at, records, pagination}: "local" from the copy, ' +
        '"live" from Gong (only when the copy lacks the range, or with live: true, within a daily live budget). Pass pagination.cursor back as cursor for the next page. ' +
        'Dates are ISO-8601 (e.g. "2026-11-01T00:00:00Z"); ids are digit strings.',
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: options.tools.map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: t.inputSchema as { type: 'object' },
      ...(t.annotations ? { annotations: t.annotations } : {}),
    })),
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
