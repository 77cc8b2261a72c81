import type { GongSimulator, Answer } from './server.js';
import type { SimCall } from './dataset.js';
import { CALL_OUTCOMES } from './dataset.js';
import { errorAnswer } from './server.js';
import { routeAdmin, workspacesAnswer } from './admin-routes.js';
import { aggregateActivity, coachingData, dayByDayActivity, interactionStats } from './stats.js';
import {
  ANSWERED_SCORECARD_NUMERIC_IDS,
  SCORECARD_SETTING_NUMERIC_IDS,
  answeredScorecard,
  clipsOf,
  folderEntry,
  gongCoaching,
  scorecardSetting,
  tracker,
} from './shapes.js';

export interface SimRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const CALL_LIST_MAX_RANGE_MS = 90 * 86_400_000;

/** Gong v2's endpoints, answered from the simulated account in the simulator's shapes (shapes.ts). */
export function routeRequest(sim: GongSimulator, req: SimRequest): Answer {
  const { method, path } = req;
  const account = sim.account;
  const route = `${method} ${path}`;
  const gongShapes = sim.shapes === 'gong';

  if (route === 'GET /v2/users') return sim.page(req, account.users, 'users', 'users');
  if (method === 'GET' && path.startsWith('/v2/users/')) {
    const user = account.users.find((u) => u.id === path.slice('/v2/users/'.length));
    return user ? sim.ok({ requestId: 'r', user }) : errorAnswer(404, `User ${path.slice(10)} was not found`);
  }
  if (route === 'GET /v2/workspaces') return sim.ok({ requestId: 'r', workspaces: workspacesAnswer(sim) });

  if (route === 'GET /v2/calls') {
    // As Gong: both bounds required (spec), and at most 90 days a request (production integrations).
    if (req.query.fromDateTime === undefined || req.query.toDateTime === undefined)
      return errorAnswer(400, 'fromDateTime and toDateTime are required');
    const range = dateTimeRange(req.query.fromDateTime, req.query.toDateTime);
    if ('error' in range) return range.error;
    if (range.to - range.from > CALL_LIST_MAX_RANGE_MS)
      return errorAnswer(400, 'The date range between fromDateTime and toDateTime may not exceed 90 days');
    const calls = account.calls
      .filter((c) => c.visible && c.startedMs >= range.from && c.startedMs < range.to)
      .filter((c) => !req.query.workspaceId || c.record.workspaceId === req.query.workspaceId)
      .map((c) => c.record);
    return sim.page(req, calls, 'calls', 'calls');
  }
  if (method === 'GET' && path.startsWith('/v2/calls/') && /^\/v2\/calls\/\d+$/.test(path)) {
    const call = account.getCall(path.slice('/v2/calls/'.length));
    return call && call.visible ? sim.ok({ requestId: 'r', call: call.record }) : errorAnswer(404, `Call ${path.slice(10)} was not found`);
  }
  if (route === 'POST /v2/calls/extensive') {
    const filter = req.body?.filter ?? {};
    const selected = selectCalls(account, filter, { primaryUserIds: true, maxIds: sim.maxCallIds });
    if ('error' in selected) return selected.error;
    const exposed = req.body?.contentSelector?.exposedFields ?? {};
    return sim.page(req, selected.calls, 'calls', 'calls', {}, (c) =>
      account.extensiveOf(
        c,
        exposed,
        { audioUrl: sim.mediaUrl(c.record.id, 'audio'), videoUrl: c.record.media === 'Video' ? sim.mediaUrl(c.record.id, 'video') : null },
        gongShapes ? 'id' : 'speakerId',
        (req.body?.contentSelector?.context ?? 'None') !== 'None',
      ),
    );
  }
  if (route === 'POST /v2/calls/transcript') {
    const selected = selectCalls(account, req.body?.filter ?? {}, { primaryUserIds: false, maxIds: sim.maxCallIds });
    if ('error' in selected) return selected.error;
    const ready = selected.calls.filter((c) => c.transcriptReady);
    return sim.page(req, ready, 'callTranscripts', 'calls', {}, (c) => account.transcriptOf(c));
  }

  if (path.startsWith('/v2/stats/') && method === 'POST' && path !== '/v2/stats/activity/scorecards') {
    const filter = req.body?.filter ?? {};
    const range = statsDateRange(sim, filter.fromDate, filter.toDate);
    if ('error' in range) return range.error;
    const onlyUsers = Array.isArray(filter.userIds) ? new Set(filter.userIds.map(String)) : undefined;
    const keep = <T extends { userId: string }>(rows: T[]) => rows.filter((r) => !onlyUsers || onlyUsers.has(r.userId));
    const meta = { timeZone: 'UTC', fromDateTime: `${filter.fromDate}T00:00:00Z`, toDateTime: `${filter.toDate}T00:00:00Z` };
    if (path === '/v2/stats/activity/aggregate')
      return sim.page(req, keep(aggregateActivity(account, filter.fromDate, filter.toDate)), 'usersAggregateActivityStats', 'users', meta);
    if (path === '/v2/stats/activity/day-by-day')
      return sim.page(req, keep(dayByDayActivity(account, filter.fromDate, filter.toDate)), 'usersDetailedActivities', 'users', meta);
    if (path === '/v2/stats/interaction')
      return sim.page(req, keep(interactionStats(account, filter.fromDate, filter.toDate)), 'peopleInteractionStats', 'users', meta);
  }
  if (route === 'POST /v2/stats/activity/scorecards') {
    const filter = req.body?.filter ?? {};
    for (const field of ['reviewFromDate', 'reviewToDate', 'callFromDate', 'callToDate']) {
      if (filter[field] !== undefined && !DATE_ONLY.test(String(filter[field])))
        return errorAnswer(400, `${field} must be a date in the format YYYY-MM-DD`);
    }
    // As Gong (2026 spec: "Default value: MANUAL"): without reviewMethod only manual reviews come back.
    const method = filter.reviewMethod ?? 'MANUAL';
    if (!['MANUAL', 'AUTOMATIC', 'BOTH'].includes(method)) return errorAnswer(400, 'reviewMethod must be one of AUTOMATIC, MANUAL, BOTH');
    // callIds and reviewerUserIds are the reference's filters; Gong's spec does not know them.
    const onlyIn = (name: string) =>
      !gongShapes && Array.isArray(filter[name]) ? new Set((filter[name] as unknown[]).map(String)) : undefined;
    const callIds = onlyIn('callIds');
    const reviewerUserIds = onlyIn('reviewerUserIds');
    const from = filter.reviewFromDate ? Date.parse(`${filter.reviewFromDate}T00:00:00Z`) : -Infinity;
    const to = filter.reviewToDate ? Date.parse(`${filter.reviewToDate}T00:00:00Z`) : Infinity;
    const callFrom = filter.callFromDate ? Date.parse(`${filter.callFromDate}T00:00:00Z`) : -Infinity;
    const callTo = filter.callToDate ? Date.parse(`${filter.callToDate}T00:00:00Z`) : Infinity;
    const scorecards = account.answeredScorecards
      .filter((s) => method === 'BOTH' || s.record.reviewMethod === method)
      .filter((s) => s.reviewMs >= from && s.reviewMs < to)
      .filter((s) => {
        const call = account.getCall(s.callId);
        return call !== undefined && call.visible && call.startedMs >= callFrom && call.startedMs < callTo;
      })
      .filter((s) => !Array.isArray(filter.scorecardIds) || filter.scorecardIds.map(String).includes(String(s.record.scorecardId)))
      .filter((s) => !Array.isArray(filter.reviewedUserIds) || filter.reviewedUserIds.map(String).includes(String(s.record.reviewedUserId)))
      .filter((s) => !callIds || callIds.has(s.callId))
      .filter((s) => !reviewerUserIds || reviewerUserIds.has(String(s.record.reviewerUserId)))
      .sort((a, b) => a.reviewMs - b.reviewMs);
    return sim.page(
      req,
      scorecards,
      'answeredScorecards',
      'scorecards',
      {},
      (s) => answeredScorecard(s.record, sim.shapes),
      ANSWERED_SCORECARD_NUMERIC_IDS,
    );
  }

  if (route === 'GET /v2/settings/scorecards') {
    // Gong's spec lists no parameter here; the reference filters by workspaceId.
    const workspaceId = gongShapes ? undefined : req.query.workspaceId;
    const scorecards = account.scorecardSettings
      .filter((s) => !workspaceId || s.workspaceId === workspaceId || s.workspaceId === null)
      .map((s) => scorecardSetting(s, sim.shapes));
    if (gongShapes) return sim.ok({ requestId: 'r', scorecards }, SCORECARD_SETTING_NUMERIC_IDS);
    // The reference's shape says string ids, but these have always come as bare numbers.
    return sim.ok({ requestId: 'r', scorecards }, ['scorecardId', 'questionId', 'questionRevisionId']);
  }
  if (route === 'GET /v2/settings/trackers') {
    const trackers = account.trackers.filter(
      (t) => !req.query.workspaceId || t.workspaceId === req.query.workspaceId || t.workspaceId === null,
    );
    return sim.ok({ requestId: 'r', keywordTrackers: trackers.map((t) => tracker(t, sim.shapes)) });
  }
  if (route === 'GET /v2/library/folders') {
    if (!req.query.workspaceId) return errorAnswer(400, 'workspaceId is required');
    const folders = account.folders.filter((f) => f.workspaceId === req.query.workspaceId).map((f) => f.folder);
    if (folders.length === 0) return errorAnswer(404, 'No folders found for the specified period');
    return sim.ok({ requestId: 'r', folders });
  }
  if (route === 'GET /v2/library/folder-content') {
    const folder = account.folders.find((f) => f.folder.id === req.query.folderId);
    if (!folder) return errorAnswer(404, `Folder ${req.query.folderId ?? ''} was not found`);
    const { id, name, createdBy, updated } = folder.folder as Record<string, unknown>;
    if (gongShapes) {
      // Gong's shape: the folder and all its entries in one answer, no `records`, no cursor; a call
      // filed twice is two entries (two clips, each with its own `created`).
      const clips = clipsOf(folder.callIds).flatMap(({ id: callId, clip }) => {
        const call = account.getCall(callId);
        return call ? [folderEntry(String(id), call, account.users, clip)] : [];
      });
      if (clips.length === 0) return errorAnswer(404, `No calls found in folder ${req.query.folderId}`);
      return sim.ok({ requestId: 'r', id, name, createdBy, updated, calls: clips });
    }
    // The reference's records: each call of the folder once, paged.
    const entries = [...new Set(folder.callIds)].map((callId) => account.getCall(callId)).filter((c) => c !== undefined);
    const calls = entries.map((c) => ({
      callId: c.record.id,
      title: c.record.title,
      started: c.record.started,
      duration: c.record.duration,
      primaryUserId: c.record.primaryUserId,
      url: c.record.url,
    }));
    return sim.page(req, calls, 'calls', 'calls', { id, name, createdBy, updated });
  }
  if (route === 'GET /v2/call-outcomes') {
    // Gong's 2026 spec: `{requestId, outcomes}`, no paging, no parameters.
    return sim.ok({ requestId: 'r', outcomes: CALL_OUTCOMES });
  }
  if (route === 'GET /v2/coaching') {
    const { 'workspace-id': workspaceId, 'manager-id': managerId, from, to } = req.query;
    if (!workspaceId || !managerId || !from || !to) return errorAnswer(400, 'workspace-id, manager-id, from and to are required');
    const range = dateTimeRange(from, to);
    if ('error' in range) return range.error;
    if (!account.workspaces.some((w) => w.id === workspaceId)) return errorAnswer(404, `Workspace ${workspaceId} was not found`);
    const data = gongShapes ? gongCoaching(account, managerId, from, to) : coachingData(account, managerId, from, to);
    if (data.length === 0) return errorAnswer(404, 'No coaching data found corresponding to the provided filters');
    return sim.ok({ requestId: 'r', fromDateTime: from, toDateTime: to, coachingData: data });
  }
  return routeAdmin(sim, req) ?? errorAnswer(404, `Unknown endpoint ${route}`);
}

function dateTimeRange(fromText: unknown, toText: unknown): { from: number; to: number } | { error: Answer } {
  if (fromText !== undefined && !ISO_DATETIME.test(String(fromText)))
    return { error: errorAnswer(400, 'fromDateTime must be an ISO-8601 date-time') };
  if (toText !== undefined && !ISO_DATETIME.test(String(toText)))
    return { error: errorAnswer(400, 'toDateTime must be an ISO-8601 date-time') };
  const from = fromText === undefined ? -Infinity : Date.parse(String(fromText));
  const to = toText === undefined ? Infinity : Date.parse(String(toText));
  if (from >= to) return { error: errorAnswer(400, 'fromDateTime must be before toDateTime') };
  return { from, to };
}

function statsDateRange(sim: GongSimulator, fromDate: unknown, toDate: unknown): { from: string; to: string } | { error: Answer } {
  if (!DATE_ONLY.test(String(fromDate)) || !DATE_ONLY.test(String(toDate))) {
    return { error: errorAnswer(400, 'fromDate and toDate must be dates in the format YYYY-MM-DD') };
  }
  const today = new Date(sim.now()).toISOString().slice(0, 10);
  if (String(toDate) > today) return { error: errorAnswer(400, 'toDate cannot be later than today') };
  if (String(fromDate) >= String(toDate)) return { error: errorAnswer(400, 'fromDate must be before toDate') };
  return { from: String(fromDate), to: String(toDate) };
}

/** Calls by id (at most 100) or by start time and workspace; extensive also takes primaryUserIds. */
function selectCalls(
  account: GongSimulator['account'],
  filter: any,
  options: { primaryUserIds: boolean; maxIds?: number },
): { calls: SimCall[] } | { error: Answer } {
  const hosts =
    options.primaryUserIds && Array.isArray(filter.primaryUserIds) ? new Set((filter.primaryUserIds as unknown[]).map(String)) : undefined;
  const hostedByWanted = (c: SimCall) => !hosts || hosts.has(c.record.primaryUserId);
  if (Array.isArray(filter.callIds)) {
    const maxIds = options.maxIds ?? 100;
    if (filter.callIds.length > maxIds) return { error: errorAnswer(400, `callIds may hold at most ${maxIds} ids`) };
    const calls = (filter.callIds as unknown[])
      .map((id) => account.getCall(String(id)))
      .filter((c): c is SimCall => c !== undefined && c.visible && hostedByWanted(c));
    return { calls: calls.sort((a, b) => a.startedMs - b.startedMs) };
  }
  const range = dateTimeRange(filter.fromDateTime, filter.toDateTime);
  if ('error' in range) return range;
  return {
    calls: account.calls.filter(
      (c) =>
        c.visible &&
        c.startedMs >= range.from &&
        c.startedMs < range.to &&
        (!filter.workspaceId || c.record.workspaceId === filter.workspaceId) &&
        hostedByWanted(c),
    ),
  };
}
