import { sql, type Kysely } from 'kysely';
import { dialectOf, type Dialect } from './dialect.js';

// Frozen in time once shipped: never edit a migration that has shipped; add a new one.
//
// calls_extensive.raw keeps only what no typed column holds (streams/calls-extensive-stored.ts):
// the child tables get the order Gong sent their items in (`seq`), trackers the list of their
// phrases (those heard 0 times included), and calls_extensive_json builds each block from the tables
// when raw no longer has it. Rows written before keep the whole record in raw, and the view still
// reads their blocks from there.

/** Tables whose items Gong sends as a list with no position of their own: `seq` is the position. */
const SEQ_TABLES = [
  'call_parties',
  'call_topics',
  'call_structure',
  'call_trackers',
  'call_interaction_stats',
  'call_context_objects',
  'call_context_fields',
  'call_comments',
  'call_video_stats',
  'call_speakers',
];

/** The key raw carries, in a slim record, naming the blocks the tables hold (streams/calls-extensive-stored.ts). */
const IN_TABLES = '~inTables';

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  for (const table of SEQ_TABLES) await db.schema.alterTable(table).addColumn('seq', 'integer').execute();
  await db.schema.alterTable('call_tracker_occurrences').addColumn('phrase_seq', 'integer').execute();
  await db.schema.alterTable('call_tracker_occurrences').addColumn('phrase_item_seq', 'integer').execute();

  await db.schema.alterTable('call_trackers').addColumn('phrases', 'text').execute();

  if (dialect === 'postgres') {
    // A CRM value's text as JSON (see contextValue below); PostgreSQL 15 has no pg_input_is_valid.
    await sql.raw(`create or replace function gong_sync_context_value(value text) returns jsonb language plpgsql immutable as $$
      begin
        if value is null then return null; end if;
        if jsonb_typeof(value::jsonb) <> 'string' then return value::jsonb; end if;
        return to_jsonb(value);
      exception when others then
        return to_jsonb(value);
      end $$`).execute(db);
  }
  // Two levels of the blocks as views of their own: a view nested as deep as the whole block would
  // overflow the parser stack of SQLite before 3.46 (the sqlite3 shell of Debian 12, BI tools),
  // which then refuses to open the database at all.
  await sql.raw(`create view call_tracker_phrase_json as ${trackerPhrases(dialect)}`).execute(db);
  await sql.raw(`create view call_context_object_json as select o.call_id, o.seq, o.system, ${plain(contextObject(dialect))} as object_json from call_context_objects o`).execute(db);
  await sql`drop view if exists calls_extensive_json`.execute(db);
  await sql.raw(`create view calls_extensive_json as select ce.id, ${blockColumns(dialect)} from calls_extensive ce`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // The view of 2026-11-26-0006 reads blocks from raw only: rows written slim would show none.
  await sql`drop view if exists calls_extensive_json`.execute(db);
  await sql`drop view if exists call_context_object_json`.execute(db);
  await sql`drop view if exists call_tracker_phrase_json`.execute(db);
  if (dialectOf(db) === 'postgres') await sql`drop function if exists gong_sync_context_value(text)`.execute(db);
}

/** Each old JSON block column: from raw when raw has the block, else built from the tables. */
function blockColumns(d: Dialect): string {
  const ref = (table: string, alias: string, where = '') => `from ${table} ${alias} where ${alias}.call_id = ce.id${where}`;
  const named = (table: string, valueColumn: string, valueKey: string) =>
    list(d, object(d, [['name', 'x.name'], [valueKey, `x.${valueColumn}`]]), ref(table, 'x'), 'x.seq');
  const hit = (alias: string) => object(d, [['startTime', `${alias}.start_time`], ['speakerId', `${alias}.speaker_id`]]);
  const hits = list(d, hit('o'), 'from call_tracker_occurrences o where o.call_id = t.call_id and o.tracker_id = t.tracker_id', 'o.seq');
  const tracker = object(d, [
    ['id', 't.tracker_id'],
    ['name', 't.name'],
    ['type', 't.type'],
    ['count', 't.count'],
    [
      'occurrences',
      // Present when the tracker lists phrases or has hits (Gong sends both keys, or neither).
      json(`case when t.phrases is not null then ${plain(hits)} else nullif(${plain(hits)}, ${d === 'postgres' ? `'[]'::jsonb` : `'[]'`}) end`),
    ],
    [
      'phrases',
      json(`case when t.phrases is not null then ${plain(list(d, json('p.phrase_json'), 'from call_tracker_phrase_json p where p.call_id = t.call_id and p.tracker_id = t.tracker_id', 'p.seq'))} end`),
    ],
  ]);
  const outlineItem = object(d, [['text', 'i.text'], ['startTime', 'i.start_time']]);
  const outlineSection = object(d, [
    ['section', 'o.section'],
    ['startTime', 'o.section_start_time'],
    ['duration', 'o.section_duration'],
    ['items', list(d, outlineItem, 'from call_outline_items i where i.call_id = o.call_id and i.section_seq = o.section_seq', 'i.item_seq')],
  ]);
  // A highlight section is the run of items with one title (call_highlights numbers items across sections).
  const highlightItem = object(d, [['text', 'i.text'], ['startTimes', json(d === 'postgres' ? 'i.start_times::jsonb' : 'i.start_times')]]);
  const sectionStart = `(h.seq = 0 or not exists (select 1 from call_highlights b where b.call_id = h.call_id and b.seq = h.seq - 1 and b.title is not distinct from h.title))`;
  const sectionEnd = `coalesce((select min(n.seq) from call_highlights n where n.call_id = h.call_id and n.seq > h.seq and n.title is distinct from h.title), 2147483647)`;
  const highlightSection = object(d, [
    ['title', 'h.title'],
    ['items', list(d, highlightItem, `from call_highlights i where i.call_id = h.call_id and i.seq >= h.seq and i.seq < ${sectionEnd}`, 'i.seq')],
  ]);
  const comment = object(d, [
    ['id', 'x.id'],
    ['audioStartTime', 'x.audio_start_time'],
    ['audioEndTime', 'x.audio_end_time'],
    ['commenterUserId', 'x.commenter_user_id'],
    ['comment', 'x.comment'],
    ['posted', 'x.posted'],
    ['inReplyTo', 'x.in_reply_to'],
    ['duringCall', d === 'postgres' ? 'x.during_call' : json("case x.during_call when 1 then 'true' when 0 then 'false' end")],
  ]);
  // A system is the run of objects with one system name, in seq order (as the stream wrote them).
  const systemStart = `not exists (select 1 from call_context_objects b where b.call_id = s.call_id and b.seq = s.seq - 1 and b.system = s.system)`;
  const systemEnd = `coalesce((select min(n.seq) from call_context_objects n where n.call_id = s.call_id and n.seq > s.seq and n.system <> s.system), 2147483647)`;
  const system = object(d, [
    ['system', 's.system'],
    ['objects', list(d, json('o.object_json'), `from call_context_object_json o where o.call_id = s.call_id and o.seq >= s.seq and o.seq < ${systemEnd}`, 'o.seq')],
  ]);
  const built: Record<string, { path: string[]; sql: string }> = {
    outline: { path: ['content', 'outline'], sql: list(d, outlineSection, `${ref('call_outline_items', 'o')} and o.item_seq = 0`, 'o.section_seq') },
    highlights: { path: ['content', 'highlights'], sql: list(d, highlightSection, `${ref('call_highlights', 'h')} and ${sectionStart}`, 'h.seq') },
    key_points: { path: ['content', 'keyPoints'], sql: list(d, object(d, [['text', 'x.text']]), ref('call_key_points', 'x'), 'x.seq') },
    call_outcome: {
      path: ['content', 'callOutcome'],
      sql: object(d, [['id', 'ce.call_outcome_id'], ['category', 'ce.call_outcome_category'], ['name', 'ce.call_outcome_name']]),
    },
    topics: { path: ['content', 'topics'], sql: named('call_topics', 'duration', 'duration') },
    trackers: { path: ['content', 'trackers'], sql: list(d, tracker, ref('call_trackers', 't'), 't.seq') },
    structure: { path: ['content', 'structure'], sql: named('call_structure', 'duration', 'duration') },
    speakers: {
      path: ['interaction', 'speakers'],
      sql: list(d, object(d, [['id', 'x.id'], ['userId', 'x.user_id'], ['talkTime', 'x.talk_time']]), ref('call_speakers', 'x'), 'x.seq'),
    },
    interaction_stats: { path: ['interaction', 'interactionStats'], sql: named('call_interaction_stats', 'value', 'value') },
    video: { path: ['interaction', 'video'], sql: named('call_video_stats', 'duration', 'duration') },
    public_comments: { path: ['collaboration', 'publicComments'], sql: list(d, comment, ref('call_comments', 'x'), 'x.seq') },
    context: { path: ['context'], sql: list(d, system, `${ref('call_context_objects', 's')} and ${systemStart}`, 's.seq') },
  };
  return Object.entries(built)
    .map(([column, { path, sql: fromTables }]) => {
      const asText = d === 'postgres' ? `(${plain(fromTables)})::text` : fromTables;
      return `case when ${inTables(d, column)} then ${plain(asText)} else ${fromRaw(d, path)} end as ${column}`;
    })
    .join(',\n  ');
}

/** Each phrase of each tracker (call_trackers.phrases), with the times it was heard, in Gong's order. */
function trackerPhrases(d: Dialect): string {
  // SQLite: json_each's key is the position, value the phrase; PostgreSQL counts from 1.
  const [seq, text, from] =
    d === 'postgres'
      ? ['(j.n - 1)', 'j.phrase', 'call_trackers t cross join lateral jsonb_array_elements_text(t.phrases::jsonb) with ordinality j(phrase, n)']
      : ['j.key', 'j.value', 'call_trackers t, json_each(t.phrases) j'];
  const hits = `from call_tracker_occurrences o where o.call_id = t.call_id and o.tracker_id = t.tracker_id and o.phrase_seq = ${seq}`;
  const hit = object(d, [['startTime', 'o.start_time'], ['speakerId', 'o.speaker_id']]);
  // One aggregate gives the phrase's hits and their count (a phrase's count is its number of hits).
  const phrase =
    d === 'postgres'
      ? `(select ${plain(object(d, [['phrase', text], ['count', 'count(*)'], ['occurrences', json(`coalesce(jsonb_agg(${plain(hit)} order by o.phrase_item_seq), '[]'::jsonb)`)]]))} ${hits})`
      : `(select ${plain(object(d, [['phrase', text], ['count', 'count(*)'], ['occurrences', json(`'[' || coalesce(group_concat(e, ','), '') || ']'`)]]))} from (select ${plain(hit)} as e ${hits} order by o.phrase_item_seq))`;
  return `select t.call_id, t.tracker_id, ${seq} as seq, ${phrase} as phrase_json from ${from} where t.phrases is not null`;
}

/** One CRM object of a call with its fields, in Gong's order. */
function contextObject(d: Dialect): string {
  const field = object(d, [['name', 'f.name'], ['value', json(contextValue(d, 'f.value'))]]);
  return object(d, [
    ['objectType', 'o.object_type'],
    ['objectId', 'o.object_id'],
    ['fields', list(d, field, 'from call_context_fields f where f.call_id = o.call_id and f.object_type = o.object_type and f.object_id = o.object_id', 'f.seq')],
    ['timing', 'o.timing'],
  ]);
}

/** A block of the record raw holds (as migration 0006 read it). */
function fromRaw(d: Dialect, path: string[]): string {
  return d === 'postgres' ? `(ce.raw::json #>> '{${path.join(',')}}')` : `json_extract(ce.raw, '$.${path.join('.')}')`;
}

/** Whether a slim raw names this block as held by the tables. */
function inTables(d: Dialect, block: string): string {
  return d === 'postgres' ? `coalesce((ce.raw -> '${IN_TABLES}') ? '${block}', false)` : `coalesce(instr(json_extract(ce.raw, '$."${IN_TABLES}"'), '"${block}"') > 0, 0)`;
}

/**
 * Expressions that are JSON already (a list, an object, a CRM value) carry this mark, so object()
 * embeds them as they are and quotes anything else. On SQLite the JSON is built as text by
 * concatenation: json_object() and json_group_array() re-parse every nested level, which made the
 * view several times slower.
 */
const JSON_MARK = '/*json*/ ';
const json = (expression: string) => JSON_MARK + plain(expression);
const isJson = (expression: string) => expression.startsWith(JSON_MARK);
function plain(expression: string): string {
  return isJson(expression) ? expression.slice(JSON_MARK.length) : expression;
}

/** A JSON object of the pairs whose value is not null (Gong leaves out what it has no value for). */
function object(d: Dialect, pairs: Array<[string, string]>): string {
  if (d === 'postgres') return json(`jsonb_strip_nulls(jsonb_build_object(${pairs.map(([key, value]) => `'${key}', ${plain(value)}`).join(', ')}))`);
  const members = pairs.map(([key, value]) =>
    isJson(value) ? `coalesce(',"${key}":' || ${plain(value)}, '')` : `iif(${value} is null, '', ',"${key}":' || json_quote(${value}))`,
  );
  return json(`('{' || substr(${members.join(' || ')}, 2) || '}')`);
}

/** A JSON array of one element per row, in order (an empty array when there is none). */
function list(d: Dialect, element: string, from: string, orderBy: string): string {
  return d === 'postgres'
    ? json(`coalesce((select jsonb_agg(${plain(element)} order by ${orderBy}) ${from}), '[]'::jsonb)`)
    : json(`(select '[' || coalesce(group_concat(e, ','), '') || ']' from (select ${plain(element)} as e ${from} order by ${orderBy}))`);
}

/**
 * A CRM value from its text column (streams/calls-extensive-children.ts contextValue): text that is
 * JSON for something other than a string (a number, a list) is that value; any other text is a string.
 */
function contextValue(d: Dialect, column: string): string {
  return d === 'postgres'
    ? `gong_sync_context_value(${column})`
    : `case when ${column} is null then null when json_valid(${column}) and json_type(${column}) <> 'text' then json(${column}) else json_quote(${column}) end`;
}
