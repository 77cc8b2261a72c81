import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.

/**
 * Until this version, answered scorecards were requested without `reviewMethod`, and Gong then
 * answers manual reviews only: every automatic review is missing from databases synced before.
 * Forgetting how far the stream has read makes the next run read its windows again, now asking
 * for both kinds: the incremental pass starts over from the start date (GONG_START_DATE), and each
 * backfill of this stream shows as unfinished so that running it again re-reads its range. Rows
 * already stored stay (upserts by answered_scorecard_id make the re-read harmless); no other
 * stream is touched.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`update _sync_state set bookmark = null, checkpoint = null where stream = 'stats_activity_scorecards'`.execute(db);
}

export async function down(): Promise<void> {
  // Nothing to undo: the next run simply reads the windows again.
}
