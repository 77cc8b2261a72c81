import { defineStream } from './types.js';
import { asObject, bool, idText, integer, raw, requireId, text } from './mapping.js';

export const coaching = defineStream({
  name: 'coaching',
  description:
    'Coaching metrics for each manager (a user with direct reports) and their reports, per workspace and calendar month (GET /v2/coaching).',
  request: ({ window, partition }) => ({
    method: 'GET',
    path: '/v2/coaching',
    query: { 'workspace-id': partition?.workspaceId, 'manager-id': partition?.managerId, from: window?.from, to: window?.to },
  }),
  recordsKey: 'coachingData',
  paginated: false,
  replication: {
    kind: 'date_windows',
    granularity: 'datetime',
    lookbackDays: 7,
    maxWindowDays: 31,
    upperBound: 'now',
    alignToMonths: true,
    windowColumn: 'from_date',
  },
  minIntervalHours: 6,
  partitions: {
    sources: [
      { param: 'workspaceId', table: 'workspaces', column: 'id', rowColumn: 'workspace_id' },
      { param: 'managerId', table: 'users', column: 'id', rowColumn: 'manager_id', whereIn: { table: 'users', column: 'manager_id' } },
    ],
  },
  tables: [{ name: 'coaching', primaryKey: ['workspace_id', 'manager_id', 'user_id', 'from_date', 'to_date'] }],
  recordId: (c) => idText(c?.userId) ?? '?',
  toRows: (c, { window, partition }) => {
    const metrics = asObject(c.coachingMetrics);
    return {
      coaching: [
        {
          workspace_id: partition!.workspaceId,
          manager_id: partition!.managerId,
          user_id: requireId(c.userId, 'userId'),
          from_date: window!.from,
          to_date: window!.to,
          user_email_address: text(c.userEmailAddress),
          user_name: text(c.userName),
          is_manager: bool(c.isManager),
          calls_listened: integer(metrics.callsListened),
          calls_attended: integer(metrics.callsAttended),
          calls_with_feedback: integer(metrics.callsWithFeedback),
          calls_with_comments: integer(metrics.callsWithComments),
          scorecards_filled: integer(metrics.scorecardsFilled),
          raw: raw(c),
        },
      ],
    };
  },
});
