import { sql, type Kysely } from 'kysely';
import { asReal, dialectOf, listOf, weekStart } from './dialect.js';
import { createPostgresCallSummary, createPostgresRepWeeklyActivity } from './2026-11-25-0003-operations.js';

// Frozen in time: never edit a migration that has shipped; add a new one.
//
// Gong's own OpenAPI spec (V2) answers in other shapes than the connector reference: coaching
// metrics are lists of call ids per metric name, library folder entries carry a note, who added
// them and a snippet, trackers say in which call parts they count, and answered scorecards carry
// no overall score. This migration adds what those shapes need, and views that compute a
// scorecard's score from its answers when Gong sends none.

// The view SQL that differs between SQLite and PostgreSQL comes from ./dialect.ts (the same SQL as
// before on SQLite).

export async function up(db: Kysely<any>): Promise<void> {
  const dialect = dialectOf(db);

  // One row per coaching metric of a report (or the manager) and period, whatever names Gong sends.
  await db.schema
    .createTable('coaching_metrics')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('manager_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('from_date', 'text', (c) => c.notNull())
    .addColumn('to_date', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('call_count', 'integer')
    // JSON list of call ids (Gong's shape); NULL when only a count was sent (the reference's shape).
    .addColumn('call_ids', 'text')
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('coaching_metrics_pk', ['workspace_id', 'manager_id', 'user_id', 'from_date', 'to_date', 'metric'])
    .execute();

  for (const [column, type] of [
    ['note', 'text'],
    ['added_by', 'text'],
    ['created', 'text'],
    ['snippet_from_sec', 'integer'],
    ['snippet_to_sec', 'integer'],
  ] as const) {
    await db.schema.alterTable('library_folder_content').addColumn(column, type).execute();
  }
  await db.schema.alterTable('settings_trackers').addColumn('said_in_call_parts', 'text').execute();

  // A scorecard's score: Gong's overallScore when sent (the reference's shape), else the answer
  // to the overall question, else the mean of the scored answers.
  await sql`create view answered_scorecard_scores as
    select s.answered_scorecard_id, s.call_id, s.reviewed_user_id, s.review_time,
           coalesce(
             s.overall_score,
             (select max(a.score) from scorecard_answers a
                where a.answered_scorecard_id = s.answered_scorecard_id and a.is_overall = 1 and a.score is not null),
             (select avg(a.score) from scorecard_answers a
                where a.answered_scorecard_id = s.answered_scorecard_id and a.score is not null and coalesce(a.not_applicable, 0) = 0)
           ) as score
    from stats_activity_scorecards s`.execute(db);

  await sql`drop view if exists call_summary`.execute(db);
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
           (select count(*) from answered_scorecard_scores s where s.call_id = c.id) as scorecards,
           (select round(cast(avg(s.score) as numeric), 2)${asReal(dialect)} from answered_scorecard_scores s where s.call_id = c.id) as average_score,
           ce.brief
    from calls c
    left join users u on u.id = c.primary_user_id
    left join call_transcripts tr on tr.call_id = c.id
    left join calls_extensive ce on ce.id = c.id`.execute(db);

  await sql`drop view if exists rep_weekly_activity`.execute(db);
  await sql`create view rep_weekly_activity as
    with call_weeks as (
      select primary_user_id as user_id, ${weekStart(dialect, 'started')} as week_start, count(*) as calls,
             sum(duration) as call_seconds, round(cast(avg(duration) as numeric), 1)${asReal(dialect)} as average_call_seconds
      from calls where started is not null group by 1, 2
    ), score_weeks as (
      select reviewed_user_id as user_id, ${weekStart(dialect, 'review_time')} as week_start, count(*) as scorecards_received,
             round(cast(avg(score) as numeric), 2)${asReal(dialect)} as average_score
      from answered_scorecard_scores where review_time is not null group by 1, 2
    )
    select cw.user_id, trim(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) as user_name, u.email_address,
           cw.week_start, cw.calls, cw.call_seconds, cw.average_call_seconds,
           coalesce(sw.scorecards_received, 0) as scorecards_received, sw.average_score
    from call_weeks cw
    left join score_weeks sw on sw.user_id = cw.user_id and sw.week_start = cw.week_start
    left join users u on u.id = cw.user_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // Back to the views of 2026-11-25-0003 (overall_score only).
  await sql`drop view if exists rep_weekly_activity`.execute(db);
  await sql`drop view if exists call_summary`.execute(db);
  await sql`drop view if exists answered_scorecard_scores`.execute(db);
  if (dialectOf(db) === 'postgres') {
    await createPostgresCallSummary(db);
    await createPostgresRepWeeklyActivity(db);
    await dropAddedColumns(db);
    return;
  }
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
  await dropAddedColumns(db);
}

async function dropAddedColumns(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('settings_trackers').dropColumn('said_in_call_parts').execute();
  for (const column of ['snippet_to_sec', 'snippet_from_sec', 'created', 'added_by', 'note']) {
    await db.schema.alterTable('library_folder_content').dropColumn(column).execute();
  }
  await db.schema.dropTable('coaching_metrics').ifExists().execute();
}
