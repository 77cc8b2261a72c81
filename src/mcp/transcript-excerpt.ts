import type { SqlExecutor } from '../db/sql-executor.js';
import { objectSchema } from './json-schema.js';
import { ToolError, type McpTool } from './tool.js';
import { containsText } from './copy-reads.js';
import { gongId, text, wholeNumber } from './tool-args.js';

const MAX_SENTENCES = 200;
const DEFAULT_CONTEXT = 5;

interface Sentence {
  seq: number;
  start_ms: unknown;
  text: string | null;
  speaker_id: string | null;
  name: string | null;
  affiliation: string | null;
}

/**
 * transcript_excerpt: who said what in one call, from the copy (no Gong request): the sentences
 * around a phrase (`around`, its n-th occurrence) or in a time range (`fromSecond`..`toSecond`),
 * capped. Text is masked as the server is configured (GONG_REDACT_TEXT).
 */
export function transcriptExcerptTool(exec: SqlExecutor, mask: (text: string) => string): McpTool {
  return {
    name: 'transcript_excerpt',
    description:
      'Who said what in one call, from the local copy (no Gong request): sentences around a phrase (around) or in a time range (fromSecond..toSecond), capped. ' +
      'Each: second, speaker, affiliation, text.',
    annotations: { readOnlyHint: true },
    inputSchema: objectSchema({
      callId: { type: 'string', required: true, description: 'Call id (digits), e.g. "7782342274025937895".' },
      around: { type: 'string', description: 'Phrase said in the call to center on, e.g. "security review".' },
      occurrence: { type: 'integer', description: 'Which occurrence of around (default 1).' },
      context: { type: 'integer', description: `Sentences before and after it, 0-50 (default ${DEFAULT_CONTEXT}).` },
      fromSecond: { type: 'integer', description: 'Range start, seconds into the call, e.g. 600.' },
      toSecond: { type: 'integer', description: 'Range end, seconds, exclusive, e.g. 900.' },
      maxSentences: { type: 'integer', description: `Most sentences, 1-${MAX_SENTENCES} (default 40).` },
    }),
    async run(args) {
      const tool = 'transcript_excerpt';
      const callId = gongId(tool, args, 'callId', { required: true })!;
      const around = text(tool, args, 'around');
      const occurrence = wholeNumber(tool, args, 'occurrence', 1, 1, 10_000);
      const context = wholeNumber(tool, args, 'context', DEFAULT_CONTEXT, 0, 50);
      const fromSecond = wholeNumber(tool, args, 'fromSecond', 0, 0, 86_400);
      const toSecond = wholeNumber(tool, args, 'toSecond', 86_400, 1, 86_400);
      const max = wholeNumber(tool, args, 'maxSentences', 40, 1, MAX_SENTENCES);
      if (around && (args.fromSecond !== undefined || args.toSecond !== undefined))
        throw new ToolError(`${tool}: give either around or fromSecond/toSecond, not both`);
      if (!(fromSecond < toSecond)) throw new ToolError(`${tool}: fromSecond must be before toSecond`);
      const db = exec.db;
      const call = await exec.get<{ title: string | null; has: unknown }>(
        db
          .selectFrom('calls as c')
          .select(['c.title'])
          .select((eb) =>
            eb.exists(eb.selectFrom('call_transcripts as t').select('t.call_id').whereRef('t.call_id', '=', 'c.id')).as('has'),
          )
          .where('c.id', '=', callId),
      );
      if (!call) throw new ToolError(`${tool}: call ${callId} is not in the local copy (find_calls lists stored calls)`);
      if (!call.has || call.has === '0' || call.has === 0 || call.has === false)
        throw new ToolError(
          `${tool}: the copy has no transcript of call ${callId} yet (Gong publishes transcripts late; the next sync reads it)`,
        );
      const sentences = db
        .selectFrom('transcript_sentences as s')
        .leftJoin('call_parties as p', (join) => join.onRef('p.call_id', '=', 's.call_id').onRef('p.speaker_id', '=', 's.speaker_id'))
        .select(['s.seq', 's.start_ms', 's.text', 's.speaker_id', 'p.name', 'p.affiliation'])
        .where('s.call_id', '=', callId);
      let rows: Sentence[];
      let occurrences: number | undefined;
      if (around) {
        const hits = await exec.all<{ seq: number }>(
          db
            .selectFrom('transcript_sentences as s')
            .select('s.seq')
            .where('s.call_id', '=', callId)
            .where(containsText('s.text', around))
            .orderBy('s.seq'),
        );
        occurrences = hits.length;
        if (hits.length === 0)
          return {
            source: 'local',
            callId,
            title: call.title,
            around,
            occurrences: 0,
            sentences: [],
            note: `"${around}" is not said in this call (search_transcripts searches every call)`,
          };
        if (occurrence > hits.length)
          throw new ToolError(`${tool}: "${around}" occurs ${hits.length} time(s) in this call; occurrence must be 1 to ${hits.length}`);
        const at = Number(hits[occurrence - 1]!.seq);
        const half = Math.min(context, Math.floor((max - 1) / 2));
        rows = await exec.all<Sentence>(
          sentences
            .where('s.seq', '>=', at - half)
            .where('s.seq', '<=', at + half)
            .orderBy('s.seq'),
        );
      } else {
        rows = await exec.all<Sentence>(
          sentences
            .where('s.start_ms', '>=', fromSecond * 1000)
            .where('s.start_ms', '<', toSecond * 1000)
            .orderBy('s.seq')
            .limit(max + 1),
        );
      }
      const more = rows.length > max;
      return {
        source: 'local',
        callId,
        title: call.title,
        ...(around ? { around, occurrence, occurrences } : { fromSecond, toSecond }),
        sentences: rows.slice(0, max).map((r) => ({
          second: Math.floor(Number(r.start_ms ?? 0) / 1000),
          speaker: r.name ?? (r.speaker_id ? `speaker ${r.speaker_id}` : null),
          affiliation: r.affiliation ?? 'Unknown',
          text: mask(r.text ?? ''),
        })),
        ...(more ? { note: `more sentences in this range: raise maxSentences (at most ${MAX_SENTENCES}) or start fromSecond later` } : {}),
      };
    },
  };
}
