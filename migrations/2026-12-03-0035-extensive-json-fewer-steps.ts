import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.js';

// Frozen in time: never edit a migration that has shipped; add a new one.
//
// SQLite: calls_extensive_json builds the same blocks in fewer steps (10% of the view's time at
// 20,000 calls). A tracker's phrases are built in place, in the order json_each reads them (its
// rowid, which needs no sort), instead of through call_tracker_phrase_json sorted by position; a
// call whose CRM objects all come from one system (the usual case) lists them without looking for
// runs of systems; whether raw names a block is read from raw's first bytes, where the stream
// writes the list; and an object whose first member is never null needs no comma trimmed. The
// columns, their names and their values are those of migration 0032. PostgreSQL keeps its view.
//
// Built by one generator: with fewerSteps false it gives migration 0032's SQLite view, text for
// text, which is what down() restores.

export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  await sql`drop view if exists calls_extensive_json`.execute(db);
  await sql.raw(`create view calls_extensive_json as select ce.id, ${blockColumns(true)} from calls_extensive ce`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  await sql`drop view if exists calls_extensive_json`.execute(db);
  await sql.raw(`create view calls_extensive_json as select ce.id, ${blockColumns(false)} from calls_extensive ce`).execute(db);
}

/** The key raw carries, in a slim record, naming the blocks the tables hold (streams/calls-extensive-stored.ts). */
const IN_TABLES = '~inTables';

/** A member of a JSON object: key, SQL value, and (with fewerSteps) whether the value is never null. */
type Member = [key: string, value: string, neverNull?: boolean];

/** Each old JSON block column: from raw when raw has the block, else built from the tables. */
function blockColumns(fewerSteps: boolean): string {
  const object = (members: Member[]) => jsonObject(members, fewerSteps);
  const ref = (table: string, alias: string, where = '') => `from ${table} ${alias} where ${alias}.call_id = ce.id${where}`;
  const named = (table: string, valueColumn: string, valueKey: string) =>
    list(
      object([
        ['name', 'x.name', true],
        [valueKey, `x.${valueColumn}`],
      ]),
      ref(table, 'x'),
      'x.seq',
    );
  const hit = (alias: string) =>
    object([
      ['startTime', `${alias}.start_time`],
      ['speakerId', `${alias}.speaker_id`],
    ]);
  const hits = list(hit('o'), 'from call_tracker_occurrences o where o.call_id = t.call_id and o.tracker_id = t.tracker_id', 'o.seq');
  const phrases = fewerSteps
    ? plain(list(phraseInPlace(object, hit), 'from json_each(t.phrases) j', 'j.rowid'))
    : plain(list(json('p.phrase_json'), 'from call_tracker_phrase_json p where p.call_id = t.call_id and p.tracker_id = t.tracker_id', 'p.seq'));
  const tracker = object([
    ['id', 't.tracker_id', true],
    ['name', 't.name'],
    ['type', 't.type'],
    ['count', 't.count'],
    // Present when the tracker lists phrases or has hits (Gong sends both keys, or neither).
    ['occurrences', json(`case when t.phrases is not null then ${plain(hits)} else nullif(${plain(hits)}, '[]') end`)],
    ['phrases', json(`case when t.phrases is not null then ${phrases} end`)],
  ]);
  const outlineItem = object([
    ['text', 'i.text'],
    ['startTime', 'i.start_time'],
  ]);
  const outlineSection = object([
    ['section', 'o.section'],
    ['startTime', 'o.section_start_time'],
    ['duration', 'o.section_duration'],
    ['items', list(outlineItem, 'from call_outline_items i where i.call_id = o.call_id and i.section_seq = o.section_seq', 'i.item_seq')],
  ]);
  // A highlight section is the run of items with one title (call_highlights numbers items across sections).
  const highlightItem = object([
    ['text', 'i.text'],
    ['startTimes', json('i.start_times')],
  ]);
  const sectionStart = `(h.seq = 0 or not exists (select 1 from call_highlights b where b.call_id = h.call_id and b.seq = h.seq - 1 and b.title is not distinct from h.title))`;
  const sectionEnd = `coalesce((select min(n.seq) from call_highlights n where n.call_id = h.call_id and n.seq > h.seq and n.title is distinct from h.title), 2147483647)`;
  const highlightSection = object([
    ['title', 'h.title'],
    ['items', list(highlightItem, `from call_highlights i where i.call_id = h.call_id and i.seq >= h.seq and i.seq < ${sectionEnd}`, 'i.seq')],
  ]);
  const comment = object([
    ['id', 'x.id', true],
    ['audioStartTime', 'x.audio_start_time'],
    ['audioEndTime', 'x.audio_end_time'],
    ['commenterUserId', 'x.commenter_user_id'],
    ['comment', 'x.comment'],
    ['posted', 'x.posted'],
    ['inReplyTo', 'x.in_reply_to'],
    ['duringCall', json("case x.during_call when 1 then 'true' when 0 then 'false' end")],
  ]);
  // A system is the run of objects with one system name, in seq order (as the stream wrote them).
  const systemStart = `not exists (select 1 from call_context_objects b where b.call_id = s.call_id and b.seq = s.seq - 1 and b.system = s.system)`;
  const systemEnd = `coalesce((select min(n.seq) from call_context_objects n where n.call_id = s.call_id and n.seq > s.seq and n.system <> s.system), 2147483647)`;
  const system = object([
    ['system', 's.system', true],
    ['objects', list(json('o.object_json'), `from call_context_object_json o where o.call_id = s.call_id and o.seq >= s.seq and o.seq < ${systemEnd}`, 'o.seq')],
  ]);
  const systems = list(system, `${ref('call_context_objects', 's')} and ${systemStart}`, 's.seq');
  // One system name among the call's objects: one system holding them all, in order.
  const oneSystem = list(json('o.object_json'), 'from call_context_object_json o where o.call_id = ce.id', 'o.seq');
  const context = fewerSteps
    ? json(
        `(select case when count(*) = 0 then '[]' when min(x.system) = max(x.system) then '[{"system":' || json_quote(min(x.system)) || ',"objects":' || ${plain(oneSystem)} || '}]' else ${plain(systems)} end from call_context_objects x where x.call_id = ce.id)`,
      )
    : systems;
  const built: Record<string, { path: string[]; sql: string }> = {
    outline: { path: ['content', 'outline'], sql: list(outlineSection, `${ref('call_outline_items', 'o')} and o.item_seq = 0`, 'o.section_seq') },
    highlights: { path: ['content', 'highlights'], sql: list(highlightSection, `${ref('call_highlights', 'h')} and ${sectionStart}`, 'h.seq') },
    key_points: { path: ['content', 'keyPoints'], sql: list(object([['text', 'x.text']]), ref('call_key_points', 'x'), 'x.seq') },
    call_outcome: {
      path: ['content', 'callOutcome'],
      sql: object([
        ['id', 'ce.call_outcome_id'],
        ['category', 'ce.call_outcome_category'],
        ['name', 'ce.call_outcome_name'],
      ]),
    },
    topics: { path: ['content', 'topics'], sql: named('call_topics', 'duration', 'duration') },
    trackers: { path: ['content', 'trackers'], sql: list(tracker, ref('call_trackers', 't'), 't.seq') },
    structure: { path: ['content', 'structure'], sql: named('call_structure', 'duration', 'duration') },
    speakers: {
      path: ['interaction', 'speakers'],
      sql: list(
        object([
          ['id', 'x.id', true],
          ['userId', 'x.user_id'],
          ['talkTime', 'x.talk_time'],
        ]),
        ref('call_speakers', 'x'),
        'x.seq',
      ),
    },
    interaction_stats: { path: ['interaction', 'interactionStats'], sql: named('call_interaction_stats', 'value', 'value') },
    video: { path: ['interaction', 'video'], sql: named('call_video_stats', 'duration', 'duration') },
    public_comments: { path: ['collaboration', 'publicComments'], sql: list(comment, ref('call_comments', 'x'), 'x.seq') },
    context: { path: ['context'], sql: context },
  };
  return Object.entries(built)
    .map(([column, { path, sql: fromTables }]) => `case when ${inTables(column, fewerSteps)} then ${plain(fromTables)} else ${fromRaw(path)} end as ${column}`)
    .join(',\n  ');
}

/**
 * One phrase of tracker t (json_each j over t.phrases: j.key its position, j.value its text), with
 * the times it was heard in Gong's order; a phrase's count is its number of hits.
 */
function phraseInPlace(object: (members: Member[]) => string, hit: (alias: string) => string): string {
  const hits = 'from call_tracker_occurrences o where o.call_id = t.call_id and o.tracker_id = t.tracker_id and o.phrase_seq = j.key';
  return json(
    `(select ${plain(
      object([
        ['phrase', 'j.value'],
        ['count', 'count(*)'],
        ['occurrences', json(`'[' || coalesce(group_concat(e, ','), '') || ']'`)],
      ]),
    )} from (select ${plain(hit('o'))} as e ${hits} order by o.phrase_item_seq))`,
  );
}

/** A block of the record raw holds (as migration 0006 read it). */
function fromRaw(path: string[]): string {
  return `json_extract(ce.raw, '$.${path.join('.')}')`;
}

/**
 * Whether a slim raw names this block as held by the tables. The stream writes the list first
 * (`{"~inTables":["metaData",...]`), so with fewerSteps a block's quoted name before the list's
 * closing bracket answers without parsing raw; any other raw is parsed.
 */
function inTables(block: string, fewerSteps: boolean): string {
  const parsed = `coalesce(instr(json_extract(ce.raw, '$."${IN_TABLES}"'), '"${block}"') > 0, 0)`;
  if (!fewerSteps) return parsed;
  const head = `{"${IN_TABLES}":[`;
  return `(case when substr(ce.raw, 1, ${head.length}) = '${head}' then instr(ce.raw, '"${block}"') between ${head.length + 1} and instr(ce.raw, ']') else ${parsed} end)`;
}

/**
 * Expressions that are JSON already (a list, an object, a CRM value) carry this mark, so an object
 * embeds them as they are and quotes anything else. The JSON is built as text by concatenation:
 * json_object() and json_group_array() re-parse every nested level, which made the view several
 * times slower.
 */
const JSON_MARK = '/*json*/ ';
const json = (expression: string) => JSON_MARK + plain(expression);
const isJson = (expression: string) => expression.startsWith(JSON_MARK);
function plain(expression: string): string {
  return isJson(expression) ? expression.slice(JSON_MARK.length) : expression;
}

/**
 * A JSON object of the members whose value is not null (Gong leaves out what it has no value for).
 * Each member is written with a leading comma and the first one trimmed; with fewerSteps, an object
 * whose first member is never null is written without one.
 */
function jsonObject(members: Member[], fewerSteps: boolean): string {
  const firstNeverNull = fewerSteps && members[0]![2] === true;
  const parts = members.map(([key, value, neverNull], i) => {
    const comma = firstNeverNull && i === 0 ? '' : ',';
    if (firstNeverNull && neverNull) return isJson(value) ? `'${comma}"${key}":' || ${plain(value)}` : `'${comma}"${key}":' || json_quote(${value})`;
    return isJson(value) ? `coalesce('${comma}"${key}":' || ${plain(value)}, '')` : `iif(${value} is null, '', '${comma}"${key}":' || json_quote(${value}))`;
  });
  return firstNeverNull ? json(`('{' || ${parts.join(' || ')} || '}')`) : json(`('{' || substr(${parts.join(' || ')}, 2) || '}')`);
}

/** A JSON array of one element per row, in order (an empty array when there is none). */
function list(element: string, from: string, orderBy: string): string {
  return json(`(select '[' || coalesce(group_concat(e, ','), '') || ']' from (select ${plain(element)} as e ${from} order by ${orderBy}))`);
}
