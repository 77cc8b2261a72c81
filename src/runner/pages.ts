import { GongHttpError, GongProtocolError, InterruptedError } from '../errors.js';
import type { GongClient } from '../gong/client.js';
import type { RequestInput, StreamDefinition } from '../../streams/types.js';

/** One answer of Gong: its records and the cursor of the page after it (null on the last page). */
export interface Page {
  records: unknown[];
  next: string | null;
  /** The first page this generator read (a window read from its start replaces its old rows). */
  first: boolean;
  /** The records the whole request holds, when Gong says (`records.totalRecords`). */
  totalRecords?: number;
}

export interface PagesOptions {
  client: GongClient;
  stream: StreamDefinition;
  input: RequestInput;
  /** Where to resume: the cursor a checkpoint saved, or null for the first page. */
  cursor: string | null;
  includePrivateCalls: boolean;
  signal?: AbortSignal;
  /** Sees each parsed answer (schema drift: fields the spec does not list). */
  observe?: (request: { method: string; path: string }, answer: unknown) => void;
}

/**
 * The pages of one request, in order: the only code that knows where Gong wants its cursor (query
 * for GET, body for POST), where the records are and when paging ends. Nothing is read ahead: the
 * next request leaves only when the caller has committed the page before it.
 */
export async function* pagesOf(options: PagesOptions): AsyncGenerator<Page> {
  const { stream, input } = options;
  const loopGuard = new PagingLoopGuard(options.cursor);
  let cursor = options.cursor;
  let first = true;
  do {
    if (options.signal?.aborted) throw new InterruptedError(String(options.signal.reason ?? 'a signal'));
    const spec = stream.request(input);
    if (cursor) {
      if (spec.method === 'GET') spec.query = { ...spec.query, cursor };
      else spec.body = { ...spec.body, cursor };
    }
    const answer = (await options.client.request(spec)) as Record<string, any> | null;
    options.observe?.(spec, answer);
    const records = recordsOf(stream, answer, spec.path).filter((r) => options.includePrivateCalls || !stream.isPrivate?.(r));
    const next = stream.paginated ? (answer?.records?.cursor as string | undefined) || null : null;
    // Before anything of this page commits: a loop must not be checkpointed, or the next run resumes it.
    loopGuard.check(spec.path, next, records.length, answer?.records?.totalRecords);
    const total = answer?.records?.totalRecords;
    yield { records, next, first, ...(typeof total === 'number' && Number.isFinite(total) ? { totalRecords: total } : {}) };
    first = false;
    cursor = next;
  } while (cursor);
}

function recordsOf(stream: StreamDefinition, answer: Record<string, any> | null, path: string): unknown[] {
  if (answer === null) return [];
  const records = answer[stream.recordsKey];
  if (Array.isArray(records)) return records;
  if ((records === undefined || records === null) && (answer.records === undefined || answer.records?.totalRecords === 0)) return [];
  throw new GongHttpError(`Gong's answer for ${path} has no "${stream.recordsKey}" list; it may have changed its API.`, 200, path);
}

/** How many pages past what `totalRecords` allows a pass may read (Gong's total can grow mid-pass). */
const PAGE_MARGIN_FACTOR = 2;
const PAGE_MARGIN_EXTRA = 5;

/**
 * Stops a pass that would page forever: a cursor Gong already gave in this pass (A, B, A, ...),
 * or more pages than the announced `totalRecords` can fill, with a margin.
 */
export class PagingLoopGuard {
  private readonly seen = new Set<string>();
  private pages = 0;
  private largestPage = 0;

  constructor(startCursor: string | null) {
    if (startCursor) this.seen.add(startCursor);
  }

  check(path: string, following: string | null, records: number, totalRecords: unknown): void {
    this.pages++;
    this.largestPage = Math.max(this.largestPage, records);
    if (!following) return;
    if (this.seen.has(following)) {
      throw new GongProtocolError(
        `Gong sent a paging cursor for ${path} that it had already sent in this pass (after ${this.pages} page(s)): the pages loop. ` +
          'This stream stopped without saving the loop; the others went on. Run again later; if it persists, tell Gong support.',
      );
    }
    this.seen.add(following);
    if (typeof totalRecords === 'number' && Number.isFinite(totalRecords) && totalRecords >= 0) {
      const expected = Math.ceil(totalRecords / Math.max(this.largestPage, 1));
      const allowed = expected * PAGE_MARGIN_FACTOR + PAGE_MARGIN_EXTRA;
      if (this.pages >= allowed) {
        throw new GongProtocolError(
          `Gong kept paging ${path} past its own total: ${this.pages} pages read for totalRecords ${totalRecords} ` +
            `(at most ${allowed} expected) and it still sends a cursor. This stream stopped without saving the loop; run again later.`,
        );
      }
    }
  }
}
