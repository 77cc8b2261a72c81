import { defineStream } from './types.js';
import { statsRequest } from './stats-request.js';
import { asArray, idText, jsonText, raw, requireId, text } from './mapping.js';
import { ACTIVITY_COUNTERS, snakeCase } from './stats-activity-aggregate.js';
import { ACTIVITY_DAY_CHILD_TABLES, activityDayCallRows } from './entity-children.js';

const ACTIVITIES = ACTIVITY_COUNTERS.map((c): [string, string] => [c, snakeCase(c)]);

export const statsActivityDayByDay = defineStream({
  name: 'stats_activity_day_by_day',
  description: 'Activity per user per day (POST /v2/stats/activity/day-by-day), each counter the list of call ids; 7-day look-back.',
  endpoint: { method: 'POST', path: '/v2/stats/activity/day-by-day' },
  request: statsRequest(),
  recordsKey: 'usersDetailedActivities',
  paginated: true,
  replication: { kind: 'date_windows', granularity: 'date', lookbackDays: 7, maxWindowDays: 366, upperBound: 'today' },
  tables: [{ name: 'stats_activity_day_by_day', primaryKey: ['user_id', 'date'] }, ...ACTIVITY_DAY_CHILD_TABLES],
  recordId: (r) => idText(r?.userId) ?? '?',
  toRows: (r) => {
    const userId = requireId(r.userId, 'userId');
    const days = asArray(r.userDailyActivityStats).filter((day) => typeof day?.fromDate === 'string');
    return {
      stats_activity_day_by_day: days.map((day) => ({
        user_id: userId,
        date: String(day.fromDate).slice(0, 10),
        user_email_address: text(r.userEmailAddress),
        from_date: text(day.fromDate),
        to_date: text(day.toDate),
        ...Object.fromEntries(ACTIVITIES.map(([field, column]) => [column, jsonText(day[field] ?? [])])),
        raw: raw(day),
      })),
      activity_day_calls: days.flatMap((day) => activityDayCallRows(userId, String(day.fromDate).slice(0, 10), day, ACTIVITIES)),
    };
  },
});
