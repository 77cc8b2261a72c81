import type { SqlExecutor } from '../db/sql-executor.js';
import { objectSchema } from './json-schema.js';
import { isoText, utcInstant } from './copy-reads.js';
import type { TranscriptMatch } from '../db/adapter.js';
import { RANGE_PARAMS, gongId, range, text, wholeNumber } from './tool-args.js';
import { ToolError, type McpTool } from './tool.js';
import { MAX_ANSWER_CHARS, fitRecords } from './answer-size.js';

const AFFILIATIONS = ['Internal', 'External', 'Unknown'];
const MAX_LIMIT = 200;
const DEFAULT_TIMEOUT_S = 10;
const MAX_TIMEOUT_S = 120;

/**
 * search_transcripts: full-text search (the database adapter's: FTS5 or tsvector) over the stored
 * transcript sentences, with who said it and when. Words are all required; "quoted text" is an exact phrase.
 * It runs off the server's main loop with a time limit, as `query` does: a very common word ranks
 * many sentences, and other tools keep answering meanwhile.
 */
export function transcriptSearchTool(exec: SqlExecutor, mask: (text: string) => string): McpTool {
  return {
    name: 'search_transcripts',
    description:
      'Searches stored transcripts (no Gong request) for sentences with all the words ("a quoted phrase": exact), best first. ' +
      'Each: callId, callTitle, callStarted, speakerName, affiliation, second, text.',
    annotations: { readOnlyHint: true },
    inputSchema: objectSchema({
      query: {
        type: 'string',
        required: true,
        description: 'Words that must all be in one sentence, e.g. pricing concern, or "an exact phrase".',
      },
      callId: { type: 'string', description: 'Only this call id (digits).' },
      speaker: { type: 'string', description: 'Speaker name or email part, e.g. "Ben".' },
      affiliation: { type: 'string', enum: AFFILIATIONS, description: 'Internal (ours), External (theirs) or Unknown.' },
      ...RANGE_PARAMS,
      limit: { type: 'integer', description: `Most sentences, 1-${MAX_LIMIT} (default 50).` },
      offset: { type: 'integer', description: 'nextOffset of the previous answer.' },
      timeout_seconds: { type: 'integer', description: `Time limit, seconds, 1-${MAX_TIMEOUT_S} (default ${DEFAULT_TIMEOUT_S}).` },
    }),
    async run(args) {
      const tool = 'search_transcripts';
      const query = text(tool, args, 'query', { required: true })!;
      const callId = gongId(tool, args, 'callId');
      const speaker = text(tool, args, 'speaker');
      const affiliation = text(tool, args, 'affiliation');
      if (affiliation !== undefined && !AFFILIATIONS.includes(affiliation))
        throw new ToolError(`${tool}: affiliation must be one of ${AFFILIATIONS.join(', ')}`);
      const limit = wholeNumber(tool, args, 'limit', 50, 1, MAX_LIMIT);
      const offset = wholeNumber(tool, args, 'offset', 0, 0, 1_000_000);
      const { from, to } = range(tool, args);
      const timeout = wholeNumber(tool, args, 'timeout_seconds', DEFAULT_TIMEOUT_S, 1, MAX_TIMEOUT_S);
      let rows: TranscriptMatch[];
      try {
        // The database adapter's full-text search (FTS5 / tsvector), best matches first.
        rows = await exec.database.adapter.searchTranscripts({
          query,
          callId,
          speaker,
          affiliation,
          from: from !== undefined ? utcInstant(from) : undefined,
          to: to !== undefined ? utcInstant(to) : undefined,
          limit: limit + 1,
          offset,
          timeoutMs: timeout * 1000,
        });
      } catch (error) {
        const message = (error as Error).message;
        if (/time limit/.test(message))
          throw new ToolError(
            `${tool}: the search ran past its time limit (${timeout} s) and was stopped; add words, a callId or a date range, or raise timeout_seconds`,
          );
        throw new ToolError(`${tool}: the search failed: ${message}`);
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
      return {
        source: 'local',
        matches: fitted,
        ...(nextOffset !== undefined ? { nextOffset, note: 'more matches: pass nextOffset as offset' } : {}),
      };
    },
  };
}
