import type { SqlExecutor } from '../db/sql-executor.js';
import { objectSchema } from './json-schema.js';
import { containsText, isoText, sentenceMatches, utcInstant } from './copy-reads.js';
import { RANGE_PARAMS, gongId, range, text, wholeNumber } from './tool-args.js';
import { ToolError, type McpTool } from './tool.js';
import { MAX_ANSWER_CHARS, fitRecords } from './answer-size.js';

const AFFILIATIONS = ['Internal', 'External', 'Unknown'];
const MAX_LIMIT = 200;

/**
 * search_transcripts: full-text search (SQLite FTS5, transcript_search) over the stored transcript
 * sentences, with who said it and when. Words are all required; "quoted text" is an exact phrase.
 */
export function transcriptSearchTool(exec: SqlExecutor, mask: (text: string) => string): McpTool {
  return {
    name: 'search_transcripts',
    description:
      'Searches stored transcripts (no Gong request) for sentences with all the words; newest calls first. ' +
      'Each: callId, callTitle, callStarted, speakerName, affiliation, second, text.',
    annotations: { readOnlyHint: true },
    inputSchema: objectSchema({
      query: { type: 'string', required: true, description: 'Words that must all be in one sentence, e.g. "pricing concern".' },
      callId: { type: 'string', description: 'Only this call id (digits).' },
      speaker: { type: 'string', description: 'Speaker name or email part, e.g. "Ben".' },
      affiliation: { type: 'string', enum: AFFILIATIONS, description: 'Internal (ours), External (theirs) or Unknown.' },
      ...RANGE_PARAMS,
      limit: { type: 'integer', description: `Most sentences, 1-${MAX_LIMIT} (default 50).` },
      offset: { type: 'integer', description: 'nextOffset of the previous answer.' },
    }),
    async run(args) {
      const tool = 'search_transcripts';
      const query = text(tool, args, 'query', { required: true })!;
      const callId = gongId(tool, args, 'callId');
      const speaker = text(tool, args, 'speaker');
      const affiliation = text(tool, args, 'affiliation');
      if (affiliation !== undefined && !AFFILIATIONS.includes(affiliation)) throw new ToolError(`${tool}: affiliation must be one of ${AFFILIATIONS.join(', ')}`);
      const limit = wholeNumber(tool, args, 'limit', 50, 1, MAX_LIMIT);
      const offset = wholeNumber(tool, args, 'offset', 0, 0, 1_000_000);
      const { from, to } = range(tool, args);
      const words = query.replace(/^"(.*)"$/, '$1');
      let q = exec.db
        .selectFrom('transcript_sentences as s')
        .leftJoin('calls as c', 'c.id', 's.call_id')
        .leftJoin('call_parties as p', (join) => join.onRef('p.call_id', '=', 's.call_id').onRef('p.speaker_id', '=', 's.speaker_id'))
        .select(['s.call_id as callId', 'c.title as callTitle', 'c.started_utc as callStarted', 's.speaker_id as speakerId', 'p.name as speakerName', 'p.affiliation as affiliation', 's.start_ms as startMs', 's.text as text'])
        .where(sentenceMatches(exec, words));
      // A quoted phrase: its words in that order, not only each of them.
      if (words !== query) q = q.where(containsText('s.text', words));
      if (callId !== undefined) q = q.where('s.call_id', '=', callId);
      if (speaker !== undefined) q = q.where((eb) => eb.or([containsText('p.name', speaker), containsText('p.email_address', speaker)]));
      if (affiliation !== undefined) q = q.where('p.affiliation', '=', affiliation);
      if (from !== undefined) q = q.where('c.started_utc', '>=', utcInstant(from));
      if (to !== undefined) q = q.where('c.started_utc', '<', utcInstant(to));
      let rows: Array<Record<string, unknown>>;
      try {
        rows = await exec.all<Record<string, unknown>>(q.orderBy('c.started_utc', 'desc').orderBy('s.call_id').orderBy('s.seq').limit(limit + 1).offset(offset));
      } catch (error) {
        throw new ToolError(`${tool}: the search failed: ${(error as Error).message}`);
      }
      const more = rows.length > limit;
      const matches = rows.slice(0, limit).map(({ startMs, callStarted, text: said, ...row }) => ({
        ...row,
        callStarted: isoText(callStarted),
        second: startMs === null || startMs === undefined ? null : Math.floor(Number(startMs) / 1000),
        text: mask(String(said ?? '')),
      }));
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
