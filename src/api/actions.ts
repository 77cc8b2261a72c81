/**
 * The reference's entities and actions as data: for each, the HTTP request it becomes and the
 * parameters it takes (by the reference's own names), so `execute` and the typed client share one
 * definition and one validation.
 */
export type ParamType = 'string' | 'boolean' | 'array<string>' | 'object';

export interface ParamSpec {
  type: ParamType;
  required?: boolean;
  /** Where it goes on the wire: the query string, the JSON body, the URL path, or a header. */
  in: 'query' | 'body' | 'path' | 'range';
  /** Known fields of an object parameter (unknown ones are refused). */
  fields?: Record<string, Omit<ParamSpec, 'in'>>;
  description?: string;
}

export interface ActionSpec {
  entity: string;
  action: 'list' | 'get' | 'download';
  method: 'GET' | 'POST';
  path: string;
  params: Record<string, ParamSpec>;
  /** list: where the records are; get: the single record's key. */
  recordsKey?: string;
  recordKey?: string;
  paginated?: boolean;
  /** download: which media URL of the extensive answer to stream. */
  media?: 'audio' | 'video';
}

const cursor: ParamSpec = { type: 'string', in: 'query', description: 'Cursor for pagination' };
const bodyCursor: ParamSpec = { type: 'string', in: 'body', description: 'Cursor for pagination' };
const statsFilter: ParamSpec = {
  type: 'object',
  in: 'body',
  fields: { fromDate: { type: 'string' }, toDate: { type: 'string' }, userIds: { type: 'array<string>' } },
};
const exposedFields: Omit<ParamSpec, 'in'> = {
  type: 'object',
  fields: {
    collaboration: { type: 'object', fields: { publicComments: { type: 'boolean' } } },
    content: {
      type: 'object',
      fields: Object.fromEntries(
        ['pointsOfInterest', 'structure', 'topics', 'trackers', 'trackerOccurrences', 'brief', 'outline', 'highlights', 'callOutcome', 'keyPoints'].map((f) => [
          f,
          { type: 'boolean' as const },
        ]),
      ),
    },
    interaction: {
      type: 'object',
      fields: Object.fromEntries(['personInteractionStats', 'questions', 'speakers', 'video'].map((f) => [f, { type: 'boolean' as const }])),
    },
    media: { type: 'boolean' },
    parties: { type: 'boolean' },
  },
};
const mediaParams: Record<string, ParamSpec> = {
  filter: { type: 'object', in: 'body', required: true, fields: { callIds: { type: 'array<string>', required: true } } },
  contentSelector: { type: 'object', in: 'body', fields: { exposedFields: { type: 'object', fields: { media: { type: 'boolean' } } } } },
  range_header: { type: 'string', in: 'range', description: "Optional Range header, e.g. 'bytes=0-99'" },
};

export const ACTIONS: ActionSpec[] = [
  { entity: 'users', action: 'list', method: 'GET', path: '/v2/users', params: { cursor }, recordsKey: 'users', paginated: true },
  { entity: 'users', action: 'get', method: 'GET', path: '/v2/users/{id}', params: { id: { type: 'string', required: true, in: 'path' } }, recordKey: 'user' },
  {
    entity: 'calls',
    action: 'list',
    method: 'GET',
    path: '/v2/calls',
    params: { fromDateTime: { type: 'string', in: 'query' }, toDateTime: { type: 'string', in: 'query' }, workspaceId: { type: 'string', in: 'query' }, cursor },
    recordsKey: 'calls',
    paginated: true,
  },
  { entity: 'calls', action: 'get', method: 'GET', path: '/v2/calls/{id}', params: { id: { type: 'string', required: true, in: 'path' } }, recordKey: 'call' },
  {
    entity: 'calls_extensive',
    action: 'list',
    method: 'POST',
    path: '/v2/calls/extensive',
    params: {
      filter: {
        type: 'object',
        in: 'body',
        required: true,
        fields: {
          fromDateTime: { type: 'string' },
          toDateTime: { type: 'string' },
          callIds: { type: 'array<string>' },
          workspaceId: { type: 'string' },
          primaryUserIds: { type: 'array<string>' },
        },
      },
      contentSelector: {
        type: 'object',
        in: 'body',
        fields: { context: { type: 'string' }, contextTiming: { type: 'array<string>' }, exposedFields },
      },
      cursor: bodyCursor,
    },
    recordsKey: 'calls',
    paginated: true,
  },
  { entity: 'call_audio', action: 'download', method: 'POST', path: '/v2/calls/extensive', params: mediaParams, media: 'audio' },
  { entity: 'call_video', action: 'download', method: 'POST', path: '/v2/calls/extensive', params: mediaParams, media: 'video' },
  { entity: 'workspaces', action: 'list', method: 'GET', path: '/v2/workspaces', params: {}, recordsKey: 'workspaces' },
  {
    entity: 'call_transcripts',
    action: 'list',
    method: 'POST',
    path: '/v2/calls/transcript',
    params: {
      filter: {
        type: 'object',
        in: 'body',
        fields: { fromDateTime: { type: 'string' }, toDateTime: { type: 'string' }, callIds: { type: 'array<string>' }, workspaceId: { type: 'string' } },
      },
      cursor: bodyCursor,
    },
    recordsKey: 'callTranscripts',
    paginated: true,
  },
  {
    entity: 'stats_activity_aggregate',
    action: 'list',
    method: 'POST',
    path: '/v2/stats/activity/aggregate',
    params: { filter: statsFilter, cursor: bodyCursor },
    recordsKey: 'usersAggregateActivityStats',
    paginated: true,
  },
  {
    entity: 'stats_activity_day_by_day',
    action: 'list',
    method: 'POST',
    path: '/v2/stats/activity/day-by-day',
    params: { filter: statsFilter, cursor: bodyCursor },
    recordsKey: 'usersDetailedActivities',
    paginated: true,
  },
  {
    entity: 'stats_interaction',
    action: 'list',
    method: 'POST',
    path: '/v2/stats/interaction',
    params: { filter: statsFilter, cursor: bodyCursor },
    recordsKey: 'peopleInteractionStats',
    paginated: true,
  },
  { entity: 'settings_scorecards', action: 'list', method: 'GET', path: '/v2/settings/scorecards', params: { workspaceId: { type: 'string', in: 'query' } }, recordsKey: 'scorecards' },
  { entity: 'settings_trackers', action: 'list', method: 'GET', path: '/v2/settings/trackers', params: { workspaceId: { type: 'string', in: 'query' } }, recordsKey: 'keywordTrackers' },
  {
    entity: 'library_folders',
    action: 'list',
    method: 'GET',
    path: '/v2/library/folders',
    params: { workspaceId: { type: 'string', in: 'query', required: true } },
    recordsKey: 'folders',
  },
  {
    entity: 'library_folder_content',
    action: 'list',
    method: 'GET',
    path: '/v2/library/folder-content',
    params: { folderId: { type: 'string', in: 'query', required: true }, cursor },
    recordsKey: 'calls',
    paginated: true,
  },
  {
    entity: 'coaching',
    action: 'list',
    method: 'GET',
    path: '/v2/coaching',
    params: {
      'workspace-id': { type: 'string', in: 'query', required: true },
      'manager-id': { type: 'string', in: 'query', required: true },
      from: { type: 'string', in: 'query', required: true },
      to: { type: 'string', in: 'query', required: true },
    },
    recordsKey: 'coachingData',
  },
  {
    entity: 'stats_activity_scorecards',
    action: 'list',
    method: 'POST',
    path: '/v2/stats/activity/scorecards',
    params: {
      filter: {
        type: 'object',
        in: 'body',
        fields: {
          // The reference's names, and Gong's own.
          fromDateTime: { type: 'string' },
          toDateTime: { type: 'string' },
          reviewFromDate: { type: 'string' },
          reviewToDate: { type: 'string' },
          callFromDate: { type: 'string' },
          callToDate: { type: 'string' },
          scorecardIds: { type: 'array<string>' },
          reviewedUserIds: { type: 'array<string>' },
          reviewerUserIds: { type: 'array<string>' },
          callIds: { type: 'array<string>' },
          reviewMethod: { type: 'string' },
        },
      },
      cursor: bodyCursor,
    },
    recordsKey: 'answeredScorecards',
    paginated: true,
  },
];

export function findAction(entity: string, action: string): ActionSpec | undefined {
  return ACTIONS.find((a) => a.entity === entity && a.action === action);
}

/** Every problem with `params` for this action, as sentences; empty when they are valid. */
export function validateParams(spec: ActionSpec, params: Record<string, unknown>): string[] {
  return validateFields(spec.params, params, '');
}

function validateFields(fields: Record<string, Omit<ParamSpec, 'in'>>, value: Record<string, unknown>, prefix: string): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(value)) {
    if (!(name in fields)) {
      const known = Object.keys(fields);
      problems.push(`unknown parameter "${prefix}${name}"${known.length ? ` (expected: ${known.map((k) => prefix + k).join(', ')})` : ' (this action takes none)'}`);
    }
  }
  for (const [name, spec] of Object.entries(fields)) {
    const given = value[name];
    if (given === undefined || given === null) {
      if (spec.required) problems.push(`missing required parameter "${prefix}${name}" (${spec.type})`);
      continue;
    }
    if (!matchesType(given, spec.type)) {
      problems.push(`parameter "${prefix}${name}" must be ${spec.type}, got ${describeType(given)}`);
      continue;
    }
    if (spec.type === 'object' && spec.fields) problems.push(...validateFields(spec.fields, given as Record<string, unknown>, `${prefix}${name}.`));
  }
  return problems;
}

function matchesType(value: unknown, type: ParamType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array<string>':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}
