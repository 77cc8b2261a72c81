import { defineStream } from './types.js';
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
  description: 'Activity per user per calendar month (POST /v2/stats/activity/aggregate); the current month is re-read each run until it ends.',
  request: ({ window }) => ({
    method: 'POST',
    path: '/v2/stats/activity/aggregate',
    body: { filter: { fromDate: window?.from, toDate: window?.to } },
  }),
  recordsKey: 'usersAggregateActivityStats',
  paginated: true,
  replication: {
    kind: 'date_windows',
    granularity: 'date',
    lookbackDays: 7,
    maxWindowDays: 31,
    upperBound: 'today',
    alignToMonths: true,
    windowColumn: 'from_date',
  },
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
