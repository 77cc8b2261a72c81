import { defineStream, type Row } from './types.js';
import { asArray, asObject, idText, integer, raw, requireId, slimmestStored, text } from './mapping.js';

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
      return { ...s, sentences: asArray(s.sentences).map(slimSentence) };
    }),
  };
}

function slimSentence(sentence: unknown): Record<string, unknown> {
  const { start, end, text: sentenceText, ...rest } = asObject(sentence);
  return {
    ...(Number.isSafeInteger(start) || start === undefined ? {} : { start }),
    ...(Number.isSafeInteger(end) || end === undefined ? {} : { end }),
    ...(typeof sentenceText === 'string' || sentenceText === undefined ? {} : { text: sentenceText }),
    ...rest,
  };
}

/**
 * Slimmer still: also without the call id (the call_id column), each segment's speakerId and topic
 * (every sentence row of the segment holds them) and the list of a segment's sentences when they
 * keep nothing (the rows of its segment_index are its sentences). What remains is about `{}` a
 * segment, plus anything the rows cannot say (a null topic, an empty segment, an unknown field).
 */
export function slimmestTranscript(t: Record<string, any>): Record<string, unknown> {
  const { callId, ...rest } = t;
  return {
    ...(typeof callId === 'string' ? {} : { callId }),
    ...rest,
    transcript: asArray(t.transcript).map((segment) => {
      const { speakerId, topic, sentences, ...other } = asObject(segment);
      const list = asArray(sentences);
      const slimSentences = list.map(slimSentence);
      const heldByRows = list.length > 0;
      return {
        ...(heldByRows && typeof speakerId === 'string' ? {} : speakerId === undefined ? {} : { speakerId }),
        ...(heldByRows && typeof topic === 'string' ? {} : topic === undefined ? {} : { topic }),
        ...other,
        ...(heldByRows && Array.isArray(sentences) && slimSentences.every((x) => Object.keys(x).length === 0)
          ? {}
          : { sentences: slimSentences }),
      };
    }),
  };
}

export interface StoredSentence {
  start_ms: number | null;
  end_ms: number | null;
  text: string | null;
  /** Absent in rows read by an older reader: sentences are then taken in seq order. */
  segment_index?: number | string | null;
  speaker_id?: string | null;
  topic?: string | null;
}

/**
 * Gong's transcript record from `raw` (any of the forms above, or the whole record that older rows
 * kept) and its transcript_sentences rows in seq order.
 */
export function restoreTranscript(slim: Record<string, any>, sentences: StoredSentence[], callId?: string): Record<string, unknown> {
  // Plain loops and assignments: this runs for every transcript as it is written (storedOnce's check).
  let grouped = true;
  for (const s of sentences) if (s.segment_index === undefined || s.segment_index === null) grouped = false;
  const bySegment = new Map<number, StoredSentence[]>();
  if (grouped) {
    for (const s of sentences) {
      // PostgreSQL may give a bigint as text: the segment is a number either way.
      const index = Number(s.segment_index);
      const list = bySegment.get(index);
      if (list) list.push(s);
      else bySegment.set(index, [s]);
    }
  }
  const restored: Record<string, unknown> = {};
  if (callId !== undefined && !('callId' in slim)) restored.callId = callId;
  Object.assign(restored, slim);
  if (!Array.isArray(slim.transcript)) return restored;
  let seq = 0;
  const segments: unknown[] = [];
  slim.transcript.forEach((segment: unknown, index: number) => {
    const kept = asObject(segment);
    const rows = grouped ? (bySegment.get(index) ?? []) : [];
    const first = rows[0];
    const out: Record<string, unknown> = {};
    if (first?.speaker_id != null && !('speakerId' in kept)) out.speakerId = first.speaker_id;
    if (first?.topic != null && !('topic' in kept)) out.topic = first.topic;
    Object.assign(out, kept);
    const listed = Array.isArray(kept.sentences) ? (kept.sentences as unknown[]) : undefined;
    const count = listed ? listed.length : rows.length;
    const list: unknown[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const sentence = listed ? listed[i] : {};
      const stored = grouped ? rows[i] : sentences[seq++];
      if (!stored) {
        list[i] = sentence;
        continue;
      }
      const keptSentence = asObject(sentence);
      const restoredSentence: Record<string, unknown> = {};
      if (stored.start_ms !== null && !('start' in keptSentence)) restoredSentence.start = stored.start_ms;
      if (stored.end_ms !== null && !('end' in keptSentence)) restoredSentence.end = stored.end_ms;
      if (stored.text !== null && !('text' in keptSentence)) restoredSentence.text = stored.text;
      list[i] = Object.assign(restoredSentence, keptSentence);
    }
    out.sentences = list;
    segments.push(out);
  });
  restored.transcript = segments;
  return restored;
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
          raw: raw(
            Array.isArray(t.transcript)
              ? slimmestStored(t, [slimmestTranscript(t), slimTranscript(t)], (slim) =>
                  restoreTranscript(slim, sentences as unknown as StoredSentence[], callId),
                )
              : t,
          ),
        },
      ],
      transcript_sentences: sentences,
    };
  },
});
