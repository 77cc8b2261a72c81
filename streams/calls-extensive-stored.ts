/**
 * Stored once: `calls_extensive.raw` keeps only what no typed column or child table holds. Each
 * block of the record (parties, topics, trackers, ...) that its rows give back exactly is left out
 * of raw and named in raw's `~inTables` list; a block they cannot give back exactly (a field Gong
 * added, an explicit null, a fractional count) stays in raw as Gong sent it. storedOnce() checks
 * the whole record again as it is written, so a stored record is never lossy.
 *
 * The same builders run at write time (on the rows toRows just made) and at read time (on the rows
 * read back, from SQLite or PostgreSQL); migration 2026-12-03-0032 builds the same blocks in SQL
 * for the view calls_extensive_json.
 */
import { isDeepStrictEqual } from 'node:util';
import { parseJsonLossless } from '../src/gong/json.js';
import type { Row } from './types.js';

/** The key of a slim raw naming the blocks held by the tables (a full record never has it). */
export const IN_TABLES = '~inTables';
/** Where a record that itself carries IN_TABLES is kept whole (never seen from Gong; kept exact anyway). */
const WHOLE = '~record';

/** The rows of one call that hold its blocks, as written or as read back from either database. */
export interface ExtensiveRows {
  /** calls.raw of the call: the very metaData record (text, or parsed JSON on PostgreSQL). */
  callRaw: unknown;
  /** The calls_extensive row (brief, call outcome, question counts). */
  extensive: Row;
  /** call_parties and the child tables of streams/calls-extensive-children.ts, by table name. */
  children: Record<string, Row[] | undefined>;
}

interface Block {
  name: string;
  path: string[];
  build(rows: ExtensiveRows): unknown;
}

/**
 * Why metaData comes from `calls`: it is the very record GET /v2/calls gives, and this stream writes
 * the calls row from it in the same transaction. A later `calls` sync rewrites that row only with
 * Gong's newer copy of the same record, which is what Gong would now put in metaData too; so the
 * record given back is never older than the calls table beside it. If the row is missing or holds
 * another shape, metaData simply stays in raw (the check at write time decides).
 */
const BLOCKS: Block[] = [
  { name: 'metaData', path: ['metaData'], build: (r) => (r.callRaw === null || r.callRaw === undefined ? undefined : json(r.callRaw)) },
  { name: 'parties', path: ['parties'], build: (r) => rowsOf(r, 'call_parties').map(party) },
  { name: 'context', path: ['context'], build: contextBlock },
  { name: 'topics', path: ['content', 'topics'], build: (r) => named(r, 'call_topics', 'duration', 'duration') },
  { name: 'structure', path: ['content', 'structure'], build: (r) => named(r, 'call_structure', 'duration', 'duration') },
  { name: 'trackers', path: ['content', 'trackers'], build: trackersBlock },
  { name: 'brief', path: ['content', 'brief'], build: (r) => value(r.extensive.brief) },
  { name: 'outline', path: ['content', 'outline'], build: outlineBlock },
  { name: 'highlights', path: ['content', 'highlights'], build: highlightsBlock },
  {
    name: 'points_of_interest',
    path: ['content', 'pointsOfInterest'],
    build: (r) => ({
      actionItems: rowsOf(r, 'call_action_items').map((a) =>
        present({
          snippetStartTime: a.snippet_start_time,
          snippetEndTime: a.snippet_end_time,
          speakerID: a.speaker_id,
          snippet: a.snippet,
        }),
      ),
    }),
  },
  { name: 'key_points', path: ['content', 'keyPoints'], build: (r) => rowsOf(r, 'call_key_points').map((k) => present({ text: k.text })) },
  {
    name: 'call_outcome',
    path: ['content', 'callOutcome'],
    build: ({ extensive: e }) => present({ id: e.call_outcome_id, category: e.call_outcome_category, name: e.call_outcome_name }),
  },
  {
    name: 'speakers',
    path: ['interaction', 'speakers'],
    build: (r) => rowsOf(r, 'call_speakers').map((s) => present({ id: s.id, userId: s.user_id, talkTime: s.talk_time })),
  },
  {
    name: 'interaction_stats',
    path: ['interaction', 'interactionStats'],
    build: (r) => named(r, 'call_interaction_stats', 'value', 'value'),
  },
  {
    name: 'questions',
    path: ['interaction', 'questions'],
    build: ({ extensive: e }) => present({ companyCount: e.questions_company_count, nonCompanyCount: e.questions_non_company_count }),
  },
  { name: 'video', path: ['interaction', 'video'], build: (r) => named(r, 'call_video_stats', 'duration', 'duration') },
  { name: 'public_comments', path: ['collaboration', 'publicComments'], build: commentsBlock },
];

/** The call without the blocks its rows give back exactly; those are named in IN_TABLES. */
export function slimExtensiveCall(call: Record<string, any>, rows: ExtensiveRows): Record<string, unknown> {
  if (IN_TABLES in call) return { [IN_TABLES]: [], [WHOLE]: call };
  const slim: Record<string, any> = structuredClone(call);
  const inTables: string[] = [];
  for (const block of BLOCKS) {
    const container = containerOf(slim, block.path);
    const key = block.path[block.path.length - 1]!;
    if (!container || !(key in container)) continue;
    let built: unknown;
    try {
      built = block.build(rows);
    } catch {
      continue;
    }
    if (built === undefined || !isDeepStrictEqual(built, container[key])) continue;
    delete container[key];
    inTables.push(block.name);
    // A container (content, interaction, collaboration) left empty comes back with its blocks.
    if (block.path.length > 1 && Object.keys(container).length === 0) delete slim[block.path[0]!];
  }
  return { [IN_TABLES]: inTables, ...slim };
}

/** Gong's record from raw and the call's rows; a raw holding the whole record (older rows) is that record. */
export function restoreExtensiveCall(stored: unknown, rows: ExtensiveRows): unknown {
  const slim = json(stored);
  if (slim === null || typeof slim !== 'object' || !Array.isArray(slim[IN_TABLES])) return slim;
  if (WHOLE in slim) return slim[WHOLE];
  const { [IN_TABLES]: inTables, ...record } = slim as Record<string, any>;
  for (const block of BLOCKS) {
    if (!inTables.includes(block.name)) continue;
    const built = block.build(rows);
    if (built === undefined) continue;
    let container: Record<string, any> = record;
    for (const key of block.path.slice(0, -1)) container = container[key] ??= {};
    container[block.path[block.path.length - 1]!] = built;
  }
  return record;
}

function containerOf(record: Record<string, any>, path: string[]): Record<string, any> | undefined {
  let container: any = record;
  for (const key of path.slice(0, -1)) {
    container = container?.[key];
    if (container === null || typeof container !== 'object' || Array.isArray(container)) return undefined;
  }
  return container;
}

// ---- from rows back to Gong's shapes (nulls left out, as Gong leaves them out) -----------------

/** A column's value as the record had it: null is "not sent"; numbers as numbers (PostgreSQL may give text). */
function value(v: unknown): unknown {
  return v === null || v === undefined ? undefined : v;
}

function present(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(object)) if (v !== null && v !== undefined) out[key] = v;
  return out;
}

/** JSON as stored: text (SQLite, and the rows being written) or already parsed (PostgreSQL's jsonb). */
function json(v: unknown): any {
  return typeof v === 'string' ? parseJsonLossless(v) : v;
}

const num = (v: unknown) => (v === null || v === undefined ? undefined : Number(v));

/** A flag as SQLite (0/1) or PostgreSQL (boolean) gives it back. */
const flag = (v: unknown) => (v === null || v === undefined ? undefined : v === true || v === 1 || v === '1' || v === 't');

/** One table's rows for the call, in Gong's order (`seq`). */
function rowsOf(r: ExtensiveRows, table: string, order: (row: Row) => number[] = (row) => [num(row.seq) ?? -1]): Row[] {
  return [...(r.children[table] ?? [])].sort((a, b) => compare(order(a), order(b)));
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function named(r: ExtensiveRows, table: string, column: string, key: string): unknown[] {
  return rowsOf(r, table).map((row) => present({ name: row.name, [key]: num(row[column]) }));
}

function party(p: Row): Record<string, unknown> {
  return present({
    id: p.id,
    emailAddress: p.email_address,
    name: p.name,
    title: p.title,
    userId: p.user_id,
    speakerId: p.speaker_id,
    affiliation: p.affiliation,
    methods: p.methods === null || p.methods === undefined ? undefined : json(p.methods),
    phoneNumber: p.phone_number,
    context: p.context === null || p.context === undefined ? undefined : json(p.context),
  });
}

function trackersBlock(r: ExtensiveRows): unknown[] {
  const occurrences = rowsOf(r, 'call_tracker_occurrences');
  const hit = (o: Row) => present({ startTime: num(o.start_time), speakerId: o.speaker_id });
  return rowsOf(r, 'call_trackers').map((t) => {
    const own = occurrences.filter((o) => o.tracker_id === t.tracker_id);
    const phrases: unknown[] | undefined = t.phrases === null || t.phrases === undefined ? undefined : json(t.phrases);
    const tracker = present({ id: t.tracker_id, name: t.name, type: t.type, count: num(t.count) });
    if (own.length === 0 && phrases === undefined) return tracker;
    return {
      ...tracker,
      occurrences: own.map(hit),
      ...(phrases !== undefined
        ? {
            // A phrase's count is how many hits it has: when Gong's differs, the block stays in raw.
            phrases: phrases.map((phrase, seq) => {
              const hits = own.filter((o) => o.phrase_seq !== null && num(o.phrase_seq) === seq);
              return present({
                phrase,
                count: hits.length,
                occurrences: hits.sort((a, b) => num(a.phrase_item_seq)! - num(b.phrase_item_seq)!).map(hit),
              });
            }),
          }
        : {}),
    };
  });
}

function outlineBlock(r: ExtensiveRows): unknown[] {
  const sections: Array<Record<string, any>> = [];
  let current: number | undefined;
  for (const item of rowsOf(r, 'call_outline_items', (row) => [num(row.section_seq)!, num(row.item_seq)!])) {
    if (num(item.section_seq) !== current) {
      current = num(item.section_seq);
      sections.push({
        ...present({ section: item.section, startTime: num(item.section_start_time), duration: num(item.section_duration) }),
        items: [],
      });
    }
    sections[sections.length - 1]!.items.push(present({ text: item.text, startTime: num(item.start_time) }));
  }
  return sections;
}

/** call_highlights numbers items across sections: a section is the run of items under one title. */
function highlightsBlock(r: ExtensiveRows): unknown[] {
  const sections: Array<{ title: unknown; items: unknown[] }> = [];
  for (const item of rowsOf(r, 'call_highlights')) {
    const last = sections[sections.length - 1];
    const title = value(item.title);
    const section = last && last.title === title ? last : (sections.push({ title, items: [] }), sections[sections.length - 1]!);
    section.items.push(present({ text: item.text, startTimes: item.start_times === null ? undefined : json(item.start_times) }));
  }
  return sections.map((s) => present(s));
}

function commentsBlock(r: ExtensiveRows): unknown[] {
  return rowsOf(r, 'call_comments').map((c) =>
    present({
      id: c.id,
      audioStartTime: num(c.audio_start_time),
      audioEndTime: num(c.audio_end_time),
      commenterUserId: c.commenter_user_id,
      comment: c.comment,
      posted: c.posted,
      inReplyTo: c.in_reply_to,
      duringCall: flag(c.during_call),
    }),
  );
}

/** Systems are runs of objects with one system name; each object's fields in Gong's order. */
function contextBlock(r: ExtensiveRows): unknown[] {
  const fields = rowsOf(r, 'call_context_fields');
  const systems: Array<{ system: unknown; objects: unknown[] }> = [];
  for (const o of rowsOf(r, 'call_context_objects')) {
    const last = systems[systems.length - 1];
    const system =
      last && last.system === o.system ? last : (systems.push({ system: o.system, objects: [] }), systems[systems.length - 1]!);
    system.objects.push(
      present({
        objectType: o.object_type,
        objectId: o.object_id,
        fields: fields
          .filter((f) => f.object_type === o.object_type && f.object_id === o.object_id)
          .map((f) => present({ name: f.name, value: contextValue(f.value) })),
        timing: o.timing,
      }),
    );
  }
  return systems;
}

/** The inverse of calls-extensive-children.ts contextValue: JSON for a non-string (a number, a list) is that value. */
function contextValue(text: unknown): unknown {
  if (typeof text !== 'string') return value(text);
  try {
    const parsed = parseJsonLossless(text);
    return typeof parsed === 'string' ? text : parsed;
  } catch {
    return text;
  }
}
