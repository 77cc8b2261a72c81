import { defineStream, type Row } from './types.js';
import { asArray, asObject, idText, integer, raw, requireId, text } from './mapping.js';

/**
 * The transcript without what transcript_sentences holds (each sentence's start, end and text, by
 * call_id and seq): `raw` stays lossless without storing every sentence twice. A value the columns
 * could not give back exactly (a fractional time, a non-text text) stays in raw.
 */
export function slimTranscript(t: Record<string, any>): Record<string, unknown> {
  return {
    ...t,
    transcript: asArray(t.transcript).map((segment) => {
      const s = asObject(segment);
      return {
        ...s,
        sentences: asArray(s.sentences).map((sentence) => {
          const { start, end, text: sentenceText, ...rest } = asObject(sentence);
          return {
            ...(Number.isSafeInteger(start) || start === undefined ? {} : { start }),
            ...(Number.isSafeInteger(end) || end === undefined ? {} : { end }),
            ...(typeof sentenceText === 'string' || sentenceText === undefined ? {} : { text: sentenceText }),
            ...rest,
          };
        }),
      };
    }),
  };
}

export interface StoredSentence {
  start_ms: number | null;
  end_ms: number | null;
  text: string | null;
}

/** Gong's transcript record from `raw` and its transcript_sentences rows in seq order (older rows kept everything in raw). */
export function restoreTranscript(slim: Record<string, any>, sentences: StoredSentence[]): Record<string, unknown> {
  let seq = 0;
  return {
    ...slim,
    transcript: asArray(slim.transcript).map((segment) => ({
      ...segment,
      sentences: asArray(segment?.sentences).map((sentence) => {
        const stored = sentences[seq++];
        const kept = asObject(sentence);
        if (!stored) return sentence;
        return {
          ...(stored.start_ms !== null && !('start' in kept) ? { start: stored.start_ms } : {}),
          ...(stored.end_ms !== null && !('end' in kept) ? { end: stored.end_ms } : {}),
          ...(stored.text !== null && !('text' in kept) ? { text: stored.text } : {}),
          ...kept,
        };
      }),
    })),
  };
}

export const callTranscripts = defineStream({
  name: 'call_transcripts',
  description:
    'Transcripts (POST /v2/calls/transcript) by call id, 100 ids a request: calls written since the last pass, ' +
    'and calls of the last 30 days that still have none (Gong publishes transcripts late).',
  endpoint: { method: 'POST', path: '/v2/calls/transcript' },
  request: ({ ids }) => ({ body: { filter: { callIds: ids ?? [] } } }),
  recordsKey: 'callTranscripts',
  paginated: true,
  replication: {
    kind: 'parent_ids',
    parent: { table: 'calls', idColumn: 'id', startedColumn: 'started' },
    missingIn: { table: 'call_transcripts', column: 'call_id' },
    batchSize: 100,
    retryMissingDays: 30,
    refetchChanged: true,
  },
  tables: [
    { name: 'call_transcripts', primaryKey: ['call_id'] },
    {
      name: 'transcript_sentences',
      primaryKey: ['call_id', 'seq'],
      replaceChildrenOf: { table: 'call_transcripts', parentColumn: 'call_id', column: 'call_id' },
    },
  ],
  recordId: (t) => idText(t?.callId) ?? '?',
  toRows: (t) => {
    const callId = requireId(t.callId, 'callId');
    const sentences: Row[] = [];
    const speakers = new Set<string>();
    const segments = asArray(t.transcript);
    segments.forEach((segment, segmentIndex) => {
      const speakerId = idText(segment?.speakerId);
      if (speakerId) speakers.add(speakerId);
      for (const sentence of asArray(segment?.sentences)) {
        sentences.push({
          call_id: callId,
          seq: sentences.length,
          segment_index: segmentIndex,
          speaker_id: speakerId,
          topic: text(segment?.topic),
          start_ms: integer(sentence?.start),
          end_ms: integer(sentence?.end),
          text: text(sentence?.text),
        });
      }
    });
    return {
      call_transcripts: [
        {
          call_id: callId,
          segment_count: segments.length,
          sentence_count: sentences.length,
          speaker_count: speakers.size,
          raw: raw(Array.isArray(t.transcript) ? slimTranscript(t) : t),
        },
      ],
      transcript_sentences: sentences,
    };
  },
});
