import { loadConfig, requireAuth, secretsOf, type AppConfig, type ConfigFlags } from './config.js';
import { createLogger, processRunId, type Logger } from './logger.js';
import type { Database } from './db/database.js';
import type { GongClient, RequestBudget } from './gong/client.js';
import type { SqlExecutor as SqlExecutorLike } from './db/sql-executor.js';
import type { DailyRequestCounter } from '../state/request-counter.js';
import type { MediaDownloader } from './media/media-downloader.js';
import type { SyncOptions } from './runner/sync.js';
import type { StreamDefinition } from '../streams/types.js';

/**
 * The composition root every command runs over: the configuration is read once (environment, then
 * the command's flags), and what talks to Gong or a database is built on first use and closed
 * together. Heavy modules (database drivers, the HTTP client) load only when a command asks for
 * them, so a command that needs neither starts fast.
 */
export class AppRoot {
  #env: NodeJS.ProcessEnv;
  #config?: AppConfig;
  #logger?: Logger;
  #closers: (() => Promise<void>)[] = [];

  constructor(
    env: NodeJS.ProcessEnv,
    readonly flags: ConfigFlags,
    /** Aborted when the process is asked to stop (the CLI's SIGINT/SIGTERM). */
    readonly signal?: AbortSignal,
  ) {
    this.#env = env;
  }

  /** The environment the configuration is read from. */
  get env(): NodeJS.ProcessEnv {
    return this.#env;
  }

  /** Replaces environment variables before the configuration is read (`demo` points every setting at its simulator). */
  overrideEnvironment(vars: Record<string, string | undefined>): void {
    if (this.#config) throw new Error('overrideEnvironment after the configuration was read');
    this.#env = { ...this.#env, ...vars };
  }

  /** Environment overridden by the flags, validated once (a bad value throws ConfigError: exit 2). */
  get config(): AppConfig {
    this.#config ??= loadConfig(this.#env, this.flags);
    return this.#config;
  }

  get logger(): Logger {
    this.#logger ??= createAppLogger(this.config);
    return this.#logger;
  }

  /** The database (migrated) and a Gong client sharing its pacing and daily budget. */
  async connect(): Promise<App> {
    const app = await createApp(this.config, this.logger, this.signal);
    this.#closers.push(() => app.close());
    return app;
  }

  /** The database as it is, without migrating it (`readonly`: nothing can change it). */
  async openDatabase(options: { readonly?: boolean } = {}): Promise<Database> {
    const { connectDatabase } = await import('./db/database.js');
    const database = await connectDatabase(this.config.dbFile, { readonly: options.readonly, schema: this.config.dbSchema });
    this.#closers.push(() => database.close());
    return database;
  }

  /** Closes everything this root opened, newest first (idempotent). */
  async close(): Promise<void> {
    while (this.#closers.length > 0) await this.#closers.pop()!();
  }
}

/** What a command needs to talk to Gong and the database: built once, from the configuration. */
export interface App {
  config: AppConfig;
  database: Database;
  client: GongClient;
  counter: DailyRequestCounter;
  logger: Logger;
  media: MediaDownloader;
  /** Aborted when the process is asked to stop (undefined: never). */
  signal?: AbortSignal;
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
  return createLogger({
    format: config.logFormat,
    level: config.quiet ? 'warn' : 'info',
    secrets: secretsOf(config),
    fields: { run_id: processRunId },
  });
}

/** Opens (creating if needed) and migrates the database; `signal` stops between migrations. */
export async function openMigratedDatabase(target: string, logger?: Logger, schema?: string, signal?: AbortSignal): Promise<Database> {
  const { connectDatabase, migrateToLatest } = await import('./db/database.js');
  const database = await connectDatabase(target, { schema });
  try {
    const { applied } = await migrateToLatest(database, signal);
    if (applied.length > 0) logger?.info(`applied migrations: ${applied.join(', ')}`);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/**
 * `signal` aborts the request in flight and stops between migrations (the CLI passes its SIGINT/SIGTERM signal).
 * `budget`: what the client counts requests against, around the daily counter (the MCP server adds its live budget).
 */
export async function createApp(
  config: AppConfig,
  logger: Logger = createAppLogger(config),
  signal?: AbortSignal,
  options: { budget?: (exec: SqlExecutorLike, daily: RequestBudget) => RequestBudget } = {},
): Promise<App> {
  const auth = requireAuth(config);
  const [{ SqlExecutor }, { GongClient }, { RequestPacer }, { DailyRequestCounter }, { SharedRequestTimes }, { MediaDownloader }] =
    await Promise.all([
      import('./db/sql-executor.js'),
      import('./gong/client.js'),
      import('./gong/pacer.js'),
      import('../state/request-counter.js'),
      import('../state/request-times.js'),
      import('./media/media-downloader.js'),
    ]);
  const database = await openMigratedDatabase(config.dbFile, logger, config.dbSchema, signal);
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
    signal,
  });
  return {
    config,
    database,
    client,
    counter,
    logger,
    media: new MediaDownloader(client, logger),
    signal,
    async close() {
      await client.close();
      await database.close();
    },
  };
}
