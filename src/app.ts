import { connectDatabase, migrateToLatest, type Database } from './db/database.js';
import { SqlExecutor } from './db/sql-executor.js';
import { GongClient, type RequestBudget } from './gong/client.js';
import { RequestPacer } from './gong/pacer.js';
import { requireAuth, secretsOf, type AppConfig } from './config.js';
import { createLogger, processRunId, type Logger } from './logger.js';
import { DailyRequestCounter } from '../state/request-counter.js';
import { SharedRequestTimes } from '../state/request-times.js';
import { MediaDownloader } from './media/media-downloader.js';
import { processStopSignal } from './cli/signals.js';
import type { SyncOptions } from './runner/sync.js';
import type { StreamDefinition } from '../streams/types.js';

/** What a command needs to talk to Gong and the database: built once, from the configuration. */
export interface App {
  config: AppConfig;
  database: Database;
  client: GongClient;
  counter: DailyRequestCounter;
  logger: Logger;
  media: MediaDownloader;
  close(): Promise<void>;
}

/** The runSync options every command shares, from the app and its configuration. */
export function syncOptions(app: App, streams: StreamDefinition[], extra: Partial<SyncOptions> = {}): SyncOptions {
  return {
    database: app.database,
    client: app.client,
    streams,
    startDate: app.config.startDate,
    timeZone: app.config.timeZone,
    settings: { includePrivateCalls: app.config.includePrivateCalls, exposedFields: app.config.exposedFields },
    media: { downloader: app.media, directory: app.config.mediaDir },
    logger: app.logger,
    runId: processRunId,
    ...extra,
  };
}

export function createAppLogger(config: AppConfig): Logger {
  return createLogger({ format: config.logFormat, level: config.quiet ? 'warn' : 'info', secrets: secretsOf(config), fields: { run_id: processRunId } });
}

export async function openMigratedDatabase(target: string, logger?: Logger, schema?: string): Promise<Database> {
  const database = await connectDatabase(target, { schema });
  try {
    const { applied } = await migrateToLatest(database, processStopSignal);
    if (applied.length > 0) logger?.info(`applied migrations: ${applied.join(', ')}`);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/** `budget`: what the client counts requests against, around the daily counter (the MCP server adds its live budget). */
export async function createApp(
  config: AppConfig,
  logger: Logger = createAppLogger(config),
  options: { budget?: (exec: SqlExecutor, daily: RequestBudget) => RequestBudget } = {},
): Promise<App> {
  const auth = requireAuth(config);
  const database = await openMigratedDatabase(config.dbFile, logger, config.dbSchema);
  const counter = new DailyRequestCounter(new SqlExecutor(database), config.dailyBudget);
  const client = new GongClient({
    baseUrl: config.baseUrl,
    auth,
    pacer: new RequestPacer({ requestsPerSecond: config.rateLimit, shared: new SharedRequestTimes(new SqlExecutor(database)) }),
    budget: options.budget ? options.budget(new SqlExecutor(database), counter) : counter,
    logger,
    retryBaseMs: config.retryBaseMs,
    requestTimeoutMs: config.requestTimeoutMs,
    maxRetryAfterSeconds: config.maxRetryAfterSeconds,
    maxResponseBytes: config.maxResponseBytes,
    signal: processStopSignal,
  });
  return {
    config,
    database,
    client,
    counter,
    logger,
    media: new MediaDownloader(client, logger),
    async close() {
      await client.close();
      await database.close();
    },
  };
}
