import type { Command } from 'commander';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createAppLogger } from '../../app.js';
import { createMcpApp, packageVersion } from '../../mcp/mcp-app.js';
import { createMcpServer, serve } from '../../mcp/server.js';
import type { CommandResult } from '../main.js';
import { commandConfig } from '../command-config.js';

export function registerMcp(program: Command, done: (result: Promise<CommandResult>) => void) {
  program
    .command('mcp')
    .description('serve the reference\'s actions to AI agents over the Model Context Protocol (stdio), answered from the local copy when it can')
    .option('--db <file>', 'SQLite file or postgres:// URL (env GONG_DB, default ./gong.db)')
    .action((options: { db?: string }, command: Command) => done(mcpCommand(options, command)));
}

async function mcpCommand(options: { db?: string }, command: Command): Promise<CommandResult> {
  const config = commandConfig(command, options);
  // stdout carries the protocol only: logs go to stderr, as JSON unless asked otherwise.
  const logger = createAppLogger(config);
  const app = await createMcpApp(config, logger);
  try {
    const server = createMcpServer({ tools: app.tools, version: packageVersion(), logger, redact: app.redact });
    const transport = new StdioServerTransport();
    // The client closing our stdin ends the session (SIGINT/SIGTERM end a server at once: main's signal rules).
    const stop = () => void server.close();
    process.stdin.once('end', stop);
    logger.info(`mcp server ready on stdio: ${app.tools.length} tools, database ${config.dbFile}`);
    try {
      await serve(server, transport);
    } finally {
      process.stdin.off('end', stop);
    }
    return { exitCode: 0 };
  } finally {
    await app.close();
  }
}
