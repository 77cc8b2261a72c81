import { defineStream } from './types.js';
import { asObject, idText, integer, raw, requireId, text } from './mapping.js';

/**
 * Calls in each library folder. Gong's spec answers `{id, name, createdBy, updated, calls: [{id,
 * title, note, addedBy, created, url, snippet: {fromSec, toSec}}]}` in one piece; the reference
 * documents `{callId, title, started, duration, primaryUserId, url}` records with a cursor. Both
 * are stored: the call id is `id` (or `callId`).
 */
export const libraryFolderContent = defineStream({
  name: 'library_folder_content',
  description:
    'Calls in each library folder (GET /v2/library/folder-content), full refresh at most daily; calls taken out of a folder are removed.',
  endpoint: { method: 'GET', path: '/v2/library/folder-content' },
  request: ({ partition }) => ({ query: { folderId: partition?.folderId } }),
  recordsKey: 'calls',
  // Gong's spec lists no cursor here; a tenant that answers with one (the reference's shape) is followed.
  paginated: true,
  replication: { kind: 'full_refresh', removeMissing: true },
  minIntervalHours: 24,
  partitions: { sources: [{ param: 'folderId', table: 'library_folders', column: 'id', rowColumn: 'folder_id' }] },
  // A call filed twice (two clips) is two entries: keyed by folder, call and `created` (PostHog's key).
  tables: [{ name: 'library_folder_content', primaryKey: ['folder_id', 'call_id', 'created'] }],
  recordId: (c) => idText(c?.id) ?? idText(c?.callId) ?? '?',
  toRows: (c, { partition }) => {
    const snippet = asObject(c.snippet);
    return {
      library_folder_content: [
        {
          folder_id: partition!.folderId,
          call_id: requireId(idText(c.id) ?? idText(c.callId), 'id (or callId)'),
          title: text(c.title),
          started: text(c.started),
          duration: integer(c.duration),
          primary_user_id: idText(c.primaryUserId),
          url: text(c.url),
          note: text(c.note),
          added_by: idText(c.addedBy),
          // Part of the key: '' when a tenant sends none (the reference's shape), never NULL.
          created: text(c.created) ?? '',
          snippet_from_sec: integer(snippet.fromSec),
          snippet_to_sec: integer(snippet.toSec),
          raw: raw(c),
        },
      ],
    };
  },
});
