import { defineStream } from './types.js';
import { bool, idText, jsonText, raw, requireId, text } from './mapping.js';
import { TRACKER_CHILD_TABLES, trackerKeywordRows } from './entity-children.js';

export const settingsTrackers = defineStream({
  name: 'settings_trackers',
  description: 'Keyword tracker definitions (GET /v2/settings/trackers), full refresh at most daily; deleted trackers are removed.',
  endpoint: { method: 'GET', path: '/v2/settings/trackers' },
  request: () => ({}),
  recordsKey: 'keywordTrackers',
  paginated: false,
  replication: { kind: 'full_refresh', removeMissing: true },
  minIntervalHours: 24,
  tables: [{ name: 'settings_trackers', primaryKey: ['tracker_id'] }, ...TRACKER_CHILD_TABLES],
  recordId: (t) => idText(t?.trackerId) ?? '?',
  toRows: (t) => ({
    settings_trackers: [
      {
        tracker_id: requireId(t.trackerId, 'trackerId'),
        tracker_name: text(t.trackerName),
        workspace_id: idText(t.workspaceId),
        language_keywords: jsonText(t.languageKeywords),
        affiliation: text(t.affiliation),
        part_of_question: bool(t.partOfQuestion),
        said_at: text(t.saidAt),
        // An integer in Gong's spec, a string in the reference's: kept as text either way.
        said_at_interval: text(t.saidAtInterval),
        said_at_unit: text(t.saidAtUnit),
        said_in_topics: jsonText(t.saidInTopics),
        said_in_call_parts: jsonText(t.saidInCallParts),
        filter_query: text(t.filterQuery),
        created: text(t.created),
        creator_user_id: idText(t.creatorUserId),
        updated: text(t.updated),
        updater_user_id: idText(t.updaterUserId),
        raw: raw(t),
      },
    ],
    tracker_keywords: trackerKeywordRows(requireId(t.trackerId, 'trackerId'), t),
  }),
});
