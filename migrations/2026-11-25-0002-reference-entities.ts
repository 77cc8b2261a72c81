import type { CreateTableBuilder, Kysely } from 'kysely';
import { columnType, dialectOf } from './dialect.js';

// Frozen in time: never edit a migration that has shipped; add a new one.
// (PostgreSQL branches were added later: what SQLite runs is unchanged.)

// 'bigint' is for PostgreSQL's sake (SQLite's integer is 64-bit already): it is declared 'integer' on SQLite.
type Columns = Array<[name: string, type: 'text' | 'integer' | 'real' | 'bigint']>;

async function createTable(db: Kysely<any>, name: string, primaryKey: string[], columns: Columns, record = true) {
  const dialect = dialectOf(db);
  let builder: CreateTableBuilder<string, string> = db.schema.createTable(name);
  for (const column of primaryKey) builder = builder.addColumn(column, 'text', (c) => c.notNull());
  for (const [column, type] of columns) {
    builder = builder.addColumn(column, type === 'bigint' && dialect === 'sqlite' ? 'integer' : columnType(dialect, type));
  }
  if (record) builder = builder.addColumn('raw', 'text', (c) => c.notNull());
  builder = builder.addColumn('synced_at', 'text', (c) => c.notNull());
  builder = builder.addPrimaryKeyConstraint(`${name}_pk`, primaryKey as never[]);
  await builder.execute();
}

export async function up(db: Kysely<any>): Promise<void> {
  await createTable(db, 'calls_extensive', ['id'], [
    ['started', 'text'],
    ['title', 'text'],
    ['brief', 'text'],
    ['outline', 'text'],
    ['highlights', 'text'],
    ['key_points', 'text'],
    ['call_outcome', 'text'],
    ['topics', 'text'],
    ['trackers', 'text'],
    ['structure', 'text'],
    ['speakers', 'text'],
    ['interaction_stats', 'text'],
    ['questions_company_count', 'integer'],
    ['questions_non_company_count', 'integer'],
    ['video', 'text'],
    ['public_comments', 'text'],
    ['context', 'text'],
  ]);
  await createTable(
    db,
    'call_parties',
    ['call_id', 'id'],
    [
      ['user_id', 'text'],
      ['speaker_id', 'text'],
      ['name', 'text'],
      ['email_address', 'text'],
      ['affiliation', 'text'],
      ['title', 'text'],
      ['phone_number', 'text'],
      ['methods', 'text'],
      ['context', 'text'],
      ['talk_time', 'real'],
    ],
    false,
  );
  await createTable(
    db,
    'call_tracker_hits',
    ['call_id', 'tracker_id'],
    [
      ['name', 'text'],
      ['type', 'text'],
      ['count', 'integer'],
      ['occurrences', 'text'],
    ],
    false,
  );

  const activityCounters: Columns = [
    'calls_as_host',
    'calls_gave_feedback',
    'calls_requested_feedback',
    'calls_received_feedback',
    'own_calls_listened_to',
    'others_calls_listened_to',
    'calls_shared_internally',
    'calls_shared_externally',
    'calls_scorecards_filled',
    'calls_scorecards_received',
    'calls_attended',
    'calls_comments_given',
    'calls_comments_received',
    'calls_marked_as_feedback_given',
    'calls_marked_as_feedback_received',
  ].map((c) => [c, 'integer']);
  await createTable(db, 'stats_activity_aggregate', ['user_id', 'from_date', 'to_date'], [['user_email_address', 'text'], ...activityCounters]);
  // Day by day: each counter is the list of call ids (JSON); json_array_length() counts them.
  await createTable(db, 'stats_activity_day_by_day', ['user_id', 'date'], [
    ['user_email_address', 'text'],
    ['from_date', 'text'],
    ['to_date', 'text'],
    ...activityCounters.map(([c]): [string, 'text'] => [c, 'text']),
  ]);
  await createTable(db, 'stats_interaction', ['user_id', 'from_date', 'to_date', 'name'], [
    ['user_email_address', 'text'],
    ['value', 'real'],
  ]);

  await createTable(db, 'settings_scorecards', ['scorecard_id'], [
    ['scorecard_name', 'text'],
    ['workspace_id', 'text'],
    ['enabled', 'integer'],
    ['updater_user_id', 'text'],
    ['created', 'text'],
    ['updated', 'text'],
    ['review_method', 'text'],
  ]);
  await createTable(
    db,
    'scorecard_questions',
    ['scorecard_id', 'question_id'],
    [
      ['question_revision_id', 'text'],
      ['question_text', 'text'],
      ['question_type', 'text'],
      ['is_required', 'integer'],
      ['is_overall', 'integer'],
      ['updater_user_id', 'text'],
      ['answer_guide', 'text'],
      ['min_range', 'text'],
      ['max_range', 'text'],
      ['created', 'text'],
      ['updated', 'text'],
      ['answer_options', 'text'],
    ],
    false,
  );
  await createTable(db, 'settings_trackers', ['tracker_id'], [
    ['tracker_name', 'text'],
    ['workspace_id', 'text'],
    ['language_keywords', 'text'],
    ['affiliation', 'text'],
    ['part_of_question', 'integer'],
    ['said_at', 'text'],
    ['said_at_interval', 'text'],
    ['said_at_unit', 'text'],
    ['said_in_topics', 'text'],
    ['filter_query', 'text'],
    ['created', 'text'],
    ['creator_user_id', 'text'],
    ['updated', 'text'],
    ['updater_user_id', 'text'],
  ]);
  await createTable(db, 'library_folders', ['id'], [
    ['workspace_id', 'text'],
    ['name', 'text'],
    ['parent_folder_id', 'text'],
    ['created_by', 'text'],
    ['updated', 'text'],
  ]);
  await createTable(db, 'library_folder_content', ['folder_id', 'call_id'], [
    ['title', 'text'],
    ['started', 'text'],
    ['duration', 'integer'],
    ['primary_user_id', 'text'],
    ['url', 'text'],
  ]);
  await createTable(db, 'coaching', ['workspace_id', 'manager_id', 'user_id', 'from_date', 'to_date'], [
    ['user_email_address', 'text'],
    ['user_name', 'text'],
    ['is_manager', 'integer'],
    ['calls_listened', 'integer'],
    ['calls_attended', 'integer'],
    ['calls_with_feedback', 'integer'],
    ['calls_with_comments', 'integer'],
    ['scorecards_filled', 'integer'],
  ]);
  await createTable(
    db,
    'call_media',
    ['call_id', 'kind'],
    [
      ['path', 'text'],
      // A video can be larger than PostgreSQL's integer (2 GiB).
      ['bytes', 'bigint'],
      ['content_type', 'text'],
      ['sha256', 'text'],
      ['downloaded_at', 'text'],
    ],
    false,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'call_media',
    'coaching',
    'library_folder_content',
    'library_folders',
    'settings_trackers',
    'scorecard_questions',
    'settings_scorecards',
    'stats_interaction',
    'stats_activity_day_by_day',
    'stats_activity_aggregate',
    'call_tracker_hits',
    'call_parties',
    'calls_extensive',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
