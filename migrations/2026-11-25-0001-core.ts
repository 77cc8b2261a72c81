import type { Kysely } from 'kysely';
import { dialectOf, realType } from './dialect.js';

// Frozen in time: never edit a migration that has shipped; add a new one.
// (PostgreSQL branches were added later: what SQLite runs is unchanged.)


export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  // Bookkeeping: sync state lives next to the data.
  await db.schema
    .createTable('_sync_state')
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('partition_key', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('scope', 'text', (c) => c.notNull().defaultTo('incremental'))
    .addColumn('bookmark', 'text')
    .addColumn('checkpoint', 'text')
    .addColumn('last_success_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('_sync_state_pk', ['stream', 'partition_key', 'scope'])
    .execute();
  await db.schema
    .createTable('_runs')
    .addColumn('id', 'integer', (c) => (dialect === 'postgres' ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn('command', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull().defaultTo('running'))
    .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rows_written', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('streams', 'text')
    .addColumn('message', 'text')
    .addColumn('peak_rss_mb', realType(dialect))
    .execute();
  await db.schema
    .createTable('_request_counts')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('requests', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('_rejected_records')
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('raw', 'text')
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('_rejected_records_pk', ['stream', 'record_id'])
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email_address', 'text')
    .addColumn('created', 'text')
    .addColumn('active', 'integer')
    .addColumn('email_aliases', 'text')
    .addColumn('trusted_email_address', 'text')
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('title', 'text')
    .addColumn('phone_number', 'text')
    .addColumn('extension', 'text')
    .addColumn('personal_meeting_urls', 'text')
    .addColumn('settings', 'text')
    .addColumn('manager_id', 'text')
    .addColumn('meeting_consent_page_url', 'text')
    .addColumn('spoken_languages', 'text')
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('users_manager_id').on('users').column('manager_id').execute();

  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text')
    .addColumn('name', 'text')
    .addColumn('description', 'text')
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text')
    .addColumn('title', 'text')
    .addColumn('scheduled', 'text')
    .addColumn('started', 'text')
    .addColumn('duration', 'integer')
    .addColumn('primary_user_id', 'text')
    .addColumn('direction', 'text')
    .addColumn('system', 'text')
    .addColumn('scope', 'text')
    .addColumn('media', 'text')
    .addColumn('language', 'text')
    .addColumn('workspace_id', 'text')
    .addColumn('sdr_disposition', 'text')
    .addColumn('client_unique_id', 'text')
    .addColumn('custom_data', 'text')
    .addColumn('purpose', 'text')
    .addColumn('meeting_url', 'text')
    .addColumn('is_private', 'integer')
    .addColumn('calendar_event_id', 'text')
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('calls_started').on('calls').column('started').execute();
  await db.schema.createIndex('calls_synced_at').on('calls').column('synced_at').execute();
  await db.schema.createIndex('calls_primary_user_id').on('calls').column('primary_user_id').execute();

  await db.schema
    .createTable('call_transcripts')
    .addColumn('call_id', 'text', (c) => c.primaryKey())
    .addColumn('segment_count', 'integer')
    .addColumn('sentence_count', 'integer')
    .addColumn('speaker_count', 'integer')
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('transcript_sentences')
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('segment_index', 'integer')
    .addColumn('speaker_id', 'text')
    .addColumn('topic', 'text')
    .addColumn('start_ms', 'integer')
    .addColumn('end_ms', 'integer')
    .addColumn('text', 'text')
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('transcript_sentences_pk', ['call_id', 'seq'])
    .execute();

  await db.schema
    .createTable('stats_activity_scorecards')
    .addColumn('answered_scorecard_id', 'text', (c) => c.primaryKey())
    .addColumn('scorecard_id', 'text')
    .addColumn('scorecard_name', 'text')
    .addColumn('call_id', 'text')
    .addColumn('call_start_time', 'text')
    .addColumn('reviewed_user_id', 'text')
    .addColumn('reviewer_user_id', 'text')
    .addColumn('review_method', 'text')
    .addColumn('editor_user_id', 'text')
    .addColumn('answered_date_time', 'text')
    .addColumn('review_time', 'text')
    .addColumn('visibility_type', 'text')
    .addColumn('visibility', 'text')
    .addColumn('overall_score', realType(dialect))
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('stats_activity_scorecards_call_id').on('stats_activity_scorecards').column('call_id').execute();
  await db.schema
    .createTable('scorecard_answers')
    .addColumn('answered_scorecard_id', 'text', (c) => c.notNull())
    .addColumn('question_id', 'text', (c) => c.notNull())
    .addColumn('question_revision_id', 'text')
    .addColumn('is_overall', 'integer')
    .addColumn('answer', 'text')
    .addColumn('answer_text', 'text')
    .addColumn('score', realType(dialect))
    .addColumn('not_applicable', 'integer')
    .addColumn('selected_options', 'text')
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('scorecard_answers_pk', ['answered_scorecard_id', 'question_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'scorecard_answers',
    'stats_activity_scorecards',
    'transcript_sentences',
    'call_transcripts',
    'calls',
    'workspaces',
    'users',
    '_rejected_records',
    '_request_counts',
    '_runs',
    '_sync_state',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
