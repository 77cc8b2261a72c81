/**
 * The nested blocks of an extensive call as child tables with typed columns (Fivetran's grain):
 * topics, trackers and each tracker occurrence, interaction stats, CRM context, comments, key
 * points, highlights, outline, video stats, action items. Each table is replaced as a set when its
 * call is re-read, so a shorter list leaves no stale rows. `seq` keeps Gong's order within the call
 * (0, 1, ...), so the record can be given back exactly from these rows (calls-extensive-stored.ts).
 */
import type { Row, TableSpec } from './types.js';
import { asArray, asObject, bool, idText, integer, jsonText, real, text, utcIso } from './mapping.js';

const childOf = (name: string, primaryKey: string[]): TableSpec => ({
  name,
  primaryKey,
  replaceChildrenOf: { table: 'calls_extensive', parentColumn: 'id', column: 'call_id' },
});

export const EXTENSIVE_CHILD_TABLES: TableSpec[] = [
  childOf('call_topics', ['call_id', 'name']),
  childOf('call_structure', ['call_id', 'name']),
  childOf('call_trackers', ['call_id', 'tracker_id']),
  childOf('call_tracker_occurrences', ['call_id', 'tracker_id', 'seq']),
  childOf('call_interaction_stats', ['call_id', 'name']),
  childOf('call_context_objects', ['call_id', 'system', 'object_type', 'object_id']),
  childOf('call_context_fields', ['call_id', 'object_type', 'object_id', 'name']),
  childOf('call_party_context_fields', ['call_id', 'party_id', 'object_type', 'object_id', 'name']),
  childOf('call_comments', ['call_id', 'id']),
  childOf('call_key_points', ['call_id', 'seq']),
  childOf('call_highlights', ['call_id', 'seq']),
  childOf('call_outline_items', ['call_id', 'section_seq', 'item_seq']),
  childOf('call_video_stats', ['call_id', 'name']),
  childOf('call_speakers', ['call_id', 'id']),
  childOf('call_action_items', ['call_id', 'seq']),
];

/**
 * CRM values arrive as strings, numbers, booleans, lists or null (the spec says "object"): scalars
 * as their text, anything else as JSON, so a plain comparison works for the common case.
 */
export function contextValue(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Rows of every child table for one call; keys missing from the call simply give no rows. */
export function extensiveChildRows(callId: string, call: Record<string, any>): Record<string, Row[]> {
  const content = asObject(call.content);
  const interaction = asObject(call.interaction);
  const byName = (list: unknown, value: (item: any) => Row) =>
    uniqueBy(
      asArray(list).filter((item) => text(item?.name)),
      (item) => String(item.name),
    ).map((item, seq) => ({ call_id: callId, name: String(item.name), seq, ...value(item) }));
  return {
    call_topics: byName(content.topics, (t) => ({ duration: real(t.duration) })),
    call_structure: byName(content.structure, (s) => ({ duration: real(s.duration) })),
    call_interaction_stats: byName(interaction.interactionStats, (s) => ({ value: real(s.value) })),
    call_video_stats: byName(interaction.video, (v) => ({ duration: real(v.duration) })),
    // Gong's speakers: `id` is the participant's id (parties[].id), so talk time joins call_parties on it.
    call_speakers: uniqueBy(
      asArray(interaction.speakers).filter((s) => idText(s?.id)),
      (s) => idText(s.id),
    ).map((s, seq) => ({
      call_id: callId,
      id: idText(s.id),
      seq,
      user_id: idText(s.userId),
      talk_time: real(s.talkTime),
    })),
    call_trackers: trackerRows(callId, content.trackers),
    call_tracker_occurrences: trackerOccurrenceRows(callId, content.trackers),
    ...contextRows(callId, call.context),
    call_party_context_fields: partyContextRows(callId, call.parties),
    call_comments: commentRows(callId, asObject(call.collaboration).publicComments),
    call_key_points: asArray(content.keyPoints).map((k, seq) => ({ call_id: callId, seq, text: text(k?.text) })),
    call_highlights: highlightRows(callId, content.highlights),
    call_outline_items: outlineRows(callId, content.outline),
    call_action_items: asArray(asObject(content.pointsOfInterest).actionItems).map((a, seq) => ({
      call_id: callId,
      seq,
      speaker_id: idText(a?.speakerID ?? a?.speakerId),
      snippet: text(a?.snippet),
      snippet_start_time: real(a?.snippetStartTime),
      snippet_end_time: real(a?.snippetEndTime),
    })),
  };
}

function trackerKey(tracker: any): string | null {
  return idText(tracker?.id) ?? text(tracker?.name);
}

function trackerRows(callId: string, trackers: unknown): Row[] {
  return uniqueBy(asArray(trackers).filter(trackerKey), trackerKey).map((t, seq) => ({
    call_id: callId,
    tracker_id: trackerKey(t),
    seq,
    name: text(t.name),
    type: text(t.type),
    count: integer(t.count),
    // The phrases it listens for, in Gong's order (those heard 0 times too): a phrase's hits are
    // the occurrences whose phrase_seq is its position here.
    phrases: Array.isArray(t.phrases) ? jsonText(t.phrases.map((p: any) => text(p?.phrase))) : null,
  }));
}

/**
 * One row per time a tracker fired. Gong lists them per phrase (`phrases[].occurrences`, with the
 * phrase) and for the whole tracker (`occurrences`); phrases win when present, since they say what
 * was said. Ordered by time, numbered from 0; `phrase_seq` and `phrase_item_seq` say where the hit
 * stands in its phrase's list (the phrase's position in call_trackers.phrases, then Gong's order).
 */
function trackerOccurrenceRows(callId: string, trackers: unknown): Row[] {
  const rows: Row[] = [];
  for (const tracker of uniqueBy(asArray(trackers).filter(trackerKey), trackerKey)) {
    const byPhrase = asArray(tracker.phrases).flatMap((p, phraseSeq) =>
      asArray(p?.occurrences).map((o, itemSeq) => ({ phrase: text(p?.phrase), phraseSeq, itemSeq, o })),
    );
    const hits =
      byPhrase.length > 0 ? byPhrase : asArray(tracker.occurrences).map((o) => ({ phrase: null, phraseSeq: null, itemSeq: null, o }));
    hits
      .map(({ phrase, phraseSeq, itemSeq, o }) => ({
        phrase,
        speaker_id: idText(o?.speakerId),
        start_time: real(o?.startTime),
        phrase_seq: phraseSeq,
        phrase_item_seq: itemSeq,
      }))
      .sort((a, b) => (a.start_time ?? Infinity) - (b.start_time ?? Infinity))
      .forEach((hit, seq) => rows.push({ call_id: callId, tracker_id: trackerKey(tracker), seq, ...hit }));
  }
  return rows;
}

function contextRows(callId: string, context: unknown): { call_context_objects: Row[]; call_context_fields: Row[] } {
  const objects: Row[] = [];
  const fields: Row[] = [];
  for (const system of asArray(context)) {
    for (const object of asArray(system?.objects)) {
      const objectType = text(object?.objectType);
      const objectId = idText(object?.objectId);
      if (!objectType || !objectId) continue;
      objects.push({
        call_id: callId,
        seq: objects.length,
        system: text(system?.system) ?? '',
        object_type: objectType,
        object_id: objectId,
        timing: text(object?.timing),
      });
      for (const [seq, field] of asArray(object?.fields).entries()) {
        if (!text(field?.name)) continue;
        fields.push({
          call_id: callId,
          object_type: objectType,
          object_id: objectId,
          name: String(field.name),
          seq,
          value: contextValue(field.value),
        });
      }
    }
  }
  return {
    call_context_objects: uniqueBy(objects, (o) => `${o.system}|${o.object_type}|${o.object_id}`),
    call_context_fields: uniqueBy(fields, (f) => `${f.object_type}|${f.object_id}|${f.name}`),
  };
}

function partyContextRows(callId: string, parties: unknown): Row[] {
  const rows: Row[] = [];
  for (const party of asArray(parties)) {
    const partyId = idText(party?.id);
    if (!partyId) continue;
    for (const system of asArray(party?.context)) {
      for (const object of asArray(system?.objects)) {
        const objectType = text(object?.objectType);
        const objectId = idText(object?.objectId);
        if (!objectType || !objectId) continue;
        for (const field of asArray(object?.fields)) {
          if (!text(field?.name)) continue;
          rows.push({
            call_id: callId,
            party_id: partyId,
            system: text(system?.system),
            object_type: objectType,
            object_id: objectId,
            timing: text(object?.timing),
            name: String(field.name),
            value: contextValue(field.value),
          });
        }
      }
    }
  }
  return uniqueBy(rows, (r) => `${r.party_id}|${r.object_type}|${r.object_id}|${r.name}`);
}

function commentRows(callId: string, comments: unknown): Row[] {
  return uniqueBy(
    asArray(comments).filter((c) => idText(c?.id)),
    (c) => idText(c.id)!,
  ).map((c, seq) => ({
    call_id: callId,
    id: idText(c.id),
    seq,
    commenter_user_id: idText(c.commenterUserId),
    comment: text(c.comment),
    posted: text(c.posted),
    posted_utc: utcIso(c.posted),
    audio_start_time: real(c.audioStartTime),
    audio_end_time: real(c.audioEndTime),
    in_reply_to: idText(c.inReplyTo),
    during_call: bool(c.duringCall),
  }));
}

function highlightRows(callId: string, highlights: unknown): Row[] {
  const rows: Row[] = [];
  for (const section of asArray(highlights)) {
    for (const item of asArray(section?.items)) {
      const startTimes = asArray(item?.startTimes)
        .map(real)
        .filter((t): t is number => t !== null);
      rows.push({
        call_id: callId,
        seq: rows.length,
        title: text(section?.title),
        text: text(item?.text),
        start_time: startTimes[0] ?? null,
        start_times: startTimes.length > 0 ? jsonText(startTimes) : null,
      });
    }
  }
  return rows;
}

function outlineRows(callId: string, outline: unknown): Row[] {
  return asArray(outline).flatMap((section, sectionSeq) =>
    asArray(section?.items).map((item, itemSeq) => ({
      call_id: callId,
      section_seq: sectionSeq,
      item_seq: itemSeq,
      section: text(section?.section),
      section_start_time: real(section?.startTime),
      section_duration: real(section?.duration),
      text: text(item?.text),
      start_time: real(item?.startTime),
    })),
  );
}

/** Gong should not repeat a key within one call; if it does, the first wins (a primary key holds). */
function uniqueBy<T>(items: T[], key: (item: T) => string | null): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item) ?? '';
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
