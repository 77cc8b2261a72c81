import { defineStream } from './types.js';
import { idText, raw, requireId, text } from './mapping.js';

export const libraryFolders = defineStream({
  name: 'library_folders',
  description:
    'Public call-library folders of each workspace (GET /v2/library/folders), full refresh at most daily; deleted folders are removed.',
  endpoint: { method: 'GET', path: '/v2/library/folders' },
  request: ({ partition }) => ({ query: { workspaceId: partition?.workspaceId } }),
  recordsKey: 'folders',
  paginated: false,
  replication: { kind: 'full_refresh', removeMissing: true },
  minIntervalHours: 24,
  partitions: { sources: [{ param: 'workspaceId', table: 'workspaces', column: 'id', rowColumn: 'workspace_id' }] },
  tables: [{ name: 'library_folders', primaryKey: ['id'] }],
  recordId: (f) => idText(f?.id) ?? '?',
  toRows: (f, { partition }) => ({
    library_folders: [
      {
        id: requireId(f.id, 'id'),
        workspace_id: partition?.workspaceId ?? null,
        name: text(f.name),
        parent_folder_id: idText(f.parentFolderId),
        created_by: idText(f.createdBy),
        updated: text(f.updated),
        raw: raw(f),
      },
    ],
  }),
});
