import { defineStream, type RequestInput, type Row } from './types.js';
import { asArray, asObject, bool, idText, integer, jsonText, raw, requireId, text } from './mapping.js';

/** The reference's five counts, kept as columns of `coaching` when a metric of that name arrives. */
const REFERENCE_COUNTS: Record<string, string> = {
  callsListened: 'calls_listened',
  callsAttended: 'calls_attended',
  callsWithFeedback: 'calls_with_feedback',
  callsWithComments: 'calls_with_comments',
  scorecardsFilled: 'scorecards_filled',
};

interface MetricValue {
  count: number | null;
  /** Call ids, in Gong's shape; null when only a count was sent (the reference's shape). */
  callIds: string[] | null;
}

export const coaching = defineStream({
  name: 'coaching',
  description:
    'Coaching metrics of each manager (a user with direct reports) for their reports, per workspace and calendar month (GET /v2/coaching). ' +
    "Gong's shape (one item per manager, metrics as call-id lists under any name) and the reference's (one record per user with counts) are both stored.",
  endpoint: { method: 'GET', path: '/v2/coaching' },
  request: ({ window, partition }) => ({
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
  tables: [
    { name: 'coaching', primaryKey: ['workspace_id', 'manager_id', 'user_id', 'from_date', 'to_date'] },
    { name: 'coaching_metrics', primaryKey: ['workspace_id', 'manager_id', 'user_id', 'from_date', 'to_date', 'metric'] },
  ],
  recordId: (c) => idText(c?.manager?.id) ?? idText(c?.userId) ?? '?',
  toRows: (c, input) =>
    c && typeof c === 'object' && 'directReportsMetrics' in c ? gongShapeRows(c, input) : referenceShapeRows(c, input),
});

/** Gong's shape: `{manager, directReportsMetrics: [{report, metrics: {<name>: [call ids]}}]}`. */
function gongShapeRows(c: any, input: RequestInput): Record<string, Row[]> {
  // The partition's manager unless Gong names one (the same id: it answers for the manager asked about).
  const manager = asObject(c.manager);
  const managerId = idText(manager.id) ?? input.partition!.managerId!;
  const managerColumns = {
    manager_email_address: text(manager.emailAddress),
    manager_name: [text(manager.firstName), text(manager.lastName)].filter(Boolean).join(' ') || null,
    manager_title: text(manager.title),
  };
  const coachingRows: Row[] = [];
  const metricRows: Row[] = [];
  const seen = new Set<string>();
  for (const item of asArray(c.directReportsMetrics)) {
    const report = asObject(item?.report);
    const userId = requireId(report.id, 'directReportsMetrics[].report.id');
    if (seen.has(userId)) continue;
    seen.add(userId);
    const metrics = new Map<string, MetricValue>();
    for (const [name, value] of Object.entries(asObject(item?.metrics))) {
      const callIds = Array.isArray(value) ? [...new Set(value.map((id) => idText(id)).filter((id): id is string => id !== null))] : null;
      metrics.set(name, { count: callIds ? callIds.length : integer(value), callIds });
    }
    const name = [text(report.firstName), text(report.lastName)].filter(Boolean).join(' ');
    coachingRows.push({
      ...coachingRow(input, managerId, userId, { email: text(report.emailAddress), name: name || null, isManager: 0 }, metrics, item),
      ...managerColumns,
      user_title: text(report.title),
    });
    metricRows.push(...metricRowsOf(input, managerId, userId, metrics));
  }
  return { coaching: coachingRows, coaching_metrics: metricRows };
}

/** The reference's shape: `{userId, userEmailAddress, userName, isManager, coachingMetrics: {<name>: count}}`. */
function referenceShapeRows(c: any, input: RequestInput): Record<string, Row[]> {
  const managerId = input.partition!.managerId!;
  const userId = requireId(c?.userId, 'userId');
  const metrics = new Map<string, MetricValue>();
  for (const [name, value] of Object.entries(asObject(c.coachingMetrics))) {
    metrics.set(
      name,
      Array.isArray(value) ? { count: value.length, callIds: value.map(String) } : { count: integer(value), callIds: null },
    );
  }
  return {
    coaching: [
      coachingRow(
        input,
        managerId,
        userId,
        { email: text(c.userEmailAddress), name: text(c.userName), isManager: bool(c.isManager) },
        metrics,
        c,
      ),
    ],
    coaching_metrics: metricRowsOf(input, managerId, userId, metrics),
  };
}

function coachingRow(
  { window, partition }: RequestInput,
  managerId: string,
  userId: string,
  who: { email: string | null; name: string | null; isManager: number | null },
  metrics: Map<string, MetricValue>,
  record: unknown,
): Row {
  const row: Row = {
    workspace_id: partition!.workspaceId,
    manager_id: managerId,
    user_id: userId,
    from_date: window!.from,
    to_date: window!.to,
    user_email_address: who.email,
    user_name: who.name,
    is_manager: who.isManager,
  };
  for (const [metric, column] of Object.entries(REFERENCE_COUNTS)) row[column] = metrics.get(metric)?.count ?? null;
  row.raw = raw(record);
  return row;
}

function metricRowsOf({ window, partition }: RequestInput, managerId: string, userId: string, metrics: Map<string, MetricValue>): Row[] {
  return [...metrics].map(([metric, value]) => ({
    workspace_id: partition!.workspaceId,
    manager_id: managerId,
    user_id: userId,
    from_date: window!.from,
    to_date: window!.to,
    metric,
    call_count: value.count,
    call_ids: jsonText(value.callIds),
  }));
}
