import type { SqlExecutor } from '../db/sql-executor.js';
import { objectSchema } from './json-schema.js';
import { ToolError, type McpTool } from './tool.js';
import { isoText } from './copy-reads.js';
import { gongId } from './tool-args.js';

/** Items per list in a brief (key points, outline, next steps): an answer stays small. */
const MAX_ITEMS = 30;

/**
 * call_brief: one call on a page, from the copy (no Gong request): when, who (affiliation, talk
 * time), which account and opportunity, Gong's brief, key points, outcome, trackers, topics,
 * outline and next steps, and the link to the call in Gong.
 */
export function callBriefTool(exec: SqlExecutor, mask: (text: string) => string = (t) => t): McpTool {
  return {
    name: 'call_brief',
    description:
      "One call from the local copy (no Gong request): time, account and opportunity, participants (affiliation, talk time), Gong's brief, key points, outcome, trackers, topics, outline, next steps, link.",
    annotations: { readOnlyHint: true },
    inputSchema: objectSchema({ id: { type: 'string', required: true, description: 'Call id (digits), e.g. "7782342274025937895".' } }),
    async run(args) {
      const id = gongId('call_brief', args, 'id', { required: true })!;
      return callBrief(exec, id, mask);
    },
  };
}

/** `mask`: GONG_REDACT_TEXT's masking, for what quotes the call (action items are said sentences). */
export async function callBrief(exec: SqlExecutor, id: string, mask: (text: string) => string = (t) => t) {
  const db = exec.db;
  const call = await exec.get<Record<string, any>>(
    db
      .selectFrom('calls as c')
      .leftJoin('calls_extensive as ce', 'ce.id', 'c.id')
      .leftJoin('users as u', 'u.id', 'c.primary_user_id')
      .select([
        'c.id',
        'c.title',
        'c.started_utc',
        'c.duration',
        'c.url',
        'c.direction',
        'c.system',
        'c.primary_user_id',
        'ce.brief',
        'ce.call_outcome_name',
        'ce.call_outcome_category',
        'u.first_name',
        'u.last_name',
        'u.email_address',
      ])
      .where('c.id', '=', id),
  );
  if (!call)
    throw new ToolError(
      `call_brief: call ${id} is not in the local copy (find_calls lists stored calls; calls_get with live: true asks Gong)`,
    );
  const all = <T>(q: any) => exec.all<T>(q);
  const [crm, parties, keyPoints, trackers, topics, outline, highlights, actions] = await Promise.all([
    all<{ object_type: string; object_id: string; name: string; value: string | null }>(
      db
        .selectFrom('call_context_fields')
        .select(['object_type', 'object_id', 'name', 'value'])
        .where('call_id', '=', id)
        .where('object_type', 'in', ['Account', 'Opportunity'])
        .orderBy('object_type')
        .orderBy('object_id')
        .orderBy('name'),
    ),
    all<{
      name: string | null;
      email_address: string | null;
      affiliation: string | null;
      title: string | null;
      talk_time: unknown;
      speaker_id: string | null;
    }>(
      db
        .selectFrom('call_parties')
        .select(['name', 'email_address', 'affiliation', 'title', 'talk_time', 'speaker_id'])
        .where('call_id', '=', id)
        .orderBy('affiliation')
        .orderBy('name'),
    ),
    all<{ text: string }>(db.selectFrom('call_key_points').select('text').where('call_id', '=', id).orderBy('seq').limit(MAX_ITEMS)),
    all<{ name: string; count: unknown }>(
      db.selectFrom('call_trackers').select(['name', 'count']).where('call_id', '=', id).where('count', '>', 0).orderBy('count', 'desc'),
    ),
    all<{ name: string; duration: unknown }>(
      db.selectFrom('call_topics').select(['name', 'duration']).where('call_id', '=', id).orderBy('duration', 'desc'),
    ),
    all<{ section: string | null; text: string | null; start_time: unknown }>(
      db
        .selectFrom('call_outline_items')
        .select(['section', 'text', 'start_time'])
        .where('call_id', '=', id)
        .orderBy('section_seq')
        .orderBy('item_seq')
        .limit(MAX_ITEMS),
    ),
    all<{ title: string | null; text: string | null; start_time: unknown }>(
      db.selectFrom('call_highlights').select(['title', 'text', 'start_time']).where('call_id', '=', id).orderBy('seq').limit(MAX_ITEMS),
    ),
    all<{ snippet: string | null; speaker_id: string | null; snippet_start_time: unknown }>(
      db
        .selectFrom('call_action_items')
        .select(['snippet', 'speaker_id', 'snippet_start_time'])
        .where('call_id', '=', id)
        .orderBy('seq')
        .limit(MAX_ITEMS),
    ),
  ]);
  const byObject = new Map<string, { type: string; id: string; fields: Record<string, string | null> }>();
  for (const f of crm) {
    const key = `${f.object_type}/${f.object_id}`;
    if (!byObject.has(key)) byObject.set(key, { type: f.object_type, id: f.object_id, fields: {} });
    byObject.get(key)!.fields[f.name] = f.value;
  }
  const objects = [...byObject.values()];
  const crmOf = (type: string) =>
    objects
      .filter((o) => o.type === type)
      .map((o) => ({ id: o.id, name: o.fields.Name ?? o.fields.name ?? null, ...withoutName(o.fields) }));
  const speakerName = new Map(parties.filter((p) => p.speaker_id).map((p) => [p.speaker_id!, p.name]));
  const duration = Number(call.duration ?? 0) || null;
  return {
    source: 'local',
    id: call.id,
    title: call.title,
    started: isoText(call.started_utc),
    durationSeconds: duration,
    host: call.primary_user_id
      ? {
          id: call.primary_user_id,
          name: [call.first_name, call.last_name].filter(Boolean).join(' ') || null,
          email: call.email_address ?? null,
        }
      : null,
    direction: call.direction ?? null,
    accounts: crmOf('Account'),
    opportunities: crmOf('Opportunity'),
    participants: parties.map((p) => ({
      name: p.name,
      email: p.email_address,
      affiliation: p.affiliation,
      ...(p.title ? { title: p.title } : {}),
      talkSeconds: p.talk_time === null || p.talk_time === undefined ? null : Math.round(Number(p.talk_time)),
      ...(duration && p.talk_time !== null && p.talk_time !== undefined
        ? { talkShare: Math.round((Number(p.talk_time) / duration) * 100) / 100 }
        : {}),
    })),
    brief: call.brief ? mask(call.brief) : null,
    keyPoints: keyPoints.map((k) => (k.text ? mask(k.text) : k.text)),
    outcome:
      call.call_outcome_name || call.call_outcome_category
        ? { name: call.call_outcome_name ?? null, category: call.call_outcome_category ?? null }
        : null,
    trackers: trackers.map((t) => ({ name: t.name, hits: Number(t.count) })),
    topics: topics.map((t) => ({ name: t.name, seconds: t.duration === null ? null : Math.round(Number(t.duration)) })),
    outline: outline.map((o) => ({ section: o.section, item: o.text, second: secondOf(o.start_time) })),
    nextSteps: highlights.map((h) => ({ title: h.title, text: h.text ? mask(h.text) : h.text, second: secondOf(h.start_time) })),
    actionItems: actions.map((a) => ({
      text: a.snippet === null ? null : mask(a.snippet),
      speaker: (a.speaker_id && speakerName.get(a.speaker_id)) ?? null,
      second: secondOf(a.snippet_start_time),
    })),
    link: call.url ?? null,
    more: 'transcript_excerpt {callId} reads what was said; calls_extensive_list with filter.callIds gives the whole record.',
  };
}

function withoutName(fields: Record<string, string | null>): Record<string, string | null> {
  const { Name: _n, name: _m, ...rest } = fields;
  return rest;
}

function secondOf(value: unknown): number | null {
  return value === null || value === undefined ? null : Math.round(Number(value));
}
