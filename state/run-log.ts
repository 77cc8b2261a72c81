import type { SqlExecutor } from '../src/db/sql-executor.js';
import { redact } from '../src/redact.js';

/** `interrupted`: the process ended without closing its run (killed, machine stopped, disk full). */
export type RunOutcome = 'running' | 'succeeded' | 'failed' | 'stopped' | 'interrupted';

export const INTERRUPTED_MESSAGE =
  'the process ended before closing this run (killed, machine stopped, or the disk was full); what it committed is kept and the next run continued from there';

export interface RunSummary {
  outcome: RunOutcome;
  requests: number;
  rowsWritten: number;
  message?: string;
  peakRssMb?: number;
}

/** One row per command run in `_runs`, so `status` can show what happened and what it cost. */
export class RunLog {
  constructor(
    private readonly exec: SqlExecutor,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Opens a run. Called with the sync lock held, so any run still "running" belongs to a process
   * that died: it is closed as interrupted first.
   */
  async start(command: string, streams: string[], runId?: string): Promise<number> {
    await this.closeAbandoned();
    const row = await this.exec.get<{ id: number }>(
      this.exec.db
        .insertInto('_runs')
        .values({ command, started_at: this.now().toISOString(), outcome: 'running', streams: streams.join(','), run_id: runId ?? null })
        .returning('id'),
    );
    return Number(row!.id);
  }

  async finish(id: number, summary: RunSummary): Promise<void> {
    await this.exec.run(
      this.exec.db
        .updateTable('_runs')
        .set({
          finished_at: this.now().toISOString(),
          outcome: summary.outcome,
          requests: summary.requests,
          rows_written: summary.rowsWritten,
          message: summary.message === undefined ? null : redact(summary.message),
          peak_rss_mb: summary.peakRssMb ?? null,
        })
        .where('id', '=', id),
    );
  }

  /** Closes runs left "running" by a process that no longer holds the lock. Returns how many. */
  async closeAbandoned(): Promise<number> {
    const result = await this.exec.run(
      this.exec.db
        .updateTable('_runs')
        .set({ finished_at: this.now().toISOString(), outcome: 'interrupted', message: INTERRUPTED_MESSAGE })
        .where('outcome', '=', 'running'),
    );
    return Number(result.changes);
  }
}
