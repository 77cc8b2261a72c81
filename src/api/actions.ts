/**
 * The reference's entities and actions (list, get, download) as data. Method, path, records key
 * and paging come from the stream declarations (streams/), the one endpoint registry; this file
 * adds only what an action takes: its parameters, by the names Gong's own OpenAPI spec accepts.
 * A name Gong does not know is refused (it would be ignored silently), except the reference's
 * answered-scorecard dates, which are translated to Gong's.
 */
import { findStream } from '../../streams/index.js';
import type { StreamDefinition } from '../../streams/types.js';
import { DEFAULT_REVIEW_METHOD, REVIEW_METHODS } from '../../streams/stats-activity-scorecards.js';

export type ParamType = 'string' | 'boolean' | 'array<string>' | 'object';

export interface ParamSpec {
  type: ParamType;
  required?: boolean;
  /** Where it goes on the wire: the query string, the JSON body, the URL path, or a header. */
  in: 'query' | 'body' | 'path' | 'range';
  /** Known fields of an object parameter (unknown ones are refused). */
  fields?: Record<string, Omit<ParamSpec, 'in'>>;
  /** Sent when the caller gives nothing (Gong requires a `filter` object even when all its fields are optional). */
  whenAbsent?: unknown;
  /** The values Gong accepts (its spec's enum). */
  values?: readonly string[];
  /** A field of an object parameter sent when the caller leaves it out (e.g. `filter.reviewMethod: BOTH`). */
  default?: unknown;
  description?: string;
}

/** A reference parameter name Gong does not know, and what it becomes. */
export interface Translation {
  from: string;
  to: string;
  describe: string;
  apply(params: Record<string, unknown>): Record<string, unknown>;
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
  translations?: Translation[];
  /** A date range Gong caps per request: where its bounds are, and the longest span (the stream's window). */
  range?: { from: string; to: string; maxDays: number };
}

const cursor: ParamSpec = { type: 'string', in: 'query', description: 'Cursor for pagination' };
const bodyCursor: ParamSpec = { type: 'string', in: 'body', description: 'Cursor for pagination' };
const statsFilter: ParamSpec = {
  type: 'object',
  in: 'body',
  required: true,
  fields: {
    fromDate: { type: 'string', required: true },
    toDate: { type: 'string', required: true },
    createdFromDateTime: { type: 'string' },
    createdToDateTime: { type: 'string' },
    userIds: { type: 'array<string>' },
  },
};
const booleans = (names: string[]) => Object.fromEntries(names.map((f) => [f, { type: 'boolean' as const }]));
const exposedFields: Omit<ParamSpec, 'in'> = {
  type: 'object',
  fields: {
    collaboration: { type: 'object', fields: booleans(['publicComments']) },
    content: {
      type: 'object',
      fields: booleans([
        'pointsOfInterest',
        'structure',
        'topics',
        'trackers',
        'trackerOccurrences',
        'brief',
        'outline',
        'highlights',
        'callOutcome',
        'keyPoints',
      ]),
    },
    interaction: { type: 'object', fields: booleans(['personInteractionStats', 'questions', 'speakers', 'video']) },
    media: { type: 'boolean' },
    parties: { type: 'boolean' },
  },
};
const mediaParams: Record<string, ParamSpec> = {
  filter: { type: 'object', in: 'body', required: true, fields: { callIds: { type: 'array<string>', required: true } } },
  contentSelector: { type: 'object', in: 'body', fields: { exposedFields: { type: 'object', fields: { media: { type: 'boolean' } } } } },
  range_header: { type: 'string', in: 'range', description: "Optional Range header, e.g. 'bytes=0-99'" },
};
const idParam: Record<string, ParamSpec> = { id: { type: 'string', required: true, in: 'path' } };

/** YYYY-MM-DD of an ISO timestamp; an exclusive end later than midnight moves to the next day. */
function dateOf(value: unknown, exclusiveEnd: boolean): unknown {
  if (typeof value !== 'string') return value;
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?/.exec(value);
  if (!m) return value;
  const midnight = [m[2], m[3], m[4], m[5]].every((part) => !part || Number(part) === 0);
  if (!exclusiveEnd || midnight) return m[1];
  return new Date(Date.parse(`${m[1]}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

function renameFilterField(from: string, to: string, exclusiveEnd: boolean): Translation {
  return {
    from: `filter.${from}`,
    to: `filter.${to}`,
    describe: `filter.${from} becomes filter.${to} (its date part${exclusiveEnd ? ', the next day when it is not midnight' : ''})`,
    apply: (params) => {
      const filter = params.filter as Record<string, unknown> | undefined;
      if (!filter || typeof filter !== 'object' || !(from in filter)) return params;
      // Both names given: left as they are, so validation refuses the unknown one.
      if (to in filter) return params;
      const { [from]: value, ...rest } = filter;
      return { ...params, filter: { ...rest, [to]: dateOf(value, exclusiveEnd) } };
    },
  };
}

/** Each action: the stream it reads and the parameters it takes (`range`: dotted names of its date bounds). */
const DECLARED: Array<{
  entity: string;
  action: ActionSpec['action'];
  params: Record<string, ParamSpec>;
  translations?: Translation[];
  range?: { from: string; to: string };
}> = [
  { entity: 'users', action: 'list', params: { cursor } },
  { entity: 'users', action: 'get', params: idParam },
  {
    entity: 'calls',
    action: 'list',
    params: {
      fromDateTime: { type: 'string', in: 'query', required: true },
      toDateTime: { type: 'string', in: 'query', required: true },
      workspaceId: { type: 'string', in: 'query' },
      cursor,
    },
    range: { from: 'fromDateTime', to: 'toDateTime' },
  },
  { entity: 'calls', action: 'get', params: idParam },
  {
    entity: 'calls_extensive',
    action: 'list',
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
    range: { from: 'filter.fromDateTime', to: 'filter.toDateTime' },
  },
  { entity: 'call_audio', action: 'download', params: mediaParams },
  { entity: 'call_video', action: 'download', params: mediaParams },
  { entity: 'workspaces', action: 'list', params: {} },
  {
    entity: 'call_transcripts',
    action: 'list',
    params: {
      filter: {
        type: 'object',
        in: 'body',
        whenAbsent: {},
        fields: {
          fromDateTime: { type: 'string' },
          toDateTime: { type: 'string' },
          callIds: { type: 'array<string>' },
          workspaceId: { type: 'string' },
        },
      },
      cursor: bodyCursor,
    },
  },
  { entity: 'stats_activity_aggregate', action: 'list', params: { filter: statsFilter, cursor: bodyCursor } },
  { entity: 'stats_activity_day_by_day', action: 'list', params: { filter: statsFilter, cursor: bodyCursor } },
  { entity: 'stats_interaction', action: 'list', params: { filter: statsFilter, cursor: bodyCursor } },
  // Gong's spec lists no parameter for scorecard settings (the reference's workspaceId is not one).
  { entity: 'settings_scorecards', action: 'list', params: {} },
  { entity: 'settings_trackers', action: 'list', params: { workspaceId: { type: 'string', in: 'query' } } },
  { entity: 'library_folders', action: 'list', params: { workspaceId: { type: 'string', in: 'query', required: true } } },
  // Gong's spec lists no cursor for folder content: it answers with the whole folder.
  { entity: 'library_folder_content', action: 'list', params: { folderId: { type: 'string', in: 'query', required: true } } },
  // Gong's 2026 spec lists no parameter for call outcomes.
  { entity: 'call_outcomes', action: 'list', params: {} },
  {
    entity: 'coaching',
    action: 'list',
    params: {
      'workspace-id': { type: 'string', in: 'query', required: true },
      'manager-id': { type: 'string', in: 'query', required: true },
      from: { type: 'string', in: 'query', required: true },
      to: { type: 'string', in: 'query', required: true },
    },
  },
  {
    entity: 'stats_activity_scorecards',
    action: 'list',
    params: {
      filter: {
        type: 'object',
        in: 'body',
        whenAbsent: {},
        fields: {
          callFromDate: { type: 'string' },
          callToDate: { type: 'string' },
          reviewFromDate: { type: 'string' },
          reviewToDate: { type: 'string' },
          reviewedUserIds: { type: 'array<string>' },
          scorecardIds: { type: 'array<string>' },
          // Gong's default is MANUAL: every automatic review would be missing (see the stream).
          reviewMethod: {
            type: 'string',
            values: REVIEW_METHODS,
            default: DEFAULT_REVIEW_METHOD,
            description: `AUTOMATIC, MANUAL or BOTH; default ${DEFAULT_REVIEW_METHOD} (Gong's own default, MANUAL, leaves out every automatic review)`,
          },
        },
      },
      cursor: bodyCursor,
    },
    // The reference's names for the review dates; Gong's spec knows only reviewFromDate/reviewToDate.
    translations: [renameFilterField('fromDateTime', 'reviewFromDate', false), renameFilterField('toDateTime', 'reviewToDate', true)],
  },
];

function actionOf(declared: (typeof DECLARED)[number]): ActionSpec {
  const stream: StreamDefinition | undefined = findStream(declared.entity);
  if (!stream) throw new Error(`action ${declared.entity} ${declared.action} has no stream declaration`);
  const replication = stream.replication;
  const range =
    declared.range && replication.kind === 'date_windows' ? { ...declared.range, maxDays: replication.maxWindowDays } : undefined;
  const base = { entity: declared.entity, action: declared.action, params: declared.params, translations: declared.translations, range };
  if (declared.action === 'get') {
    if (!stream.get) throw new Error(`stream ${stream.name} declares no get`);
    return { ...base, method: 'GET', path: stream.get.template, recordKey: stream.get.recordKey };
  }
  if (declared.action === 'download') {
    if (!stream.download) throw new Error(`stream ${stream.name} declares no download`);
    return { ...base, method: stream.endpoint.method, path: stream.endpoint.path, media: stream.download.kind };
  }
  return {
    ...base,
    method: stream.endpoint.method,
    path: stream.endpoint.path,
    recordsKey: stream.recordsKey,
    paginated: stream.paginated,
  };
}

export const ACTIONS: ActionSpec[] = DECLARED.map(actionOf);

export function findAction(entity: string, action: string): ActionSpec | undefined {
  return ACTIONS.find((a) => a.entity === entity && a.action === action);
}

/** The caller's parameters with the reference's names Gong does not know turned into Gong's. */
export function translateParams(spec: ActionSpec, params: Record<string, unknown>): Record<string, unknown> {
  return (spec.translations ?? []).reduce((p, t) => t.apply(p), params);
}

/** Every problem with `params` (after translation) for this action, as sentences; empty when they are valid. */
export function validateParams(spec: ActionSpec, params: Record<string, unknown>): string[] {
  return validateFields(spec.params, translateParams(spec, params), '');
}

/** `params` with defaults for what Gong requires and the caller left out, and for fields with a declared default. */
export function withDefaults(spec: ActionSpec, params: Record<string, unknown>): Record<string, unknown> {
  const out = { ...params };
  for (const [name, param] of Object.entries(spec.params)) {
    if (out[name] === undefined && param.whenAbsent !== undefined) out[name] = structuredClone(param.whenAbsent);
    out[name] = withFieldDefaults(param, out[name]);
  }
  for (const name of Object.keys(out)) if (out[name] === undefined) delete out[name];
  return out;
}

function withFieldDefaults(param: Omit<ParamSpec, 'in'>, value: unknown): unknown {
  if (param.type !== 'object' || !param.fields || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [name, field] of Object.entries(param.fields)) {
    // null means "not given" here too: Gong would apply its own default (MANUAL, for reviewMethod).
    if ((out[name] === undefined || out[name] === null) && field.default !== undefined) out[name] = field.default;
    else out[name] = withFieldDefaults(field, out[name]);
    if (out[name] === undefined) delete out[name];
  }
  return out;
}

function validateFields(fields: Record<string, Omit<ParamSpec, 'in'>>, value: Record<string, unknown>, prefix: string): string[] {
  const problems: string[] = [];
  for (const name of Object.keys(value)) {
    if (!(name in fields)) {
      const known = Object.keys(fields);
      problems.push(
        `unknown parameter "${prefix}${name}"${known.length ? ` (expected: ${known.map((k) => prefix + k).join(', ')})` : ' (Gong takes no parameters here)'}`,
      );
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
    if (spec.values && !spec.values.includes(given as string)) {
      problems.push(`parameter "${prefix}${name}" must be one of ${spec.values.join(', ')}, got ${JSON.stringify(given)}`);
      continue;
    }
    if (spec.type === 'object' && spec.fields)
      problems.push(...validateFields(spec.fields, given as Record<string, unknown>, `${prefix}${name}.`));
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

const DAY_MS = 86_400_000;

/**
 * A list whose date range is longer than Gong takes in one request (`range.maxDays`), as the
 * parameters of consecutive requests of at most that span, oldest first; null when one request
 * does (or the bounds are not both valid date-times: Gong then says what is wrong).
 */
export function splitRange(spec: ActionSpec, params: Record<string, unknown>): Array<Record<string, unknown>> | null {
  if (!spec.range) return null;
  const fromText = getPath(params, spec.range.from);
  const toText = getPath(params, spec.range.to);
  if (typeof fromText !== 'string' || typeof toText !== 'string') return null;
  const from = Date.parse(fromText);
  const to = Date.parse(toText);
  const step = spec.range.maxDays * DAY_MS;
  if (!Number.isFinite(from) || !Number.isFinite(to) || to - from <= step) return null;
  const windows: Array<Record<string, unknown>> = [];
  for (let start = from; start < to; start += step) {
    const end = Math.min(start + step, to);
    // The caller's own text at the ends (its offset kept); UTC instants in between.
    const lower = start === from ? fromText : isoSeconds(start);
    const upper = end === to ? toText : isoSeconds(end);
    windows.push(setPath(setPath(params, spec.range.from, lower), spec.range.to, upper));
  }
  return windows;
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

function getPath(value: Record<string, unknown>, dotted: string): unknown {
  return dotted
    .split('.')
    .reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
}

function setPath(value: Record<string, unknown>, dotted: string, to: unknown): Record<string, unknown> {
  const [head, ...rest] = dotted.split('.');
  if (rest.length === 0) return { ...value, [head!]: to };
  return { ...value, [head!]: setPath((value[head!] as Record<string, unknown>) ?? {}, rest.join('.'), to) };
}
