import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.js';

// Frozen in time: never edit a migration that has shipped; add a new one.

/**
 * SQLite: transcript sentences are indexed for full-text search by one statement per loader
 * statement (src/db/sqlite-adapter.ts) instead of a trigger per inserted row, which made loading
 * slower. The delete and update triggers stay. PostgreSQL computes its tsvector column as it
 * writes the row and has no trigger.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  await sql`drop trigger if exists transcript_sentences_ai`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  await sql`create trigger transcript_sentences_ai after insert on transcript_sentences begin
    insert into transcript_search(rowid, text) values (new.rowid, new.text);
  end`.execute(db);
}
