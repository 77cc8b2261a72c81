import { defineStream } from './types.js';
import { idText, integer, raw, requireId, text } from './mapping.js';

export const libraryFolderContent = defineStream({
  name: 'library_folder_content',
  description: 'Calls in each library folder (GET /v2/library/folder-content), full refresh at most daily; calls taken out of a folder are removed.',
  request: ({ partition }) => ({ method: 'GET', path: '/v2/library/folder-content', query: { folderId: partition?.folderId } }),
  recordsKey: 'calls',
  paginated: true,
  replication: { kind: 'full_refresh', removeMissing: true },
  minIntervalHours: 24,
  partitions: { sources: [{ param: 'folderId', table: 'library_folders', column: 'id', rowColumn: 'folder_id' }] },
  tables: [{ name: 'library_folder_content', primaryKey: ['folder_id', 'call_id'] }],
  recordId: (c) => idText(c?.callId) ?? '?',
  toRows: (c, { partition }) => ({
    library_folder_content: [
      {
        folder_id: partition!.folderId,
        call_id: requireId(c.callId, 'callId'),
        title: text(c.title),
        started: text(c.started),
        duration: integer(c.duration),
        primary_user_id: idText(c.primaryUserId),
        url: text(c.url),
        raw: raw(c),
      },
    ],
  }),
});
