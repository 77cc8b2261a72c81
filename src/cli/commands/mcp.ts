import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { AppRoot } from '../../app.js';
import { createMcpApp, packageVersion } from '../../mcp/mcp-app.js';
import { createMcpServer, serve } from '../../mcp/server.js';
import { defineCommand, type CommandResult } from '../command.js';

export default defineCommand({
  description: "serve the reference's actions to AI agents over the Model Context Protocol (stdio), answered from the local copy when it can",
  stop: 'immediate',
  db: { accepts: 'sqlite' },
  run: (app) => mcpCommand(app),
});

async function mcpCommand(app: AppRoot): Promise<CommandResult> {
  // stdout carries the protocol only: logs go to stderr, as JSON unless asked otherwise.
  const { config, logger } = app;
  const mcp = await createMcpApp(config, logger);
  try {
    const server = createMcpServer({ tools: mcp.tools, version: packageVersion(), logger, redact: mcp.redact });
    const transport = new StdioServerTransport();
    // The client closing our stdin ends the session (SIGINT/SIGTERM end a server at once: main's signal rules).
    const stop = () => void server.close();
    process.stdin.once('end', stop);
    logger.info(`mcp server ready on stdio: ${mcp.tools.length} tools, database ${config.dbFile}`);
    try {
      await serve(server, transport);
    } finally {
      process.stdin.off('end', stop);
    }
    return { exitCode: 0 };
  } finally {
    await mcp.close();
  }
}
