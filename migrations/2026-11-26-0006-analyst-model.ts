import { sql, type Kysely } from 'kysely';
import { asReal, bytewise, columnType, dialectOf, listOf, weekStart, type Dialect } from './dialect.js';

// Frozen in time: never edit a migration that has shipped; add a new one.
//
// Every documented field queryable without JSON functions: the nested blocks of extensive calls,
// users' aliases, languages and settings, trackers' keywords and scorecards' answer options as
// typed child tables; UTC copies of Gong's offset timestamps, so they compare and group correctly.

type ColumnType = 'text' | 'integer' | 'real';
type Columns = Array<[name: string, type: ColumnType]>;

async function createChildTable(db: Kysely<any>, name: string, primaryKey: Array<[string, ColumnType]>, columns: Columns) {
  const dialect = dialectOf(db);
  let builder = db.schema.createTable(name);
  // On SQLite a table keyed by its primary key alone stores each row once (no rowid plus index).
  if (dialect === 'sqlite') builder = builder.modifyEnd(sql`without rowid`);
  for (const [column, type] of primaryKey) builder = builder.addColumn(column, columnType(dialect, type), (c) => c.notNull());
  for (const [column, type] of columns) builder = builder.addColumn(column, columnType(dialect, type));
  builder = builder.addColumn('synced_at', 'text', (c) => c.notNull());
  await builder.addPrimaryKeyConstraint(`${name}_pk`, primaryKey.map(([c]) => c) as never[]).execute();
}

/** Offset timestamps as UTC ISO-8601 with milliseconds, the form JavaScript's toISOString() writes. */
function utcExpression(dialect: Dialect, column: string): string {
  return dialect === 'postgres'
    ? `to_char((${column})::timestamptz at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
    : `strftime('%Y-%m-%dT%H:%M:%fZ', ${column})`;
}

const UTC_COLUMNS: Array<[table: string, source: string, target: string]> = [
  ['calls', 'started', 'started_utc'],
  ['calls', 'scheduled', 'scheduled_utc'],
  ['calls_extensive', 'started', 'started_utc'],
  ['stats_activity_scorecards', 'review_time', 'review_time_utc'],
  ['stats_activity_scorecards', 'call_start_time', 'call_start_time_utc'],
  ['users', 'created', 'created_utc'],
];

/** The JSON-text columns calls_extensive had, and where each block is in Gong's record. */
const BLOCK_PATHS: Record<string, string[]> = {
  outline: ['content', 'outline'],
  highlights: ['content', 'highlights'],
  key_points: ['content', 'keyPoints'],
  call_outcome: ['content', 'callOutcome'],
  topics: ['content', 'topics'],
  trackers: ['content', 'trackers'],
  structure: ['content', 'structure'],
  speakers: ['interaction', 'speakers'],
  interaction_stats: ['interaction', 'interactionStats'],
  video: ['interaction', 'video'],
  public_comments: ['collaboration', 'publicComments'],
  context: ['context'],
};
const JSON_BLOCK_COLUMNS = Object.keys(BLOCK_PATHS);

/**
 * A block of the record in `raw`. PostgreSQL reads it as json (not jsonb), which gives a block back
 * as the very text `raw` holds (as SQLite's json_extract does), not re-formatted with its keys sorted.
 */
function jsonPath(dialect: Dialect, path: string[]): string {
  return dialect === 'postgres' ? `(raw::json #>> '{${path.join(',')}}')` : `json_extract(raw, '$.${path.join('.')}')`;
}

const USER_SETTING_COLUMNS = [
  'web_conferences_recorded',
  'prevent_web_conference_recording',
  'telephony_calls_imported',
  'emails_imported',
  'prevent_email_import',
  'non_recorded_meetings_imported',
  'gong_connect_enabled',
];

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  const callId: [string, ColumnType] = ['call_id', 'text'];

  await createChildTable(db, 'call_topics', [callId, ['name', 'text']], [['duration', 'real']]);
  await createChildTable(db, 'call_structure', [callId, ['name', 'text']], [['duration', 'real']]);
  await createChildTable(db, 'call_tracker_occurrences', [callId, ['tracker_id', 'text'], ['seq', 'integer']], [
    ['phrase', 'text'],
    ['speaker_id', 'text'],
    ['start_time', 'real'],
  ]);
  await createChildTable(db, 'call_interaction_stats', [callId, ['name', 'text']], [['value', 'real']]);
  await createChildTable(db, 'call_context_objects', [callId, ['system', 'text'], ['object_type', 'text'], ['object_id', 'text']], [['timing', 'text']]);
  await createChildTable(db, 'call_context_fields', [callId, ['object_type', 'text'], ['object_id', 'text'], ['name', 'text']], [['value', 'text']]);
  await createChildTable(
    db,
    'call_party_context_fields',
    [callId, ['party_id', 'text'], ['object_type', 'text'], ['object_id', 'text'], ['name', 'text']],
    [
      ['system', 'text'],
      ['timing', 'text'],
      ['value', 'text'],
    ],
  );
  await createChildTable(db, 'call_comments', [callId, ['id', 'text']], [
    ['commenter_user_id', 'text'],
    ['comment', 'text'],
    ['posted', 'text'],
    ['posted_utc', 'text'],
    ['audio_start_time', 'real'],
    ['audio_end_time', 'real'],
    ['in_reply_to', 'text'],
    ['during_call', 'integer'],
  ]);
  await createChildTable(db, 'call_key_points', [callId, ['seq', 'integer']], [['text', 'text']]);
  await createChildTable(db, 'call_highlights', [callId, ['seq', 'integer']], [
    ['title', 'text'],
    ['text', 'text'],
    ['start_time', 'real'],
    ['start_times', 'text'],
  ]);
  await createChildTable(db, 'call_outline_items', [callId, ['section_seq', 'integer'], ['item_seq', 'integer']], [
    ['section', 'text'],
    ['section_start_time', 'real'],
    ['section_duration', 'real'],
    ['text', 'text'],
    ['start_time', 'real'],
  ]);
  await createChildTable(db, 'call_video_stats', [callId, ['name', 'text']], [['duration', 'real']]);
  await createChildTable(db, 'call_speakers', [callId, ['id', 'text']], [
    ['user_id', 'text'],
    ['talk_time', 'real'],
  ]);
  await createChildTable(db, 'call_action_items', [callId, ['seq', 'integer']], [
    ['speaker_id', 'text'],
    ['snippet', 'text'],
    ['snippet_start_time', 'real'],
    ['snippet_end_time', 'real'],
  ]);
  await db.schema.createIndex('call_context_fields_object').on('call_context_fields').columns(['object_type', 'object_id']).execute();
  await db.schema.createIndex('call_context_objects_object').on('call_context_objects').columns(['object_type', 'object_id']).execute();

  // call_trackers is the name analysts look for; the old name stays as a view for existing queries.
  // (Both SQLite and PostgreSQL carry the views that use the table across the rename.)
  await sql`alter table call_tracker_hits rename to call_trackers`.execute(db);
  await sql`create view call_tracker_hits as select call_id, tracker_id, name, type, count, occurrences, synced_at from call_trackers`.execute(db);

  // The JSON-text copies of extensive blocks are superseded by the child tables above (and `raw`
  // keeps the whole record): they doubled the table's size. calls_extensive_json serves them from raw.
  for (const column of JSON_BLOCK_COLUMNS) await db.schema.alterTable('calls_extensive').dropColumn(column).execute();
  await sql.raw(
    `create view calls_extensive_json as select id, ${JSON_BLOCK_COLUMNS.map((c) => `${jsonPath(dialect, BLOCK_PATHS[c]!)} as ${c}`).join(', ')} from calls_extensive`,
  ).execute(db);
  await db.schema.alterTable('calls_extensive').addColumn('call_outcome_id', 'text').execute();
  await db.schema.alterTable('calls_extensive').addColumn('call_outcome_category', 'text').execute();
  await db.schema.alterTable('calls_extensive').addColumn('call_outcome_name', 'text').execute();
  for (const [table, source, target] of UTC_COLUMNS) {
    await db.schema.alterTable(table).addColumn(target, 'text').execute();
    await sql.raw(`update ${table} set ${target} = ${utcExpression(dialect, source)} where ${source} is not null`).execute(db);
  }
  await db.schema.createIndex('calls_started_utc').on('calls').column('started_utc').execute();
  await db.schema.createIndex('stats_activity_scorecards_review_time_utc').on('stats_activity_scorecards').column('review_time_utc').execute();

  // Who the manager of a coaching row is, and the report's title (Gong's shape names both).
  for (const column of ['manager_email_address', 'manager_name', 'manager_title', 'user_title']) {
    await db.schema.alterTable('coaching').addColumn(column, 'text').execute();
  }
  for (const column of USER_SETTING_COLUMNS) await db.schema.alterTable('users').addColumn(column, 'integer').execute();
  await createChildTable(db, 'user_email_aliases', [['user_id', 'text'], ['email', 'text']], []);
  await createChildTable(db, 'user_spoken_languages', [['user_id', 'text'], ['language', 'text']], [['is_primary', 'integer']]);
  await createChildTable(db, 'user_personal_meeting_urls', [['user_id', 'text'], ['url', 'text']], []);
  await createChildTable(db, 'tracker_keywords', [['tracker_id', 'text'], ['language', 'text'], ['keyword', 'text']], [['include_related_forms', 'integer']]);
  await createChildTable(db, 'activity_day_calls', [['user_id', 'text'], ['date', 'text'], ['activity', 'text'], ['call_id', 'text']], []);
  await db.schema.createIndex('activity_day_calls_call_id').on('activity_day_calls').column('call_id').execute();
  await createViews(db, dialect);
  await createChildTable(db, 'scorecard_answer_options', [['scorecard_id', 'text'], ['question_id', 'text'], ['option_id', 'text']], [
    ['text', 'text'],
    ['score', 'real'],
  ]);
}

async function createViews(db: Kysely<any>, dialect: Dialect): Promise<void> {
  // Each sentence with who said it and in which call: "what did the customer say" without joins.
  await sql`create view transcript_lines as
    select s.call_id, s.seq, c.title as call_title, c.started_utc, s.start_ms / 1000 as second, s.speaker_id,
           p.name as speaker_name, p.affiliation, p.user_id as speaker_user_id, p.email_address as speaker_email_address,
           s.topic, s.text
    from transcript_sentences s
    left join calls c on c.id = s.call_id
    left join call_parties p on p.call_id = s.call_id and p.speaker_id = s.speaker_id`.execute(db);

  // The CRM objects of a call, one row per object with its name: calls per opportunity is a group by.
  await sql`create view call_crm_objects as
    select o.call_id, o.system, o.object_type, o.object_id, o.timing,
           (select f.value from call_context_fields f
             where f.call_id = o.call_id and f.object_type = o.object_type and f.object_id = o.object_id and lower(f.name) = 'name') as object_name
    from call_context_objects o`.execute(db);

  await sql`drop view if exists call_summary`.execute(db);
  await sql`create view call_summary as
    select c.id as call_id, c.title, c.started, c.started_utc, c.duration as duration_seconds, c.direction, c.scope, c.system,
           c.workspace_id, c.primary_user_id,
           trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) as primary_user_name,
           (select count(*) from call_parties p where p.call_id = c.id) as participants,
           (select count(*) from call_parties p where p.call_id = c.id and p.affiliation = 'External') as external_participants,
           (select round(cast(sum(case when p.affiliation = 'Internal' then p.talk_time else 0 end) * 1.0 / nullif(sum(p.talk_time), 0) as numeric), 4)${asReal(dialect)}
              from call_parties p where p.call_id = c.id) as internal_talk_ratio,
           (select coalesce(sum(t.count), 0) from call_trackers t where t.call_id = c.id) as tracker_hits,
           (select ${listOf(dialect, "t.name || ':' || t.count", 't.tracker_id')} from call_trackers t where t.call_id = c.id and t.count > 0) as trackers_mentioned,
           (select ${listOf(dialect, 't.name', 't.name')} from call_topics t where t.call_id = c.id and t.duration > 0) as topics,
           ce.call_outcome_name, ce.call_outcome_category,
           (select min(${bytewise(dialect, 'o.object_id')}) from call_context_objects o where o.call_id = c.id and o.object_type = 'Opportunity') as crm_opportunity_id,
           (select min(${bytewise(dialect, 'o.object_name')}) from call_crm_objects o where o.call_id = c.id and o.object_type = 'Opportunity') as crm_opportunity_name,
           (select min(${bytewise(dialect, 'o.object_name')}) from call_crm_objects o where o.call_id = c.id and o.object_type = 'Account') as crm_account_name,
           tr.sentence_count as transcript_sentences,
           (select count(*) from answered_scorecard_scores s where s.call_id = c.id) as scorecards,
           (select round(cast(avg(s.score) as numeric), 2)${asReal(dialect)} from answered_scorecard_scores s where s.call_id = c.id) as average_score,
           ce.brief
    from calls c
    left join users u on u.id = c.primary_user_id
    left join call_transcripts tr on tr.call_id = c.id
    left join calls_extensive ce on ce.id = c.id`.execute(db);

  // Rep-weeks with calls or with scorecards received (a week of reviews and no calls still shows).
  await sql`drop view if exists rep_weekly_activity`.execute(db);
  await sql`create view rep_weekly_activity as
    with call_weeks as (
      select primary_user_id as user_id, ${weekStart(dialect, 'started_utc')} as week_start, count(*) as calls,
             sum(duration) as call_seconds, round(cast(avg(duration) as numeric), 1)${asReal(dialect)} as average_call_seconds
      from calls where started_utc is not null and primary_user_id is not null group by 1, 2
    ), score_weeks as (
      select s.reviewed_user_id as user_id, ${weekStart(dialect, 'r.review_time_utc')} as week_start, count(*) as scorecards_received,
             round(cast(avg(s.score) as numeric), 2)${asReal(dialect)} as average_score
      from answered_scorecard_scores s join stats_activity_scorecards r on r.answered_scorecard_id = s.answered_scorecard_id
      where r.review_time_utc is not null and s.reviewed_user_id is not null group by 1, 2
    ), rep_weeks as (
      select user_id, week_start from call_weeks union select user_id, week_start from score_weeks
    )
    select w.user_id, trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) as user_name, u.email_address,
           w.week_start, coalesce(cw.calls, 0) as calls, coalesce(cw.call_seconds, 0) as call_seconds, cw.average_call_seconds,
           coalesce(sw.scorecards_received, 0) as scorecards_received, sw.average_score
    from rep_weeks w
    left join call_weeks cw on cw.user_id = w.user_id and cw.week_start = w.week_start
    left join score_weeks sw on sw.user_id = w.user_id and sw.week_start = w.week_start
    left join users u on u.id = w.user_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // The views of 2026-11-26-0004 come back only by running its up() again: drop this migration's.
  for (const view of ['rep_weekly_activity', 'call_summary', 'call_crm_objects', 'transcript_lines', 'calls_extensive_json']) {
    await sql.raw(`drop view if exists ${view}`).execute(db);
  }
  await sql`drop view if exists call_tracker_hits`.execute(db);
  await sql`alter table call_trackers rename to call_tracker_hits`.execute(db);
  for (const table of [
    'scorecard_answer_options',
    'activity_day_calls',
    'tracker_keywords',
    'user_personal_meeting_urls',
    'user_spoken_languages',
    'user_email_aliases',
    'call_action_items',
    'call_speakers',
    'call_video_stats',
    'call_outline_items',
    'call_highlights',
    'call_key_points',
    'call_comments',
    'call_party_context_fields',
    'call_context_fields',
    'call_context_objects',
    'call_interaction_stats',
    'call_tracker_occurrences',
    'call_structure',
    'call_topics',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
