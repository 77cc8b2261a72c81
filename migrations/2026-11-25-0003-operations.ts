import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
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

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists rep_weekly_activity`.execute(db);
  await sql`drop view if exists call_summary`.execute(db);
  await sql`drop view if exists call_party_talk`.execute(db);
  for (const trigger of ['transcript_sentences_ai', 'transcript_sentences_ad', 'transcript_sentences_au']) {
    await sql.raw(`drop trigger if exists ${trigger}`).execute(db);
  }
  await sql`drop table if exists transcript_search`.execute(db);
  await db.schema.dropTable('_lock').ifExists().execute();
}
