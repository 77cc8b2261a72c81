import { defineStream, type StreamDefinition } from './types.js';
import { idText } from './mapping.js';

/**
 * Opt-in media streams: for calls that have no file of this kind yet, ask Gong for fresh signed
 * URLs (extensive, media only, 100 calls a request) and download each file. A call Gong has no
 * such media for gets a `call_media` row with a NULL path, so it is not asked for again.
 */
export function callMediaStream(kind: 'audio' | 'video'): StreamDefinition {
  return defineStream({
    name: `call_${kind}`,
    description: `Downloads each call's ${kind} file into GONG_MEDIA_DIR (opt-in: --streams call_${kind}); rows in call_media.`,
    endpoint: { method: 'POST', path: '/v2/calls/extensive' },
    request: ({ ids }) => ({
      body: { filter: { callIds: ids ?? [] }, contentSelector: { exposedFields: { media: true } } },
    }),
    recordsKey: 'calls',
    paginated: true,
    replication: {
      kind: 'parent_ids',
      parent: { table: 'calls', idColumn: 'id', startedColumn: 'started' },
      missingIn: { table: 'call_media', column: 'call_id', where: { kind } },
      batchSize: 100,
      retryMissingDays: 30,
      refetchChanged: false,
    },
    tables: [{ name: 'call_media', primaryKey: ['call_id', 'kind'] }],
    recordId: (call) => idText(call?.metaData?.id) ?? '?',
    // Rows come from the downloads themselves (path, size, checksum), not from the record.
    toRows: () => ({}),
    download: {
      kind,
      target: (call) => ({
        callId: idText(call?.metaData?.id) ?? '',
        url: (kind === 'audio' ? call?.media?.audioUrl : call?.media?.videoUrl) ?? null,
      }),
    },
  });
}
