import { defineStream, type Row } from './types.js';
import { bool, idText, integer, raw, requireId, text, utcIso } from './mapping.js';

/** The longest range one call-list request may cover (GET /v2/calls, POST /v2/calls/extensive). */
export const CALL_LIST_MAX_DAYS = 90;

/** A call's metadata as a `calls` row; shared with calls_extensive, whose `metaData` is the same record. */
export function callRow(call: any): Row {
  return {
    id: requireId(call.id, 'id'),
    url: text(call.url),
    title: text(call.title),
    scheduled: text(call.scheduled),
    scheduled_utc: utcIso(call.scheduled),
    started: text(call.started),
    started_utc: utcIso(call.started),
    duration: integer(call.duration),
    primary_user_id: idText(call.primaryUserId),
    direction: text(call.direction),
    system: text(call.system),
    scope: text(call.scope),
    media: text(call.media),
    language: text(call.language),
    workspace_id: idText(call.workspaceId),
    sdr_disposition: text(call.sdrDisposition),
    client_unique_id: text(call.clientUniqueId),
    custom_data: text(call.customData),
    purpose: text(call.purpose),
    meeting_url: text(call.meetingUrl),
    is_private: bool(call.isPrivate),
    calendar_event_id: text(call.calendarEventId),
    raw: raw(call),
  };
}

export const calls = defineStream({
  name: 'calls',
  description: 'Call metadata (GET /v2/calls) over date windows on the call start, re-reading a week back for late calls.',
  endpoint: { method: 'GET', path: '/v2/calls' },
  request: ({ window }) => ({
    query: { fromDateTime: window?.from, toDateTime: window?.to },
  }),
  recordsKey: 'calls',
  paginated: true,
  // Gong's call lists cover at most 90 days a request (GET /v2/calls refuses more; PostHog caps both).
  replication: { kind: 'date_windows', granularity: 'datetime', lookbackDays: 7, maxWindowDays: CALL_LIST_MAX_DAYS, upperBound: 'now' },
  tables: [{ name: 'calls', primaryKey: ['id'] }],
  get: { template: '/v2/calls/{id}', recordKey: 'call' },
  isPrivate: (call) => call?.isPrivate === true,
  recordId: (call) => idText(call?.id) ?? '?',
  toRows: (call) => ({ calls: [callRow(call)] }),
  coveredBy: 'calls_extensive',
});
