import { StoppedEarlyError, describeError } from '../errors.js';
import type { SqlExecutor } from '../db/sql-executor.js';
import type { Logger } from '../logger.js';
import { RunLog } from '../../state/run-log.js';
import { SyncLock } from '../../state/sync-lock.js';

export interface MirrorRunSummary {
  requests: number;
  rowsWritten: number;
}

/**
 * Runs a command that changes the mirror (reconcile, forget, repair) as sync runs: under the one
 * sync lock (never beside a sync), recorded in `_runs` with its outcome, requests and rows.
 */
export async function withMirrorRun<T extends MirrorRunSummary>(
  exec: SqlExecutor,
  options: { command: string; runKey: string; now: () => Date; logger: Logger },
  work: (runKey: string) => Promise<T>,
): Promise<T> {
  const lock = new SyncLock(exec, { now: options.now });
  await lock.acquire(options.command);
  try {
    const runLog = new RunLog(exec, options.now);
    const runId = await runLog.start(options.command, [], options.runKey);
    try {
      const result = await work(options.runKey);
      await runLog.finish(runId, { outcome: 'succeeded', requests: result.requests, rowsWritten: result.rowsWritten });
      return result;
    } catch (error) {
      const outcome = error instanceof StoppedEarlyError ? 'stopped' : 'failed';
      await runLog.finish(runId, { outcome, requests: 0, rowsWritten: 0, message: describeError(error) }).catch(() => undefined);
      throw error;
    }
  } finally {
    await lock.release();
  }
}
