import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** Most records one answer carries (Gong's own page size). */
export const PAGE_SIZE = 100;
/** Most characters of records one answer carries; the rest comes with the next cursor. */
export const MAX_ANSWER_CHARS = 200_000;

/** Where the next page of an answer comes from; opaque to the agent (passed back as `cursor`). */
export interface McpCursor {
  /** local: records offset into the copy's ordered answer; live: offset into the Gong page read with `gong`. */
  source: 'local' | 'live';
  /** Hash of the parameters (without cursor and live) the cursor belongs to. */
  request: string;
  offset: number;
  /** live: the Gong cursor that reads the page to continue (null: the first page). */
  gong?: string | null;
}

const PREFIX = 'mcp1.';

export function encodeCursor(cursor: McpCursor): string {
  return PREFIX + Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

/** Our own cursor, or undefined for anything else (a Gong cursor, passed on to Gong as it is). */
export function decodeCursor(text: string): McpCursor | undefined {
  if (!text.startsWith(PREFIX)) return undefined;
  try {
    const value = JSON.parse(Buffer.from(text.slice(PREFIX.length), 'base64url').toString('utf8')) as McpCursor;
    if (
      (value.source === 'local' || value.source === 'live') &&
      Number.isInteger(value.offset) &&
      value.offset >= 0 &&
      typeof value.request === 'string'
    )
      return value;
  } catch {
    // not ours after all
  }
  return undefined;
}

export function requestHash(params: Record<string, unknown>): string {
  const { cursor: _cursor, live: _live, ...rest } = params;
  return createHash('sha256').update(canonicalJson(rest)).digest('base64url').slice(0, 16);
}

/**
 * As many records as fit in one answer, in order. A single record too large for any answer is
 * replaced by a note that says how to read it, never dropped silently.
 */
export function fitRecords(records: unknown[], maxChars = MAX_ANSWER_CHARS): { fitted: unknown[]; count: number } {
  const fitted: unknown[] = [];
  let used = 0;
  for (const record of records) {
    const size = JSON.stringify(record).length;
    if (size > maxChars) {
      if (fitted.length > 0) break;
      fitted.push({
        _omitted: `This record is ${size} characters, more than one answer holds (${maxChars}); read it with the query tool (its raw column).`,
        ...idsOf(record),
      });
      used = maxChars;
      continue;
    }
    if (used + size > maxChars && fitted.length > 0) break;
    fitted.push(record);
    used += size;
  }
  return { fitted, count: fitted.length };
}

function idsOf(record: unknown): Record<string, unknown> {
  if (!record || typeof record !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record as Record<string, unknown>)) {
    if ((key === 'id' || key.endsWith('Id')) && (typeof value === 'string' || typeof value === 'number')) out[key] = String(value);
  }
  const meta = (record as { metaData?: { id?: unknown } }).metaData;
  if (meta?.id !== undefined) out.callId = String(meta.id);
  return out;
}

/** Ids as strings everywhere (`id`, `...Id`, `...Ids`): Gong sends some as bare numbers too long for JavaScript. */
export function idsAsStrings(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const idList = key.endsWith('Ids');
    return value.map((v) => (idList && typeof v === 'number' ? String(v) : idsAsStrings(v)));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, idsAsStrings(v, k)]));
  }
  if (typeof value === 'number' && (key === 'id' || key.endsWith('Id'))) return String(value);
  return value;
}
