import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.js';

// Frozen in time: never edit a migration that has shipped; add a new one.
//
// SQLite: transcript_lines reads the compact sentence rows (migration 0030) directly, call by call:
// through the transcript_sentences view SQLite looked the call up in `calls` once per sentence
// (a million lookups at 20,000 calls) instead of once per call. A sentence's participant comes
// from an index holding the columns the view shows, so the lookup never reads the table row.
// Together 0.35 s of the view's 1.4 s at 20,000 calls, for about 120 bytes a call. The columns,
// their names and their values are those of migration 0006. PostgreSQL keeps its view.

export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  await sql`drop index if exists call_parties_speaker`.execute(db);
  await sql`create index call_parties_speaker on call_parties (call_id, speaker_id, name, affiliation, user_id, email_address)`.execute(db);
  await sql`drop view if exists transcript_lines`.execute(db);
  await sql`create view transcript_lines as
    select t.call_id, cast(r.id & 1048575 as integer) as seq, c.title as call_title, c.started_utc, r.start_ms / 1000 as second,
           cast(r.speaker_id as text) as speaker_id, p.name as speaker_name, p.affiliation, p.user_id as speaker_user_id,
           p.email_address as speaker_email_address, topic.name as topic, r.text
    from call_transcripts t
    left join calls c on c.id = t.call_id
    join transcript_sentence_rows r on r.id between (t.rowid << 20) and (t.rowid << 20) + 1048575
    left join transcript_topics topic on topic.id = r.topic_id
    left join call_parties p on p.call_id = t.call_id and p.speaker_id = cast(r.speaker_id as text)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  await sql`drop view if exists transcript_lines`.execute(db);
  await sql`create view transcript_lines as
    select s.call_id, s.seq, c.title as call_title, c.started_utc, s.start_ms / 1000 as second, s.speaker_id,
           p.name as speaker_name, p.affiliation, p.user_id as speaker_user_id, p.email_address as speaker_email_address,
           s.topic, s.text
    from transcript_sentences s
    left join calls c on c.id = s.call_id
    left join call_parties p on p.call_id = s.call_id and p.speaker_id = s.speaker_id`.execute(db);
  await sql`drop index if exists call_parties_speaker`.execute(db);
  await sql`create index call_parties_speaker on call_parties (call_id, speaker_id)`.execute(db);
}
