import { sql, type Kysely } from 'kysely';
import { asReal, dialectOf, listOf, weekStart } from './dialect.js';

// Frozen in time: never edit a migration that has shipped; add a new one.
// (PostgreSQL branches were added later: what SQLite runs is unchanged.)

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);
  // One writer at a time: sync, backfill and schedule take this lock (a row) before writing.
  await db.schema
    .createTable('_lock')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder_pid', 'integer', (c) => c.notNull())
    .addColumn('holder_host', 'text', (c) => c.notNull())
    .addColumn('command', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'text', (c) => c.notNull())
    .execute();

  if (dialect === 'postgres') {
    await createPostgresSearch(db);
    await createPostgresViews(db);
    return;
  }

  // Full-text search over transcript sentences, kept in step by triggers inside the loader's transactions.
  await sql`create virtual table transcript_search using fts5(text, content='transcript_sentences', content_rowid='rowid', tokenize='unicode61')`.execute(db);
  await sql`create trigger transcript_sentences_ai after insert on transcript_sentences begin
    insert into transcript_search(rowid, text) values (new.rowid, new.text);
  end`.execute(db);
  await sql`create trigger transcript_sentences_ad after delete on transcript_sentences begin
    insert into transcript_search(transcript_search, rowid, text) values ('delete', old.rowid, old.text);
  end`.execute(db);
  await sql`create trigger transcript_sentences_au after update of text on transcript_sentences begin
    insert into transcript_search(transcript_search, rowid, text) values ('delete', old.rowid, old.text);
    insert into transcript_search(rowid, text) values (new.rowid, new.text);
  end`.execute(db);
  await sql`insert into transcript_search(transcript_search) values ('rebuild')`.execute(db);

  // Talk time of each party as a share of the call's talk time.
  await sql`create view call_party_talk as
    select p.call_id, p.id as party_id, p.name, p.email_address, p.affiliation, p.user_id, p.talk_time,
           round(p.talk_time * 1.0 / nullif(sum(p.talk_time) over (partition by p.call_id), 0), 4) as talk_ratio
    from call_parties p`.execute(db);

  // One row per call with what people ask about most, no joins by hand.
  await sql`create view call_summary as
    select c.id as call_id, c.title, c.started, c.duration as duration_seconds, c.direction, c.scope, c.system,
           c.workspace_id, c.primary_user_id,
           trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) as primary_user_name,
           (select count(*) from call_parties p where p.call_id = c.id) as participants,
           (select count(*) from call_parties p where p.call_id = c.id and p.affiliation = 'External') as external_participants,
           (select round(sum(case when p.affiliation = 'Internal' then p.talk_time else 0 end) * 1.0 / nullif(sum(p.talk_time), 0), 4)
              from call_parties p where p.call_id = c.id) as internal_talk_ratio,
           (select coalesce(sum(t.count), 0) from call_tracker_hits t where t.call_id = c.id) as tracker_hits,
           (select group_concat(t.name || ':' || t.count, ', ') from call_tracker_hits t where t.call_id = c.id and t.count > 0) as trackers_mentioned,
           tr.sentence_count as transcript_sentences,
           (select count(*) from stats_activity_scorecards s where s.call_id = c.id) as scorecards,
           (select round(avg(s.overall_score), 2) from stats_activity_scorecards s where s.call_id = c.id) as average_score,
           ce.brief
    from calls c
    left join users u on u.id = c.primary_user_id
    left join call_transcripts tr on tr.call_id = c.id
    left join calls_extensive ce on ce.id = c.id`.execute(db);

  // Each rep's calls and scorecards per ISO-style week (weeks start on Monday, UTC).
  await sql`create view rep_weekly_activity as
    with call_weeks as (
      select primary_user_id as user_id, date(started, 'weekday 0', '-6 days') as week_start, count(*) as calls,
             sum(duration) as call_seconds, round(avg(duration), 1) as average_call_seconds
      from calls where started is not null group by 1, 2
    ), score_weeks as (
      select reviewed_user_id as user_id, date(review_time, 'weekday 0', '-6 days') as week_start, count(*) as scorecards_received,
             round(avg(overall_score), 2) as average_score
      from stats_activity_scorecards where review_time is not null group by 1, 2
    )
    select cw.user_id, trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) as user_name, u.email_address,
           cw.week_start, cw.calls, cw.call_seconds, cw.average_call_seconds,
           coalesce(sw.scorecards_received, 0) as scorecards_received, sw.average_score
    from call_weeks cw
    left join score_weeks sw on sw.user_id = cw.user_id and sw.week_start = cw.week_start
    left join users u on u.id = cw.user_id`.execute(db);
}

/**
 * Full-text search on PostgreSQL: no separate table (and nothing named transcript_search). Each
 * sentence carries its own `tsv`, a stored generated column PostgreSQL computes in the very
 * statement that writes the sentence (so in the loader's transaction, as SQLite's triggers do),
 * with a GIN index:
 *
 *   select s.call_id, s.seq, s.text from transcript_sentences s
 *   where s.tsv @@ websearch_to_tsquery('simple', 'pricing budget')
 *   order by ts_rank(s.tsv, websearch_to_tsquery('simple', 'pricing budget')) desc
 *
 * The 'simple' configuration lower-cases words and neither stems them nor drops stop words, as
 * SQLite's unicode61 tokenizer does, so the same words find the same sentences on both (queries
 * must name 'simple' too). Unlike unicode61 it keeps diacritics (resume does not find résumé).
 */
async function createPostgresSearch(db: Kysely<any>): Promise<void> {
  await sql`alter table transcript_sentences add column tsv tsvector generated always as (to_tsvector('simple', coalesce(text, ''))) stored`.execute(db);
  await sql`create index transcript_sentences_tsv on transcript_sentences using gin (tsv)`.execute(db);
}

/** This migration's views, as PostgreSQL needs them: same names, same columns in the same order. */
async function createPostgresViews(db: Kysely<any>): Promise<void> {
  const dialect = 'postgres';
  await sql`create view call_party_talk as
    select p.call_id, p.id as party_id, p.name, p.email_address, p.affiliation, p.user_id, p.talk_time,
           round(cast(p.talk_time * 1.0 / nullif(sum(p.talk_time) over (partition by p.call_id), 0) as numeric), 4)${asReal(dialect)} as talk_ratio
    from call_parties p`.execute(db);
  await createPostgresCallSummary(db);
  await createPostgresRepWeeklyActivity(db);
}

/** call_summary as this migration made it, for PostgreSQL (2026-11-26-0004's down makes it again). */
export async function createPostgresCallSummary(db: Kysely<any>): Promise<void> {
  const dialect = 'postgres';
  await sql`create view call_summary as
    select c.id as call_id, c.title, c.started, c.duration as duration_seconds, c.direction, c.scope, c.system,
           c.workspace_id, c.primary_user_id,
           trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) as primary_user_name,
           (select count(*) from call_parties p where p.call_id = c.id) as participants,
           (select count(*) from call_parties p where p.call_id = c.id and p.affiliation = 'External') as external_participants,
           (select round(cast(sum(case when p.affiliation = 'Internal' then p.talk_time else 0 end) * 1.0 / nullif(sum(p.talk_time), 0) as numeric), 4)${asReal(dialect)}
              from call_parties p where p.call_id = c.id) as internal_talk_ratio,
           (select coalesce(sum(t.count), 0) from call_tracker_hits t where t.call_id = c.id) as tracker_hits,
           (select ${listOf(dialect, "t.name || ':' || t.count", 't.tracker_id')} from call_tracker_hits t where t.call_id = c.id and t.count > 0) as trackers_mentioned,
           tr.sentence_count as transcript_sentences,
           (select count(*) from stats_activity_scorecards s where s.call_id = c.id) as scorecards,
           (select round(cast(avg(s.overall_score) as numeric), 2)${asReal(dialect)} from stats_activity_scorecards s where s.call_id = c.id) as average_score,
           ce.brief
    from calls c
    left join users u on u.id = c.primary_user_id
    left join call_transcripts tr on tr.call_id = c.id
    left join calls_extensive ce on ce.id = c.id`.execute(db);
}

/** rep_weekly_activity as this migration made it, for PostgreSQL (2026-11-26-0004's down makes it again). */
export async function createPostgresRepWeeklyActivity(db: Kysely<any>): Promise<void> {
  const dialect = 'postgres';
  await sql`create view rep_weekly_activity as
    with call_weeks as (
      select primary_user_id as user_id, ${weekStart(dialect, 'started')} as week_start, count(*) as calls,
             sum(duration) as call_seconds, round(cast(avg(duration) as numeric), 1)${asReal(dialect)} as average_call_seconds
      from calls where started is not null group by 1, 2
    ), score_weeks as (
      select reviewed_user_id as user_id, ${weekStart(dialect, 'review_time')} as week_start, count(*) as scorecards_received,
             round(cast(avg(overall_score) as numeric), 2)${asReal(dialect)} as average_score
      from stats_activity_scorecards where review_time is not null group by 1, 2
    )
    select cw.user_id, trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) as user_name, u.email_address,
           cw.week_start, cw.calls, cw.call_seconds, cw.average_call_seconds,
           coalesce(sw.scorecards_received, 0) as scorecards_received, sw.average_score
    from call_weeks cw
    left join score_weeks sw on sw.user_id = cw.user_id and sw.week_start = cw.week_start
    left join users u on u.id = cw.user_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists rep_weekly_activity`.execute(db);
  await sql`drop view if exists call_summary`.execute(db);
  await sql`drop view if exists call_party_talk`.execute(db);
  if (dialectOf(db) === 'postgres') {
    await sql`drop index if exists transcript_sentences_tsv`.execute(db);
    await sql`alter table transcript_sentences drop column if exists tsv`.execute(db);
    await db.schema.dropTable('_lock').ifExists().execute();
    return;
  }
  for (const trigger of ['transcript_sentences_ai', 'transcript_sentences_ad', 'transcript_sentences_au']) {
    await sql.raw(`drop trigger if exists ${trigger}`).execute(db);
  }
  await sql`drop table if exists transcript_search`.execute(db);
  await db.schema.dropTable('_lock').ifExists().execute();
}
