import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.js';

// Frozen in time: never edit a migration that has shipped; add a new one.

/**
 * SQLite: transcript sentences stored compactly (they were 9.9 KB of a call's 27 KB).
 *
 * transcript_sentence_rows is keyed by one integer, `call_transcripts.rowid << 20 | seq`, so a
 * call's sentences sit together in key order, a new transcript appends at the end of the B-tree,
 * and no second index on (call_id, seq) is needed: the call id lives once, in call_transcripts.
 * A speaker id of at most 18 digits without a leading zero is stored as an integer (8 bytes
 * instead of 16 to 19) and read back as the same text; a topic name is stored once, in
 * transcript_topics, and each sentence holds its number. transcript_sentences becomes a view with
 * the columns readers knew (no synced_at: the transcript's row carries the stamp); INSTEAD OF
 * triggers keep every writer working, a deleted call_transcripts row takes its sentences with it
 * (its rowid can be handed out again), and the full-text index points at the new keys
 * (columnsize=0: BM25 reads a match's length from its text instead of a 0.5 KB-a-call table).
 * The adapter (src/db/sqlite-adapter.ts) writes new sentences and their index entries directly.
 * PostgreSQL keeps its table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  const strays = await sql<{ n: number; call_id: string | null }>`
    select count(*) as n, min(call_id) as call_id from transcript_sentences s
     where not exists (select 1 from call_transcripts t where t.call_id = s.call_id)
        or typeof(seq) <> 'integer' or seq < 0 or seq > 1048575`.execute(db);
  const stray = strays.rows[0];
  if (stray && Number(stray.n) > 0) {
    // Never dropped silently: a sentence with no transcript row (or a seq beyond the key's 20 bits) has no key.
    throw new Error(
      `${stray.n} transcript sentences (first of call ${stray.call_id}) have no call_transcripts row or a seq outside 0..1048575; ` +
        `delete them (delete from transcript_sentences where call_id not in (select call_id from call_transcripts)) and run again.`,
    );
  }
  // A few topic names (Gong's call topics) said on every sentence: each once, in a dictionary.
  await sql`create table transcript_topics (id integer primary key, name text not null unique)`.execute(db);
  await sql`insert into transcript_topics (name) select distinct topic from transcript_sentences where topic is not null order by 1`.execute(db);
  await sql`create table transcript_sentence_rows (
    id integer primary key, segment_index integer, speaker_id, topic_id integer, start_ms integer, end_ms integer, text text)`.execute(db);
  await sql`insert into transcript_sentence_rows (id, segment_index, speaker_id, topic_id, start_ms, end_ms, text)
    select (t.rowid << 20) | s.seq, s.segment_index, ${compactSpeaker(sql.ref('s.speaker_id'))},
           (select p.id from transcript_topics p where p.name = s.topic), s.start_ms, s.end_ms, s.text
      from transcript_sentences s join call_transcripts t on t.call_id = s.call_id
     order by 1`.execute(db);
  // The old index points at the old table's rowids; the old table's triggers go with it.
  await sql`drop table if exists transcript_search`.execute(db);
  await sql`drop table transcript_sentences`.execute(db);
  await sql`create view transcript_sentences as
    select t.call_id as call_id, cast(r.id & 1048575 as integer) as seq, r.segment_index as segment_index,
           cast(r.speaker_id as text) as speaker_id, p.name as topic, r.start_ms as start_ms, r.end_ms as end_ms, r.text as text
      from call_transcripts t
      join transcript_sentence_rows r on r.id between (t.rowid << 20) and (t.rowid << 20) + 1048575
      left join transcript_topics p on p.id = r.topic_id`.execute(db);
  await sql`create virtual table transcript_search using fts5(text, content='transcript_sentence_rows', content_rowid='id',
    tokenize='unicode61', columnsize=0)`.execute(db);
  await sql`insert into transcript_search(transcript_search) values ('rebuild')`.execute(db);
  for (const statement of triggers()) await sql.raw(statement).execute(db);
}

/** `value` as stored: an id of digits (at most 18, no leading zero) as an integer, anything else as it is. */
function compactSpeaker(value: ReturnType<typeof sql.ref>) {
  return sql`case when typeof(${value}) = 'text' and length(${value}) between 1 and 18 and ${value} glob '[1-9]*'
    and ${value} not glob '*[^0-9]*' then cast(${value} as integer) else ${value} end`;
}

const KEY_OF = (callId: string) => `((select rowid from call_transcripts where call_id = ${callId}) << 20)`;
const SPEAKER = (value: string) =>
  `case when typeof(${value}) = 'text' and length(${value}) between 1 and 18 and ${value} glob '[1-9]*' and ${value} not glob '*[^0-9]*' then cast(${value} as integer) else ${value} end`;
const TOPIC_OF = (value: string) => `(select id from transcript_topics where name = ${value})`;
const ADD_TOPIC = (value: string) => `
    insert into transcript_topics (name) select ${value} where ${value} is not null and not exists ${TOPIC_OF(value)};`;
const CHECKS = (row: string) => `
    select raise(abort, 'transcript_sentences: no call_transcripts row for this call_id (write the transcript first)')
      where not exists (select 1 from call_transcripts where call_id = ${row}.call_id);
    select raise(abort, 'transcript_sentences: seq must be an integer from 0 to 1048575')
      where typeof(${row}.seq) <> 'integer' or ${row}.seq < 0 or ${row}.seq > 1048575;`;

function triggers(): string[] {
  return [
    // The full-text index follows the rows (inserts are indexed by whoever inserts: the view's trigger, the adapter).
    `create trigger transcript_sentence_rows_ad after delete on transcript_sentence_rows begin
      insert into transcript_search(transcript_search, rowid, text) values ('delete', old.id, old.text);
    end`,
    `create trigger transcript_sentence_rows_au after update of id, text on transcript_sentence_rows begin
      insert into transcript_search(transcript_search, rowid, text) values ('delete', old.id, old.text);
      insert into transcript_search(rowid, text) values (new.id, new.text);
    end`,
    // A transcript's rowid may be handed out again once its row is gone: its sentences go with it.
    `create trigger call_transcripts_sentences_ad after delete on call_transcripts begin
      delete from transcript_sentence_rows where id between (old.rowid << 20) and (old.rowid << 20) + 1048575;
    end`,
    `create trigger transcript_sentences_ii instead of insert on transcript_sentences begin ${CHECKS('new')} ${ADD_TOPIC('new.topic')}
      insert into transcript_sentence_rows (id, segment_index, speaker_id, topic_id, start_ms, end_ms, text)
        values (${KEY_OF('new.call_id')} | new.seq, new.segment_index, ${SPEAKER('new.speaker_id')}, ${TOPIC_OF('new.topic')}, new.start_ms, new.end_ms, new.text);
      insert into transcript_search(rowid, text) values (${KEY_OF('new.call_id')} | new.seq, new.text);
    end`,
    `create trigger transcript_sentences_iu instead of update on transcript_sentences begin ${CHECKS('new')} ${ADD_TOPIC('new.topic')}
      update transcript_sentence_rows set id = ${KEY_OF('new.call_id')} | new.seq, segment_index = new.segment_index,
          speaker_id = ${SPEAKER('new.speaker_id')}, topic_id = ${TOPIC_OF('new.topic')}, start_ms = new.start_ms, end_ms = new.end_ms, text = new.text
        where id = ${KEY_OF('old.call_id')} | old.seq;
    end`,
    `create trigger transcript_sentences_id instead of delete on transcript_sentences begin
      delete from transcript_sentence_rows where id = ${KEY_OF('old.call_id')} | old.seq;
    end`,
  ];
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  // Not a rename: renaming checks every view, and those reading transcript_sentences would fail it midway.
  await sql`create temp table transcript_sentences_copy as select * from transcript_sentences`.execute(db);
  await sql`drop view transcript_sentences`.execute(db);
  await sql`drop trigger call_transcripts_sentences_ad`.execute(db);
  await sql`drop table transcript_search`.execute(db);
  await sql`drop table transcript_sentence_rows`.execute(db);
  await sql`drop table transcript_topics`.execute(db);
  await sql`create table transcript_sentences ("call_id" text not null, "seq" integer not null, "segment_index" integer,
    "speaker_id" text, "topic" text, "start_ms" integer, "end_ms" integer, "text" text,
    constraint "transcript_sentences_pk" primary key ("call_id", "seq"))`.execute(db);
  await sql`insert into transcript_sentences select * from temp.transcript_sentences_copy order by call_id, seq`.execute(db);
  await sql`drop table temp.transcript_sentences_copy`.execute(db);
  await sql`create virtual table transcript_search using fts5(text, content='transcript_sentences', content_rowid='rowid', tokenize='unicode61')`.execute(
    db,
  );
  await sql`insert into transcript_search(transcript_search) values ('rebuild')`.execute(db);
  await sql`create trigger transcript_sentences_ad after delete on transcript_sentences begin
    insert into transcript_search(transcript_search, rowid, text) values ('delete', old.rowid, old.text);
  end`.execute(db);
  await sql`create trigger transcript_sentences_au after update of text on transcript_sentences begin
    insert into transcript_search(transcript_search, rowid, text) values ('delete', old.rowid, old.text);
    insert into transcript_search(rowid, text) values (new.rowid, new.text);
  end`.execute(db);
}
