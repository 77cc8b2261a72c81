import type { Command } from 'commander';
import { createAppLogger } from '../../app.js';
import { createMcpApp, packageVersion } from '../../mcp/mcp-app.js';
import { createMcpServer, serve } from '../../mcp/server.js';
import { SafeStdioTransport } from '../../mcp/stdio-transport.js';
import { watchExits } from '../../mcp/exit-log.js';
import type { CommandResult } from '../main.js';
import { commandConfig } from '../command-config.js';

export function registerMcp(program: Command, done: (result: Promise<CommandResult>) => void) {
  program
    .command('mcp')
    .description('serve Gong data to AI agents over the Model Context Protocol (stdio), answered from the local copy')
    .option('--db <file>', 'SQLite file or postgres:// URL (env GONG_DB, default ./gong.db)')
    .action((options: { db?: string }, command: Command) => done(mcpCommand(options, command)));
}

async function mcpCommand(options: { db?: string }, command: Command): Promise<CommandResult> {
  const config = commandConfig(command, options);
  // stdout carries the protocol only: logs go to stderr, as JSON unless asked otherwise.
  const logger = createAppLogger(config);
  const exits = watchExits(logger);
  const app = await createMcpApp(config, logger);
  try {
    const server = createMcpServer({ tools: app.tools, version: packageVersion(), logger, redact: app.redact });
    const transport = new SafeStdioTransport(process.stdin, process.stdout, (problem) => logger.warn(`mcp refused a message: ${problem}`));
    logger.info(`mcp server ready on stdio: ${app.tools.length} tools, database ${config.dbFile}`);
    await serve(server, transport);
    exits.reason('the client closed stdin');
    return { exitCode: 0 };
  } finally {
    await app.close();
  }
}
