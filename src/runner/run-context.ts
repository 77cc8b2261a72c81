import type { GongClient } from '../gong/client.js';
import type { SqlExecutor } from '../db/sql-executor.js';
import type { RowLoader } from '../loader.js';
import type { Logger } from '../logger.js';
import type { SyncStateStore } from '../../state/sync-state-store.js';
import type { DateWindow, StreamSettings } from '../../streams/types.js';
import type { MediaDownloader } from '../media/media-downloader.js';
import type { Suppression } from '../mirror/suppression.js';
import type { DriftRecorder } from '../mirror/schema-drift.js';

/** Everything one run shares across its streams. Built once by runSync. */
export interface RunContext {
  exec: SqlExecutor;
  client: GongClient;
  state: SyncStateStore;
  loader: RowLoader;
  logger: Logger;
  now: () => Date;
  /** The run's start: the frozen upper bound of its windows and the `synced_at` of its rows. */
  runStartedAt: Date;
  startDate: Date;
  timeZone: string;
  /** 'incremental', or 'backfill:FROM..TO' for a backfill with its own progress. */
  scope: string;
  /** A backfill's explicit range (replaces bookmark + look-back planning). */
  range?: DateWindow;
  settings: StreamSettings;
  /** Downloads for streams that declare `download`, into mediaDir. */
  media?: { downloader: MediaDownloader; directory: string; concurrency: number };
  /** Read slow-changing streams even if they were refreshed recently (sync --force-refresh). */
  ignoreRefreshIntervals?: boolean;
  /** Set when SIGINT/SIGTERM asks the run to stop after the current page. */
  signal?: AbortSignal;
  progress?: ProgressListener;
  /** Erased addresses and calls (forget): records that mention them are dropped from each page. */
  suppression?: Suppression;
  /** Notes fields of Gong's answers that the spec extract does not list (`_schema_drift`). */
  drift?: DriftRecorder;
}

export interface ProgressListener {
  onPage(event: { stream: string; records: number; rows: number; windowTo?: string; windowFrom?: string }): void;
}

export interface StreamReport {
  stream: string;
  outcome: 'succeeded' | 'skipped' | 'failed' | 'stopped';
  records: number;
  rowsWritten: number;
  requests: number;
  pages: number;
  rejected: number;
  elapsedMs: number;
  message?: string;
}
