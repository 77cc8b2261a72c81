import { defineStream } from './types.js';
import { statsRequest } from './stats-request.js';
import { asArray, idText, jsonText, raw, requireId, storedOnce, text } from './mapping.js';
import { ACTIVITY_COUNTERS, snakeCase } from './stats-activity-aggregate.js';
import { ACTIVITY_DAY_CHILD_TABLES, activityDayCallRows } from './entity-children.js';

const ACTIVITIES = ACTIVITY_COUNTERS.map((c): [string, string] => [c, snakeCase(c)]);

/** The typed columns a day's record is given back from. */
export const ACTIVITY_DAY_COLUMNS = ['from_date', 'to_date', ...ACTIVITIES.map(([, column]) => column)];

/** A day without what its columns hold: its dates and each counter's list of call ids (JSON text). */
function slimDay(day: Record<string, any>): Record<string, unknown> {
  const slim: Record<string, unknown> = { ...day };
  if (typeof day.fromDate === 'string') delete slim.fromDate;
  if (typeof day.toDate === 'string') delete slim.toDate;
  for (const [field] of ACTIVITIES) if (Array.isArray(day[field])) delete slim[field];
  return slim;
}

/** A day's record as Gong sent it, from `raw` (slim, or whole in rows stored before) and its row's columns. */
export function restoreActivityDay(slim: Record<string, unknown>, row: Record<string, unknown>): Record<string, unknown> {
  const day: Record<string, unknown> = {};
  for (const [field, column] of ACTIVITIES)
    if (typeof row[column] === 'string' && !(field in slim)) day[field] = JSON.parse(row[column] as string);
  if (typeof row.from_date === 'string' && !('fromDate' in slim)) day.fromDate = row.from_date;
  if (typeof row.to_date === 'string' && !('toDate' in slim)) day.toDate = row.to_date;
  return { ...day, ...slim };
}

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
      stats_activity_day_by_day: days.map((day) => {
        const row = {
          user_id: userId,
          date: String(day.fromDate).slice(0, 10),
          user_email_address: text(r.userEmailAddress),
          from_date: text(day.fromDate),
          to_date: text(day.toDate),
          ...Object.fromEntries(ACTIVITIES.map(([field, column]) => [column, jsonText(day[field] ?? [])])),
        };
        // Stored once: the lists are in their columns (and activity_day_calls), raw keeps the rest.
        return { ...row, raw: raw(storedOnce(day, slimDay(day), (slim) => restoreActivityDay(slim, row))) };
      }),
      activity_day_calls: days.flatMap((day) => activityDayCallRows(userId, String(day.fromDate).slice(0, 10), day, ACTIVITIES)),
    };
  },
});
