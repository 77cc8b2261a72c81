/**
 * The two shapes the simulator answers in. `gong` (the default) follows Gong's own OpenAPI spec
 * (V2): what a real tenant sends. `reference` follows the connector reference's documentation,
 * where it differs (see the last table of reference/GONG-API.md). The account's data is the same;
 * only its rendering differs.
 */
import type { SimCall, SimUser, SimulatedAccount } from './dataset.js';
import { Random, hashString } from './random.js';

export type SimulatorShapes = 'gong' | 'reference';

export const SHAPES_ENV = 'GONG_SIMULATOR_SHAPES';

/** The shapes named by GONG_SIMULATOR_SHAPES, or Gong's when unset. */
export function shapesFromEnv(env: NodeJS.ProcessEnv = process.env): SimulatorShapes {
  const value = env[SHAPES_ENV]?.trim().toLowerCase();
  if (!value || value === 'gong') return 'gong';
  if (value === 'reference') return 'reference';
  throw new Error(`${SHAPES_ENV} must be "gong" or "reference", not "${env[SHAPES_ENV]}"`);
}

/** Ids Gong sends as bare int64 JSON numbers (answered scorecards and scorecard settings). */
export const ANSWERED_SCORECARD_NUMERIC_IDS = [
  'answeredScorecardId',
  'scorecardId',
  'callId',
  'reviewedUserId',
  'reviewerUserId',
  'editorUserId',
  'questionId',
  'questionRevisionId',
];
export const SCORECARD_SETTING_NUMERIC_IDS = ['scorecardId', 'workspaceId', 'updaterUserId', 'questionId', 'questionRevisionId'];

/**
 * JSON text of an answer. In Gong's shapes, properties whose value is null are left out (the spec
 * types them as plain strings, numbers or booleans), and the named id fields become bare numbers,
 * digits intact, larger than a double holds exactly.
 */
export function answerText(body: unknown, shapes: SimulatorShapes, bareIds: string[] = []): string {
  if (shapes === 'reference') return JSON.stringify(body);
  let text = JSON.stringify(body, function (this: unknown, key, value) {
    return value === null && key !== '' && !Array.isArray(this) ? undefined : value;
  });
  if (bareIds.length > 0) text = text.replace(new RegExp(`"(${bareIds.join('|')})":"(\\d+)"`, 'g'), '"$1":$2');
  return text;
}

/** A record as a simulator in these shapes sends it (ids stay strings), for comparing with what was stored. */
export function asSent<T>(record: T, shapes: SimulatorShapes): T {
  return JSON.parse(answerText(record, shapes));
}

/** An answered scorecard: Gong's spec lists no overallScore, answeredDateTime, visibility or answer (its 2026 copy adds reviewMethod and editorUserId). */
export function answeredScorecard(record: Record<string, any>, shapes: SimulatorShapes): Record<string, unknown> {
  if (shapes === 'reference') return record;
  const { overallScore: _o, answeredDateTime: _a, visibility: _v, ...rest } = record;
  return { ...rest, answers: (record.answers as Array<Record<string, unknown>>).map(({ answer: _answer, ...answer }) => answer) };
}

/** A scorecard definition: Gong sends ranges as integers and options as `{id, text}`. */
export function scorecardSetting(setting: Record<string, any>, shapes: SimulatorShapes): Record<string, unknown> {
  if (shapes === 'reference') return setting;
  return {
    ...setting,
    questions: (setting.questions as Array<Record<string, any>>).map((q) => ({
      ...q,
      minRange: q.minRange === null ? null : Number(q.minRange),
      maxRange: q.maxRange === null ? null : Number(q.maxRange),
      answerOptions: (q.answerOptions as Array<{ optionId: string; optionText: string }>).map((o) => ({
        id: Number(o.optionId),
        text: o.optionText,
      })),
    })),
  };
}

/** A keyword tracker: Gong sends saidAtInterval as an integer and adds saidInCallParts. */
export function tracker(record: Record<string, any>, shapes: SimulatorShapes): Record<string, unknown> {
  const { saidInCallParts, ...rest } = record;
  if (shapes === 'gong') return { ...rest, saidInCallParts };
  return { ...rest, saidAtInterval: rest.saidAtInterval === null ? null : String(rest.saidAtInterval) };
}

/** The fields of one library folder entry that Gong's shape adds, derived from the ids (and which clip of the call it is). */
export function folderEntry(folderId: string, call: SimCall, users: SimUser[], clip = 0) {
  const random = new Random(hashString(`f|${folderId}|${call.record.id}${clip > 0 ? `|${clip}` : ''}`));
  const fromSec = random.int(0, Math.max(0, call.record.duration - 60));
  return {
    id: call.record.id,
    title: call.record.title,
    note: random.chance(0.6) ? random.pick(['Great discovery questions', 'Handles the pricing objection', 'Clear next steps']) : null,
    addedBy: random.pick(users).id,
    created: new Date(call.startedMs + random.int(1, 30) * 86_400_000).toISOString(),
    url: call.record.url,
    snippet: random.chance(0.5) ? { fromSec, toSec: fromSec + random.int(10, 60) } : null,
  };
}

/**
 * Coaching metric names are not enumerated by Gong's spec; the simulator sends the reference's
 * five and one more, each as the list of the report's call ids it counts.
 */
export const COACHING_METRIC_NAMES = [
  'callsListened',
  'callsAttended',
  'callsWithFeedback',
  'callsWithComments',
  'scorecardsFilled',
  'callsCoachedLive',
];

function coachingUser(user: SimUser) {
  return { id: user.id, emailAddress: user.emailAddress, firstName: user.firstName, lastName: user.lastName, title: user.title };
}

/** Gong's coaching: one item for the manager, with each direct report's metrics as call-id lists. */
export function gongCoaching(account: SimulatedAccount, managerId: string, from: string, to: string) {
  const manager = account.users.find((u) => u.id === managerId);
  if (!manager) return [];
  const reports = account.users.filter((u) => u.managerId === managerId);
  if (reports.length === 0) return [];
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const inRange = account.calls.filter((c) => c.visible && c.startedMs >= fromMs && c.startedMs < toMs);
  return [
    {
      manager: coachingUser(manager),
      directReportsMetrics: reports.map((report) => {
        const own = inRange.filter((c) => c.record.primaryUserId === report.id).map((c) => c.record.id);
        const r = new Random(hashString(`c|${managerId}|${report.id}|${from}|${to}`));
        const metrics = Object.fromEntries(COACHING_METRIC_NAMES.map((name) => [name, own.filter(() => r.chance(0.4))]));
        return { report: coachingUser(report), metrics };
      }),
    },
  ];
}

/** Each id of a folder with the number of times it came before: 0 for a call's first clip, 1 for its second. */
export function clipsOf(callIds: string[]): Array<{ id: string; clip: number }> {
  const seen = new Map<string, number>();
  return callIds.map((id) => {
    const clip = seen.get(id) ?? 0;
    seen.set(id, clip + 1);
    return { id, clip };
  });
}
