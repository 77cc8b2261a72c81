import { defineStream, type Row } from './types.js';
import { asArray, idText, integer, raw, requireId, text } from './mapping.js';

export const callTranscripts = defineStream({
  name: 'call_transcripts',
  description:
    'Transcripts (POST /v2/calls/transcript) by call id, 100 ids a request: calls written since the last pass, ' +
    'and calls of the last 30 days that still have none (Gong publishes transcripts late).',
  request: ({ ids }) => ({ method: 'POST', path: '/v2/calls/transcript', body: { filter: { callIds: ids ?? [] } } }),
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
          raw: raw(t),
        },
      ],
      transcript_sentences: sentences,
    };
  },
});
