import type { ProgressListener } from '../runner/run-context.js';
import type { DateWindow } from '../../streams/types.js';
import { boundTime } from '../runner/date-windows.js';
import { setStatusLine } from '../logger.js';

/**
 * Live progress on a terminal: one line, the last on the screen, rewritten in place for the stream
 * being read; log lines (one per finished stream) are printed above it, never on it, with records, pages,
 * request rate and, for a backfill, how far through its range it is and an ETA.
 */
export function terminalProgress(
  output: NodeJS.WriteStream,
  requests: () => number,
  range?: DateWindow,
): ProgressListener & { finish(): void } {
  const started = Date.now();
  let current = '';
  let shown = '';
  let records = 0;
  let pages = 0;
  let streamStarted = Date.now();
  // A stream comes back for its history after every stream's newest window: its counts go on.
  const totals = new Map<string, { records: number; pages: number; started: number }>();
  const span = range ? boundTime(range.to) - boundTime(range.from) : 0;
  const render = (line: string) => {
    shown = line;
    output.write(`\r\x1b[2K${line}`);
  };
  // Log lines clear the progress line, print on their own line, and the progress comes back under them.
  setStatusLine({
    clear: () => {
      if (shown) output.write('\r\x1b[2K');
    },
    redraw: () => {
      if (shown) output.write(shown);
    },
  });
  return {
    onPage(event) {
      if (event.stream !== current) {
        // The finished stream's own log line has the final figures: its progress line is replaced.
        if (current) totals.set(current, { records, pages, started: streamStarted });
        current = event.stream;
        const before = totals.get(current);
        records = before?.records ?? 0;
        pages = before?.pages ?? 0;
        streamStarted = before?.started ?? Date.now();
      }
      records += event.records;
      pages++;
      const seconds = (Date.now() - started) / 1000;
      const rate = seconds > 0 ? (requests() / seconds).toFixed(1) : '-';
      let line = `${current}: ${records} records, ${pages} pages, ${requests()} requests (${rate}/s)`;
      if (range && span > 0 && event.windowFrom) {
        // A backfill reads its windows newest first: what lies after this window's start is done.
        const done = Math.min(1, (boundTime(range.to) - boundTime(event.windowFrom)) / span);
        const elapsed = (Date.now() - streamStarted) / 1000;
        const eta = done > 0 && done < 1 ? ` ETA ${formatSeconds((elapsed / done) * (1 - done))}` : '';
        line += `, ${Math.round(done * 100)}% of ${range.from}..${range.to}${eta}`;
      }
      render(line);
    },
    finish() {
      setStatusLine(undefined);
      if (shown) output.write('\r\x1b[2K');
      shown = '';
    },
  };
}

function formatSeconds(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)}s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m`;
  return `${(seconds / 3600).toFixed(1)}h`;
}
