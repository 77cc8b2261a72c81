import type BetterSqlite3 from 'better-sqlite3';
import { objectSchema } from './json-schema.js';
import { ToolError, type McpTool } from './tool.js';
import { MAX_ANSWER_CHARS, fitRecords } from './answer-size.js';

const AFFILIATIONS = ['Internal', 'External', 'Unknown'];
const MAX_LIMIT = 200;

/**
 * search_transcripts: full-text search (SQLite FTS5, transcript_search) over the stored transcript
 * sentences, with who said it and when. Words are all required; "quoted text" is an exact phrase.
 */
export function transcriptSearchTool(sqlite: () => BetterSqlite3.Database): McpTool {
  return {
    name: 'search_transcripts',
    description:
      'Searches the stored call transcripts (local copy only, no Gong requests). query: words that must all occur in a sentence, or "a quoted phrase". ' +
      'Returns matching sentences, best matches first, each with callId, call title and start, speaker name, affiliation (Internal/External/Unknown), ' +
      'second (offset into the call) and text. Optional filters: callId, speaker (part of a name or email), affiliation, fromDateTime/toDateTime (call start), limit (default 50, at most 200), offset.',
    inputSchema: objectSchema({
      query: { type: 'string', required: true, description: 'Words to find (all of them), or "an exact phrase" in double quotes.' },
      callId: { type: 'string', description: 'Only this call.' },
      speaker: { type: 'string', description: "Only sentences of a speaker whose name or email contains this text (case-insensitive)." },
      affiliation: { type: 'string', description: 'Internal, External or Unknown.' },
      fromDateTime: { type: 'string', description: 'Only calls started at or after this ISO-8601 date-time.' },
      toDateTime: { type: 'string', description: 'Only calls started before this ISO-8601 date-time.' },
      limit: { type: 'integer', description: 'Most sentences to return (1-200, default 50).' },
      offset: { type: 'integer', description: 'Sentences to skip (for the next page: the nextOffset of the previous answer).' },
    }),
    async run(args) {
      const { query, callId, speaker, affiliation, fromDateTime, toDateTime } = args as Record<string, string | undefined>;
      if (typeof query !== 'string' || !query.trim()) throw new ToolError('search_transcripts: "query" is required: the words or "phrase" to find');
      if (affiliation !== undefined && !AFFILIATIONS.includes(affiliation)) throw new ToolError(`search_transcripts: affiliation must be one of ${AFFILIATIONS.join(', ')}`);
      const limit = wholeNumber(args.limit, 'limit', 50, 1, MAX_LIMIT);
      const offset = wholeNumber(args.offset, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
      for (const [name, value] of [['fromDateTime', fromDateTime], ['toDateTime', toDateTime]] as const) {
        if (value !== undefined && !Number.isFinite(Date.parse(value))) throw new ToolError(`search_transcripts: ${name} "${value}" is not an ISO-8601 date-time`);
      }
      const where = ['transcript_search match ?'];
      const params: unknown[] = [ftsQuery(query)];
      if (callId !== undefined) where.push('s.call_id = ?'), params.push(String(callId));
      if (speaker !== undefined) where.push("(lower(p.name) like '%' || lower(?) || '%' or lower(p.email_address) like '%' || lower(?) || '%')"), params.push(speaker, speaker);
      if (affiliation !== undefined) where.push('p.affiliation = ?'), params.push(affiliation);
      if (fromDateTime !== undefined) where.push('julianday(c.started) >= julianday(?)'), params.push(fromDateTime);
      if (toDateTime !== undefined) where.push('julianday(c.started) < julianday(?)'), params.push(toDateTime);
      const sql = `select s.call_id as callId, c.title as callTitle, c.started as callStarted, s.speaker_id as speakerId,
          p.name as speakerName, p.affiliation as affiliation, s.start_ms as startMs, s.text as text
        from transcript_search f
        join transcript_sentences s on s.rowid = f.rowid
        left join calls c on c.id = s.call_id
        left join call_parties p on p.call_id = s.call_id and p.speaker_id = s.speaker_id
        where ${where.join(' and ')}
        order by f.rank, s.call_id, s.seq
        limit ? offset ?`;
      let rows: Array<Record<string, unknown>>;
      try {
        rows = sqlite().prepare(sql).all(...params, limit + 1, offset) as Array<Record<string, unknown>>;
      } catch (error) {
        throw new ToolError(`search_transcripts: the search failed: ${(error as Error).message}`);
      }
      const more = rows.length > limit;
      const matches = rows.slice(0, limit).map(({ startMs, ...row }) => ({ ...row, second: typeof startMs === 'number' ? Math.floor(startMs / 1000) : null }));
      const { fitted, count } = fitRecords(matches, MAX_ANSWER_CHARS);
      const nextOffset = more || count < matches.length ? offset + count : undefined;
      return { source: 'local', matches: fitted, ...(nextOffset !== undefined ? { nextOffset, note: 'more matches: pass nextOffset as offset' } : {}) };
    },
  };
}

/** The agent's words as an FTS5 query: a quoted phrase stays a phrase, other words are each required. */
export function ftsQuery(text: string): string {
  const trimmed = text.trim();
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  if (/^".*"$/.test(trimmed) && trimmed.length > 2) return quote(trimmed.slice(1, -1));
  const words = trimmed.split(/\s+/).filter(Boolean);
  return words.map(quote).join(' ');
}

function wholeNumber(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ToolError(`search_transcripts: ${name} must be a whole number from ${min} to ${max}`);
  return n;
}
