import type { App } from '../app.js';
import { SqlExecutor } from '../db/sql-executor.js';
import type { Database } from '../db/database.js';
import { ConfigError } from '../errors.js';
import { newRunId, type Logger } from '../logger.js';
import { streams, findStream } from '../../streams/index.js';
import { forget, parseAddress, type ForgetReport } from './forget.js';
import { withMirrorRun } from './mirror-run.js';
import { reconcile, DEFAULT_MAX_DELETE_SHARE, type ReconcileReport } from './reconcile.js';
import { repair, type RepairReport } from './repair.js';
import { DriftRecorder } from './schema-drift.js';
import { Suppression } from './suppression.js';

/** The commands of a mirror that stays true, as functions over the app (the CLI maps them to exit codes). */

export interface ReconcileCommandOptions {
  from?: Date;
  to?: Date;
  maxDeleteShare?: number;
  signal?: AbortSignal;
  /** Progress of its own (the scheduled recent and full reconciles each keep theirs). */
  scope?: string;
  command?: string;
}

export async function runReconcile(app: App, options: ReconcileCommandOptions = {}): Promise<ReconcileReport> {
  const exec = new SqlExecutor(app.database);
  const now = () => new Date();
  return withMirrorRun(exec, { command: options.command ?? 'reconcile', runKey: newRunId(), now, logger: app.logger }, (runKey) =>
    reconcile({
      exec,
      client: app.client,
      callsStream: findStream('calls')!,
      streams,
      settings: { includePrivateCalls: app.config.includePrivateCalls, exposedFields: app.config.exposedFields },
      from: options.from,
      to: options.to,
      scope: options.scope,
      maxDeleteShare: options.maxDeleteShare,
      mediaDir: app.config.mediaDir,
      runKey,
      now,
      logger: app.logger,
      signal: options.signal,
      drift: new DriftRecorder(exec, now),
    }),
  );
}

export function formatReconcile(report: ReconcileReport): string {
  const ids = report.removed.length > 0 ? `: ${report.removed.slice(0, 20).join(', ')}${report.removed.length > 20 ? ', ...' : ''}` : '';
  return `reconcile succeeded: ${report.windows} window(s), ${report.listed} calls listed by Gong, ${report.removed.length} removed (${report.rowsRemoved} rows)${ids}; ${report.requests} requests`;
}

/** A share from a flag or GONG_RECONCILE_MAX_DELETE_SHARE: 0.2, or 20%. */
export function parseShare(value: string | undefined, name: string): number {
  if (value === undefined || value.trim() === '') return DEFAULT_MAX_DELETE_SHARE;
  const text = value.trim();
  const number = text.endsWith('%') ? Number(text.slice(0, -1)) / 100 : Number(text);
  if (!Number.isFinite(number) || number < 0 || number > 1)
    throw new ConfigError(`${name} "${value}" is not a share: expected a number from 0 to 1 (0.2) or a percentage (20%)`);
  return number;
}

export interface ForgetCommandOptions {
  email?: string;
  phone?: string;
  dryRun?: boolean;
  includeUser?: boolean;
  mediaDir: string;
  logger: Logger;
}

export async function runForget(database: Database, options: ForgetCommandOptions): Promise<ForgetReport> {
  if (Boolean(options.email) === Boolean(options.phone))
    throw new ConfigError('forget needs exactly one of --email ADDRESS or --phone NUMBER');
  const kind = options.email ? 'email' : 'phone';
  const value = parseAddress(kind, (options.email ?? options.phone)!);
  const exec = new SqlExecutor(database);
  const now = () => new Date();
  const work = (runKey: string) =>
    forget({
      exec,
      streams,
      kind,
      value,
      dryRun: options.dryRun,
      includeUser: options.includeUser,
      mediaDir: options.mediaDir,
      runKey,
      now,
    });
  if (options.dryRun) return work(newRunId());
  return withMirrorRun(exec, { command: 'forget', runKey: newRunId(), now, logger: options.logger }, work);
}

export function formatForget(report: ForgetReport): string {
  const tables = Object.entries(report.rowsByTable)
    .map(([t, n]) => `${t}=${n}`)
    .join(' ');
  if (report.dryRun) {
    return [
      `forget --dry-run: would remove ${report.callIds.length} call(s) and ${report.rows} row(s); nothing was changed`,
      `  calls: ${report.callIds.join(', ') || 'none'}`,
      `  rows: ${tables || 'none'}`,
      ...report.erasedBefore.map(
        (e) =>
          `  erased before: ${e.erased_at}, ${e.calls_removed} call(s) and ${e.rows_removed} row(s) (_erasures, hash ${report.hash}); files: ${e.files_checked ?? 'not checked'}`,
      ),
    ].join('\n');
  }
  const left = report.bytesLeft
    ? Object.entries(report.bytesLeft)
        .map(([f, n]) => `${f}: ${n}`)
        .join(', ')
    : 'not checked (PostgreSQL: the server rewrote the touched tables)';
  return [
    report.alreadyErased
      ? `forget: erased before; nothing holds it any more (the database files were cleaned again)`
      : `forget succeeded: removed ${report.callIds.length} call(s) and ${report.rows} row(s)${report.files ? `, ${report.files} media file(s)` : ''}`,
    `  rows: ${tables || 'none'}`,
    `  proof: _erasures row with hash ${report.hash}; later syncs skip what mentions it`,
    `  occurrences left in the database files: ${left}`,
  ].join('\n');
}

export interface RepairCommandOptions {
  transcriptsOnly?: boolean;
  from?: Date;
  signal?: AbortSignal;
}

export async function runRepair(app: App, options: RepairCommandOptions): Promise<RepairReport> {
  const exec = new SqlExecutor(app.database);
  const now = () => new Date();
  const settings = { includePrivateCalls: app.config.includePrivateCalls, exposedFields: app.config.exposedFields };
  return withMirrorRun(exec, { command: 'repair', runKey: newRunId(), now, logger: app.logger }, async () =>
    repair({
      exec,
      client: app.client,
      settings,
      syncedAt: now().toISOString(),
      suppression: await Suppression.load(exec),
      drift: new DriftRecorder(exec, now),
      signal: options.signal,
      extensiveStream: findStream('calls_extensive')!,
      transcriptStream: findStream('call_transcripts')!,
      transcriptsOnly: options.transcriptsOnly,
      from: options.from,
    }),
  );
}

export function formatRepair(report: RepairReport): string {
  return (
    `repair succeeded: ${report.extensiveRepaired} of ${report.withoutExtensive} calls without extensive data and ` +
    `${report.transcriptsRepaired} of ${report.withoutTranscript} calls without a transcript now complete; ${report.requests} requests, ${report.rowsWritten} rows`
  );
}
