import { CursorExpiredError } from '../errors.js';

const MAX_CURSOR_RESTARTS = 3;

/**
 * Reads a request's pages from `cursor`; when Gong says the cursor expired, calls `onRestart` (which
 * may save that the request starts over) and reads again from the first page, at most 3 times.
 */
export async function withCursorRestarts(
  cursor: string | null,
  read: (cursor: string | null) => Promise<void>,
  onRestart: () => Promise<void> | void,
): Promise<void> {
  let start = cursor;
  for (let restarts = 0; ; restarts++) {
    try {
      await read(start);
      return;
    } catch (error) {
      if (!(error instanceof CursorExpiredError) || restarts >= MAX_CURSOR_RESTARTS) throw error;
      await onRestart();
      start = null;
    }
  }
}
