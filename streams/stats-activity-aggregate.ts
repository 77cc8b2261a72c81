import { defineStream } from './types.js';
import { MONTHLY_STATS, statsRequest } from './stats-request.js';
import { asObject, idText, integer, raw, requireId, text } from './mapping.js';

const COUNTERS = [
  'callsAsHost',
  'callsGaveFeedback',
  'callsRequestedFeedback',
  'callsReceivedFeedback',
  'ownCallsListenedTo',
  'othersCallsListenedTo',
  'callsSharedInternally',
  'callsSharedExternally',
  'callsScorecardsFilled',
  'callsScorecardsReceived',
  'callsAttended',
  'callsCommentsGiven',
  'callsCommentsReceived',
  'callsMarkedAsFeedbackGiven',
  'callsMarkedAsFeedbackReceived',
] as const;

export const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export const statsActivityAggregate = defineStream({
  name: 'stats_activity_aggregate',
  description:
    'Activity per user per calendar month (POST /v2/stats/activity/aggregate); the current month is re-read each run until it ends.',
  endpoint: { method: 'POST', path: '/v2/stats/activity/aggregate' },
  request: statsRequest(),
  recordsKey: 'usersAggregateActivityStats',
  paginated: true,
  replication: MONTHLY_STATS,
  tables: [{ name: 'stats_activity_aggregate', primaryKey: ['user_id', 'from_date', 'to_date'] }],
  recordId: (r) => idText(r?.userId) ?? '?',
  toRows: (r, { window }) => {
    const stats = asObject(r.userAggregateActivityStats);
    return {
      stats_activity_aggregate: [
        {
          user_id: requireId(r.userId, 'userId'),
          from_date: window!.from,
          to_date: window!.to,
          user_email_address: text(r.userEmailAddress),
          ...Object.fromEntries(COUNTERS.map((c) => [snakeCase(c), integer(stats[c])])),
          raw: raw(r),
        },
      ],
    };
  },
});

export const ACTIVITY_COUNTERS = COUNTERS;
