import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.js';

// Frozen in time: never edit a migration that has shipped; add a new one.
//
// A child table is replaced as a set whenever its parent is written (a re-read call replaces its
// parties, topics, sentences ...), so the parent's synced_at already says when each child row was
// written. The copy on every child row cost 25 bytes a row: about 2.7 KB a call (1.25 KB of it on
// transcript sentences). The view call_tracker_hits keeps its synced_at column, from the call.

/** The tables the streams declare as replaced with a parent, as of this migration. */
const CHILD_TABLES = [
  'call_parties',
  'call_topics',
  'call_structure',
  'call_trackers',
  'call_tracker_occurrences',
  'call_interaction_stats',
  'call_context_objects',
  'call_context_fields',
  'call_party_context_fields',
  'call_comments',
  'call_key_points',
  'call_highlights',
  'call_outline_items',
  'call_video_stats',
  'call_speakers',
  'call_action_items',
  'transcript_sentences',
  'user_email_aliases',
  'user_spoken_languages',
  'user_personal_meeting_urls',
  'tracker_keywords',
  'scorecard_questions',
  'scorecard_answer_options',
  'scorecard_answers',
  'activity_day_calls',
];

export async function up(db: Kysely<any>): Promise<void> {
  const postgres = dialectOf(db) === 'postgres';
  const stamped = new Set(
    (postgres
      ? await sql<{ table_name: string }>`
          select c.table_name from information_schema.columns c
            join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
           where c.table_schema = current_schema() and t.table_type = 'BASE TABLE' and c.column_name = 'synced_at'`.execute(db)
      : await sql<{ table_name: string }>`
          select m.name as table_name from sqlite_master m join pragma_table_info(m.name) p
           where m.type = 'table' and p.name = 'synced_at'`.execute(db)
    ).rows.map((r) => r.table_name),
  );
  // The only view that reads a child's synced_at: rebuilt below with its call's.
  await sql`drop view if exists call_tracker_hits`.execute(db);
  for (const table of CHILD_TABLES) {
    if (stamped.has(table)) await db.schema.alterTable(table).dropColumn('synced_at').execute();
  }
  await sql`create view call_tracker_hits as
    select t.call_id, t.tracker_id, t.name, t.type, t.count, t.occurrences, e.synced_at
      from call_trackers t left join calls_extensive e on e.id = t.call_id`.execute(db);
}

export async function down(): Promise<void> {
  // The stamps cannot be told apart after the fact; nothing to undo.
}
