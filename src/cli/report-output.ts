import { exitCodeOf, type ExitCode } from '../errors.js';
import type { SyncReport } from '../runner/sync.js';

/** The end-of-run summary a person reads: one line per stream, then the totals. */
export function formatSyncReport(report: SyncReport): string {
  const lines = report.streams.map((s) => {
    const detail = s.outcome === 'succeeded' ? '' : ` [${s.outcome}${s.message ? `: ${s.message}` : ''}]`;
    const rejected = s.rejected > 0 ? `, ${s.rejected} rejected` : '';
    return `  ${s.stream.padEnd(28)} ${String(s.records).padStart(7)} records ${String(s.rowsWritten).padStart(8)} rows ${String(s.requests).padStart(5)} requests${rejected}${detail}`;
  });
  const seconds = (report.elapsedMs / 1000).toFixed(1);
  lines.push(`${report.outcome}: ${report.rowsWritten} rows written, ${report.requests} requests, ${seconds}s`);
  return lines.join('\n');
}

export function reportExitCode(report: SyncReport): ExitCode {
  if (report.outcome === 'succeeded') return 0;
  if (report.outcome === 'stopped') return 3;
  return report.error ? exitCodeOf(report.error) : 1;
}
