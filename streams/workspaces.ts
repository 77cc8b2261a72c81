import { defineStream } from './types.js';
import { idText, raw, requireId, text } from './mapping.js';

export const workspaces = defineStream({
  name: 'workspaces',
  description: 'Company workspaces (GET /v2/workspaces), full refresh.',
  endpoint: { method: 'GET', path: '/v2/workspaces' },
  request: () => ({}),
  recordsKey: 'workspaces',
  paginated: false,
  replication: { kind: 'full_refresh' },
  minIntervalHours: 24,
  tables: [{ name: 'workspaces', primaryKey: ['id'] }],
  recordId: (ws) => idText(ws?.id ?? ws?.workspaceId) ?? '?',
  toRows: (ws) => ({
    workspaces: [
      {
        id: requireId(ws.id ?? ws.workspaceId, 'id'),
        workspace_id: idText(ws.workspaceId ?? ws.id),
        name: text(ws.name),
        description: text(ws.description),
        raw: raw(ws),
      },
    ],
  }),
});
