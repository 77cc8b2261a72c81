import { GongAuthError, StoppedEarlyError, describeError } from '../errors.js';
import type { GongClient } from '../gong/client.js';
import type { Database } from '../db/database.js';
import { SqlExecutor } from '../db/sql-executor.js';
import { RowLoader } from '../loader.js';
import { newRunId, silentLogger, withFields, type Logger } from '../logger.js';
import { ConfigError, RateLimitedError } from '../errors.js';
import type { ConnectionVerdict } from '../gong/connection-check.js';
import { lastSuccessfulRunAt } from '../../state/recent-runs.js';
import { SyncStateStore } from '../../state/sync-state-store.js';
import { RunLog, type RunOutcome } from '../../state/run-log.js';
import { SyncLock } from '../../state/sync-lock.js';
import type { DateWindow, StreamDefinition, StreamSettings } from '../../streams/types.js';
import type { MediaDownloader } from '../media/media-downloader.js';
import type { ProgressListener, RunContext, StreamReport } from './run-context.js';
import { StreamRunner } from './stream-runner.js';
import { startDateProblem } from './pass-windows.js';
import { boundTime } from './date-windows.js';
import { Suppression } from '../mirror/suppression.js';
import { DriftRecorder } from '../mirror/schema-drift.js';

export interface SyncOptions {
  database: Database;
  client: GongClient;
  streams: StreamDefinition[];
  startDate: Date;
  timeZone?: string;
  command?: string;
  /** A backfill: its own state scope and an explicit range instead of bookmarks. */
  backfill?: DateWindow;
  settings?: StreamSettings;
  /** Read slow-changing streams even if they were refreshed recently. */
  ignoreRefreshIntervals?: boolean;
  /** Where streams that download files put them. */
  media?: { downloader: MediaDownloader; directory: string; concurrency?: number };
  now?: () => Date;
  logger?: Logger;
  signal?: AbortSignal;
  progress?: ProgressListener;
  /** How long a lock holder may go without a heartbeat before it is presumed dead. */
  lockStaleAfterMs?: number;
  /** Carried by every log line of the run and stored in `_runs.run_id` (default: a new one). */
  runId?: string;
  /**
   * The connection check (src/gong/connection-check.ts), run before the first stream unless a run
   * on this database succeeded in the last `preflightSkipAfterSuccessMs` (default 15 minutes):
   * an unreachable host or refused credentials fail the run in seconds, with exit 2.
   */
  preflight?: () => Promise<ConnectionVerdict>;
  preflightSkipAfterSuccessMs?: number;
}

export interface SyncReport {
  runId: number;
  /** The run id of the log lines (`_runs.run_id`). */
  runKey: string;
  outcome: Exclude<RunOutcome, 'running'>;
  streams: StreamReport[];
  requests: number;
  rowsWritten: number;
  elapsedMs: number;
  /** The error that ended or failed the run, if any. */
  error?: Error;
}

/**
 * Runs the selected streams in order. A stream that fails is reported and the others still run
 * (they are independent); an auth failure or a deliberate stop (budget, long 429, signal) ends
 * the run at once with state saved.
 */
export async function runSync(options: SyncOptions): Promise<SyncReport> {
  const tooEarly = startDateProblem(
    options.backfill ? new Date(boundTime(options.backfill.from)) : options.startDate,
    options.backfill ? 'The backfill start' : 'The start date (GONG_START_DATE)',
  );
  if (tooEarly) throw new ConfigError(tooEarly);
  const now = options.now ?? (() => new Date());
  const runKey = options.runId ?? newRunId();
  const logger = withFields(options.logger ?? silentLogger, { run_id: runKey });
  const exec = new SqlExecutor(options.database);
  // Stops the run after its current page if the PostgreSQL session holding the lock ends.
  const lockLost = new AbortController();
  const lock = new SyncLock(exec, {
    onLost: (reason) => {
      if (lockLost.signal.aborted) return;
      logger.error(`the database session holding the sync lock ended (${reason}): stopping after the current page`, { event: 'lock_lost' });
      lockLost.abort(`the loss of the sync lock (${reason})`);
    },
    now,
    staleAfterMs: options.lockStaleAfterMs,
    onTakeover: (previous) =>
      logger.warn(
        `taking over a stale lock of ${previous.command} (pid ${previous.pid} on ${previous.host}, last heartbeat ${previous.heartbeatAt})`,
      ),
  });
  await lock.acquire(options.command ?? 'sync');
  try {
    const signal = options.signal ? AbortSignal.any([options.signal, lockLost.signal]) : lockLost.signal;
    return await runLocked({ ...options, signal }, exec, now, logger, runKey);
  } finally {
    await lock.release();
  }
}

async function runLocked(options: SyncOptions, exec: SqlExecutor, now: () => Date, logger: Logger, runKey: string): Promise<SyncReport> {
  const runLog = new RunLog(exec, now);
  const runStartedAt = now();
  const selected = options.streams.filter((s) => !(s.coveredBy && options.streams.some((other) => other.name === s.coveredBy)));
  const command = options.command ?? 'sync';
  const lastSuccess = await lastSuccessfulRunAt(exec);
  const runId = await runLog.start(
    command,
    selected.map((s) => s.name),
    runKey,
  );
  logger.info(
    `${command} started: ${selected.length} streams${options.backfill ? `, range ${options.backfill.from}..${options.backfill.to}` : ''}`,
    {
      event: 'run_started',
      command,
      streams: selected.map((s) => s.name),
      scope: options.backfill ? `backfill:${options.backfill.from}..${options.backfill.to}` : 'incremental',
    },
  );
  const ctx: RunContext = {
    exec,
    client: options.client,
    state: new SyncStateStore(exec, now),
    loader: new RowLoader(exec),
    logger,
    now,
    runStartedAt,
    startDate: options.startDate,
    timeZone: options.timeZone ?? 'UTC',
    scope: options.backfill ? `backfill:${options.backfill.from}..${options.backfill.to}` : 'incremental',
    range: options.backfill,
    settings: options.settings ?? { includePrivateCalls: true },
    ignoreRefreshIntervals: options.ignoreRefreshIntervals,
    media: options.media ? { concurrency: 3, ...options.media } : undefined,
    signal: options.signal,
    progress: options.progress,
    suppression: await Suppression.load(exec),
    drift: new DriftRecorder(exec, now),
  };
  const requestsBefore = options.client.stats.requests;
  const reports: StreamReport[] = [];
  let fatal: Error | undefined;
  let firstFailure: Error | undefined;
  let preflightRequests = 0;
  const recentlyProven = lastSuccess && now().getTime() - lastSuccess.getTime() < (options.preflightSkipAfterSuccessMs ?? 15 * 60_000);
  if (options.preflight && !recentlyProven) {
    const verdict = await options.preflight();
    preflightRequests = verdict.requests;
    logger.info(
      `connection check: ${verdict.ok ? 'ok' : 'failed'} (${verdict.host}, ${verdict.requests} requests, ${verdict.elapsedMs} ms)`,
      {
        event: 'connection_check',
        ok: verdict.ok,
        host: verdict.host,
        requests: verdict.requests,
        elapsed_ms: verdict.elapsedMs,
      },
    );
    if (!verdict.ok) fatal = new ConfigError(verdict.problem ?? `Gong at ${verdict.host} could not be used`);
    else if (verdict.throttled && (verdict.retryAfterSeconds ?? 0) > options.client.maxRetryAfterSeconds) {
      fatal = new RateLimitedError(verdict.retryAfterSeconds!, options.client.maxRetryAfterSeconds);
    }
  }
  // Every stream's fresh phase (what is new; the newest window of a first sync or backfill), then
  // every stream's history phase (older windows, newest first): this week first, history after.
  const runners = selected.map((stream) => new StreamRunner(stream, ctx));
  const failed = new Set<StreamRunner>();
  const started = new Set<StreamRunner>();
  for (const phase of ['fresh', 'history'] as const) {
    for (const runner of runners) {
      if (fatal) break;
      if (failed.has(runner)) continue;
      started.add(runner);
      try {
        await runner.run(phase);
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        failed.add(runner);
        runner.report.outcome = err instanceof StoppedEarlyError ? 'stopped' : 'failed';
        runner.report.message = describeError(err);
        if (err instanceof StoppedEarlyError || err instanceof GongAuthError) {
          fatal = err;
        } else {
          firstFailure ??= err;
          logger.error(`${runner.report.stream}: ${describeError(err)}`, { stream: runner.report.stream, event: 'stream_failed' });
        }
      }
    }
  }
  for (const runner of runners) {
    const report = runner.report;
    if (!started.has(runner)) continue;
    if (!failed.has(runner)) {
      logger.info(
        report.outcome === 'skipped'
          ? `${report.stream}: skipped (${report.message})`
          : `${report.stream}: ${report.records} records, ${report.rowsWritten} rows, ${report.requests} requests`,
        { event: 'stream_done', ...report },
      );
    }
    reports.push(report);
  }
  const error = fatal ?? firstFailure;
  const outcome: SyncReport['outcome'] = fatal instanceof StoppedEarlyError ? 'stopped' : error ? 'failed' : 'succeeded';
  const report: SyncReport = {
    runId,
    outcome,
    streams: reports,
    runKey,
    requests: options.client.stats.requests - requestsBefore + preflightRequests,
    rowsWritten: reports.reduce((sum, r) => sum + r.rowsWritten, 0),
    elapsedMs: now().getTime() - runStartedAt.getTime(),
    error,
  };
  await runLog.finish(runId, {
    outcome,
    requests: report.requests,
    rowsWritten: report.rowsWritten,
    message: error ? describeError(error) : notesOf(reports),
    peakRssMb: Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10,
  });
  const pacing = options.client.pacer.stats;
  logger.info(`${command} ${outcome}: ${report.rowsWritten} rows, ${report.requests} requests, ${(report.elapsedMs / 1000).toFixed(1)}s`, {
    event: 'run_finished',
    command,
    outcome,
    requests: report.requests,
    rows_written: report.rowsWritten,
    records: reports.reduce((sum, r) => sum + r.records, 0),
    rejected: reports.reduce((sum, r) => sum + r.rejected, 0),
    elapsed_ms: report.elapsedMs,
    streams_succeeded: reports.filter((r) => r.outcome === 'succeeded').length,
    streams_failed: reports.filter((r) => r.outcome === 'failed').length,
    streams_skipped: reports.filter((r) => r.outcome === 'skipped').length,
    throttled: options.client.stats.throttled,
    pacing_margin_ms: pacing.marginMs,
    max_timer_lateness_ms: pacing.maxLatenessMs,
    timer_lateness_p50_ms: pacing.latenessP50Ms,
    timer_lateness_p90_ms: pacing.latenessP90Ms,
    machine_load_per_cpu: pacing.machineLoad,
    max_answer_delay_ms: pacing.maxAnswerDelayMs,
    ...(error ? { error: describeError(error) } : {}),
  });
  return report;
}

/** The notes streams left (a halved batch), as the run's message when nothing failed. */
function notesOf(reports: StreamReport[]): string | undefined {
  const notes = reports.flatMap((r) => (r.notes ?? []).map((n) => `${r.stream}: ${n}`));
  return notes.length > 0 ? notes.join('; ') : undefined;
}
