import { ToolError } from './tool.js';

/**
 * What each parameter of the reference's tools means, its format and an example, by name: the
 * endpoint registry (src/api/actions.ts) declares names and types, this adds what an agent needs
 * to fill them in, and the format every value is checked against before anything is sent.
 */
export type ValueFormat = 'date-time' | 'date' | 'id' | 'ids';

export interface ParamDoc {
  description: string;
  format?: ValueFormat;
}

const ID = 'digits, e.g. "7782342274025937895"';
const flag = (what: string): ParamDoc => ({ description: `Include ${what}.` });

const BY_NAME: Record<string, ParamDoc> = {
  cursor: { description: 'pagination.cursor of the previous answer: the next page.' },
  live: { description: 'true: ask Gong now (spends the live budget). Default false.' },
  id: { description: `Id, ${ID}.`, format: 'id' },
  fromDateTime: { description: 'Start, inclusive, e.g. "2026-11-01T00:00:00Z".', format: 'date-time' },
  toDateTime: { description: 'End, exclusive, e.g. "2026-12-01T00:00:00Z".', format: 'date-time' },
  createdFromDateTime: { description: 'Created at or after, e.g. "2026-11-01T00:00:00Z".', format: 'date-time' },
  createdToDateTime: { description: 'Created before, e.g. "2026-12-01T00:00:00Z".', format: 'date-time' },
  fromDate: { description: 'First day (company time zone), e.g. "2026-11-01".', format: 'date' },
  toDate: { description: 'Day after the last, not after today, e.g. "2026-12-01".', format: 'date' },
  callFromDate: { description: 'Calls from this day, e.g. "2026-11-01".', format: 'date' },
  callToDate: { description: 'Calls before this day, e.g. "2026-12-01".', format: 'date' },
  reviewFromDate: { description: 'Reviews from this day, e.g. "2026-11-01".', format: 'date' },
  reviewToDate: { description: 'Reviews before this day, e.g. "2026-12-01".', format: 'date' },
  from: { description: 'Month start, e.g. "2026-11-01T00:00:00Z".', format: 'date-time' },
  to: { description: 'Month end, exclusive, e.g. "2026-12-01T00:00:00Z".', format: 'date-time' },
  workspaceId: { description: `Workspace id, ${ID}.`, format: 'id' },
  'workspace-id': { description: `Workspace id, ${ID}.`, format: 'id' },
  'manager-id': { description: `Manager's user id, ${ID}.`, format: 'id' },
  folderId: { description: `Library folder id, ${ID}.`, format: 'id' },
  callIds: { description: 'Call ids (digits), at most 100.', format: 'ids' },
  userIds: { description: 'Only these user ids (digits).', format: 'ids' },
  primaryUserIds: { description: 'Only calls hosted by these user ids.', format: 'ids' },
  reviewedUserIds: { description: 'Only reviews of these user ids.', format: 'ids' },
  scorecardIds: { description: 'Only these scorecard ids.', format: 'ids' },
  filter: { description: 'What to select.' },
  contentSelector: { description: 'Which parts of each call to return.' },
  context: { description: 'CRM context: "None", "Basic" or "Extended".' },
  contextTiming: { description: 'CRM state as of ["Now"] and/or ["TimeOfCall"].' },
  exposedFields: { description: 'Parts to include (true each).' },
  collaboration: { description: 'Collaboration parts.' },
  content: { description: 'Content parts.' },
  interaction: { description: 'Interaction parts.' },
  publicComments: flag('public comments'),
  pointsOfInterest: flag('points of interest (deprecated)'),
  structure: flag('the agenda structure'),
  topics: flag('topics and their durations'),
  trackers: flag('tracker hit counts'),
  trackerOccurrences: flag('tracker hits with times'),
  brief: flag("Gong's call brief"),
  outline: flag('the outline'),
  highlights: flag('highlights'),
  callOutcome: flag('the call outcome'),
  keyPoints: flag('key points'),
  personInteractionStats: flag('interaction stats'),
  questions: flag('question counts'),
  speakers: flag('talk time per speaker'),
  video: flag('video stats'),
  media: flag('media URLs'),
  parties: flag('participants'),
  range_header: { description: "Not offered: files are downloaded whole (e.g. 'bytes=0-99' is refused)." },
};

/** What to say about a parameter the registry gave no description (or a terse one). */
export function docOf(name: string, declared?: string): ParamDoc | undefined {
  const generic = !declared || declared === 'Cursor for pagination';
  if (!generic)
    return declared.startsWith("The reference's name") && BY_NAME[name]
      ? { ...BY_NAME[name], description: declared }
      : { description: declared };
  return BY_NAME[name];
}

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const GONG_ID = /^\d{1,20}$/;

/** Whether a value has its format; a problem sentence when not. */
export function formatProblem(path: string, format: ValueFormat, value: unknown): string | undefined {
  switch (format) {
    case 'date-time':
      if (typeof value === 'string' && ISO_DATETIME.test(value) && Number.isFinite(Date.parse(value))) return undefined;
      return `${path} must be an ISO-8601 date-time such as "2026-11-01T00:00:00Z", not ${JSON.stringify(value)} (relative dates like "yesterday" are not accepted)`;
    case 'date':
      if (typeof value === 'string' && DATE.test(value) && Number.isFinite(Date.parse(`${value}T00:00:00Z`))) return undefined;
      return `${path} must be a day as YYYY-MM-DD such as "2026-11-01", not ${JSON.stringify(value)}`;
    case 'id':
      if ((typeof value === 'string' && GONG_ID.test(value)) || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0))
        return undefined;
      return `${path} must be a Gong id (1 to 20 digits), not ${JSON.stringify(value)}`;
    case 'ids':
      if (Array.isArray(value) && value.every((v) => typeof v === 'string' && GONG_ID.test(v))) return undefined;
      return `${path} must be a list of Gong ids (digits), e.g. ["7782342274025937895"], not ${JSON.stringify(value).slice(0, 80)}`;
  }
}

/**
 * Every value whose name has a known format, checked wherever it sits in the arguments (top level
 * or inside filter): a bad date or id is a tool error before any request is sent.
 */
export function checkFormats(tool: string, args: Record<string, unknown>, prefix = ''): void {
  const problems: string[] = [];
  const walk = (value: Record<string, unknown>, at: string) => {
    for (const [name, v] of Object.entries(value)) {
      if (v === undefined || v === null) continue;
      const format = BY_NAME[name]?.format;
      const problem = format ? formatProblem(`${at}${name}`, format, v) : undefined;
      if (problem) problems.push(problem);
      else if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, `${at}${name}.`);
    }
  };
  walk(args, prefix);
  if (problems.length > 0) throw new ToolError(`${tool}: ${problems.join('; ')}`);
}
