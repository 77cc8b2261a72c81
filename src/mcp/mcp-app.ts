import fs from 'node:fs';
import { createApp, openMigratedDatabase, type App } from '../app.js';
import { secretsOf, requireAuth, type AppConfig } from '../config.js';
import type { Database } from '../db/database.js';
import { SqlExecutor } from '../db/sql-executor.js';
import type { Logger } from '../logger.js';
import { findStream } from '../../streams/index.js';
import type { StreamSettings } from '../../streams/types.js';
import { textMasker } from '../text-masking.js';
import { Coverage } from './coverage.js';
import { referenceTools } from './reference-tools.js';
import { mediaTools } from './media-tools.js';
import { transcriptSearchTool } from './transcript-search.js';
import { queryTool } from './read-only-query.js';
import { checkTool, syncStatusTool } from './status-tools.js';
import { findCallsTool } from './find-calls.js';
import { callBriefTool } from './call-brief.js';
import { transcriptExcerptTool } from './transcript-excerpt.js';
import { accountOverviewTool } from './account-overview.js';
import { LiveRequestBudget, defaultLiveBudget } from './live-budget.js';
import type { McpTool } from './tool.js';

export interface McpApp {
  tools: McpTool[];
  /** Hides the configured secrets in anything the server sends. */
  redact(text: string): string;
  close(): Promise<void>;
}

/**
 * Everything the MCP server's tools use, built once from the configuration of the other commands:
 * the database (migrated; SQLite or PostgreSQL), the paced and budgeted Gong client when
 * credentials are set (local answers need none; live ones count against GONG_MCP_LIVE_BUDGET as
 * well as the daily budget), and the off-loop runner of the query tool.
 */
export async function createMcpApp(config: AppConfig, logger: Logger, signal?: AbortSignal): Promise<McpApp> {
  const liveBudget = config.mcpLiveBudget ?? defaultLiveBudget(config.dailyBudget);
  const app: App | undefined = config.auth
    ? await createApp(config, logger, signal, { budget: (exec, daily) => new LiveRequestBudget(exec, daily, liveBudget) })
    : undefined;
  const database: Database = app?.database ?? (await openMigratedDatabase(config.dbFile, logger, config.dbSchema, signal));
  const exec = new SqlExecutor(database);
  const settings: StreamSettings = { includePrivateCalls: config.includePrivateCalls, exposedFields: config.exposedFields };
  const mask = textMasker(config.redactText);
  const client = () => {
    if (!app) requireAuth(config); // throws the message that says which variables to set
    return app!.client;
  };
  const tools: McpTool[] = [
    findCallsTool(exec),
    callBriefTool(exec, mask),
    transcriptExcerptTool(exec, mask),
    accountOverviewTool(exec),
    transcriptSearchTool(exec, mask),
    ...referenceTools({
      local: { exec, coverage: new Coverage(exec, config.startDate), syncContentSelector: syncContentSelector(settings) },
      exec,
      settings,
      client,
      mask,
      media: mediaTools({ exec, directory: config.mediaDir, downloader: () => (client(), app!.media) }),
    }),
    queryTool(database, mask),
    syncStatusTool(() => database, config.dailyBudget, liveBudget),
    checkTool(client, config.baseUrl),
  ];
  const secrets = secretsOf(config).filter((s) => s.length >= 4);
  return {
    tools,
    redact: (text) => secrets.reduce((out, secret) => out.split(secret).join('***'), text),
    async close() {
      if (app) await app.close();
      else await database.close();
    },
  };
}

/** The contentSelector the sync sends for calls_extensive (what its stored records were read with). */
function syncContentSelector(settings: StreamSettings): unknown {
  const request = findStream('calls_extensive')?.request({ window: { from: '', to: '' }, settings }) as
    | { body?: { contentSelector?: unknown } }
    | undefined;
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
