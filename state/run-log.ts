import type { SqlExecutor } from '../src/db/sql-executor.js';

export type RunOutcome = 'running' | 'succeeded' | 'failed' | 'stopped';

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

  start(command: string, streams: string[]): number {
    const result = this.exec.run(
      this.exec.db
        .insertInto('_runs')
        .values({ command, started_at: this.now().toISOString(), outcome: 'running', streams: streams.join(',') }),
    );
    return Number(result.lastInsertRowid);
  }

  finish(id: number, summary: RunSummary): void {
    this.exec.run(
      this.exec.db
        .updateTable('_runs')
        .set({
          finished_at: this.now().toISOString(),
          outcome: summary.outcome,
          requests: summary.requests,
          rows_written: summary.rowsWritten,
          message: summary.message ?? null,
          peak_rss_mb: summary.peakRssMb ?? null,
        })
        .where('id', '=', id),
    );
  }
}
