import fs from 'node:fs';
import { createApp, openMigratedDatabase, type App } from '../app.js';
import { secretsOf, requireAuth, type AppConfig } from '../config.js';
import { openDatabase, requireSqliteFile, sqliteOf, type Database } from '../db/database.js';
import { SqlExecutor } from '../db/sql-executor.js';
import type { Logger } from '../logger.js';
import { findStream } from '../../streams/index.js';
import type { StreamSettings } from '../../streams/types.js';
import { Coverage } from './coverage.js';
import { referenceTools } from './reference-tools.js';
import { mediaTools } from './media-tools.js';
import { transcriptSearchTool } from './transcript-search.js';
import { queryTool } from './read-only-query.js';
import { checkTool, syncStatusTool } from './status-tools.js';
import type { McpTool } from './tool.js';

export interface McpApp {
  tools: McpTool[];
  redact(text: string): string;
  close(): Promise<void>;
}

/**
 * Everything the MCP server's tools use, built once from the configuration of the other commands:
 * the database (migrated), the paced and budgeted Gong client when credentials are set (local
 * answers need none), and a second, read-only connection for the query tool.
 */
export async function createMcpApp(config: AppConfig, logger: Logger): Promise<McpApp> {
  requireSqliteFile(config.dbFile, 'mcp', 'point GONG_DB at a SQLite file for the MCP server (gong-sync sync can keep one beside the PostgreSQL copy).');
  const app: App | undefined = config.auth ? await createApp(config, logger) : undefined;
  const database: Database = app?.database ?? (await openMigratedDatabase(config.dbFile, logger));
  let readonly: Database | undefined;
  const readonlySqlite = () => sqliteOf((readonly ??= openDatabase(config.dbFile, { readonly: true })));
  const exec = new SqlExecutor(database);
  const settings: StreamSettings = { includePrivateCalls: config.includePrivateCalls, exposedFields: config.exposedFields };
  const client = () => {
    if (!app) requireAuth(config); // throws the message that says which variables to set
    return app!.client;
  };
  const tools: McpTool[] = [
    ...referenceTools({
      local: { exec, coverage: new Coverage(exec, config.startDate), syncContentSelector: syncContentSelector(settings) },
      exec,
      settings,
      client,
      media: mediaTools({ exec, directory: config.mediaDir, downloader: () => (client(), app!.media) }),
    }),
    transcriptSearchTool(() => sqliteOf(database)),
    queryTool(readonlySqlite),
    syncStatusTool(() => database, config.dailyBudget),
    checkTool(client, config.baseUrl),
  ];
  const secrets = secretsOf(config).filter((s) => s.length >= 4);
  return {
    tools,
    redact: (text) => secrets.reduce((out, secret) => out.split(secret).join('***'), text),
    async close() {
      await readonly?.close();
      if (app) await app.close();
      else await database.close();
    },
  };
}

/** The contentSelector the sync sends for calls_extensive (what its stored records were read with). */
function syncContentSelector(settings: StreamSettings): unknown {
  const request = findStream('calls_extensive')?.request({ window: { from: '', to: '' }, settings }) as { body?: { contentSelector?: unknown } } | undefined;
  return request?.body?.contentSelector ?? null;
}

export function packageVersion(): string {
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      const text = fs.readFileSync(new URL(candidate, import.meta.url), 'utf8');
      const parsed = JSON.parse(text) as { name?: string; version?: string };
      if (parsed.name === 'gong-sync' && parsed.version) return parsed.version;
    } catch {
      // try the next location (src/ under vitest, dist/src/ when built)
    }
  }
  return '0.0.0';
}
