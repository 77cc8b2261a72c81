import type { AppRoot } from '../../app.js';
import { createMcpApp, packageVersion } from '../../mcp/mcp-app.js';
import { createMcpServer, serve } from '../../mcp/server.js';
import { SafeStdioTransport } from '../../mcp/stdio-transport.js';
import { watchExits } from '../../mcp/exit-log.js';
import { defineCommand, type CommandResult } from '../command.js';

export default defineCommand({
  description: 'serve Gong data to AI agents over the Model Context Protocol (stdio), answered from the local copy (SQLite or PostgreSQL)',
  stop: 'immediate',
  db: {},
  run: (app) => mcpCommand(app),
});

async function mcpCommand(app: AppRoot): Promise<CommandResult> {
  // stdout carries the protocol only: logs go to stderr, as JSON unless asked otherwise.
  const { config, logger } = app;
  const exits = watchExits(logger);
  const mcp = await createMcpApp(config, logger, app.signal);
  try {
    const server = createMcpServer({ tools: mcp.tools, version: packageVersion(), logger, redact: mcp.redact });
    // Malformed or oversized request lines get a JSON-RPC error; the client closing stdin ends the session.
    const transport = new SafeStdioTransport(process.stdin, process.stdout, (problem) => logger.warn(`mcp refused a message: ${problem}`));
    logger.info(`mcp server ready on stdio: ${mcp.tools.length} tools, database ${config.dbFile}`);
    await serve(server, transport);
    exits.reason('the client closed stdin');
    return { exitCode: 0 };
  } finally {
    await mcp.close();
  }
}
