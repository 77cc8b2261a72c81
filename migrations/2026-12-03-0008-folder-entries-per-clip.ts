import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.js';

// Frozen in time: never edit a migration that has shipped; add a new one.

/**
 * A library folder can hold the same call twice, as two clips: entries are keyed by folder, call
 * and `created` (not folder and call, which kept only one clip). `created` becomes part of the key,
 * so it is never NULL ('' where a tenant sends none). Rows already stored are kept; the next folder
 * refresh adds the second clips.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`update library_folder_content set created = '' where created is null`.execute(db);
  if (dialectOf(db) === 'postgres') {
    await sql`alter table library_folder_content alter column created set not null`.execute(db);
    await sql`alter table library_folder_content drop constraint library_folder_content_pk`.execute(db);
    await sql`alter table library_folder_content add constraint library_folder_content_pk primary key (folder_id, call_id, created)`.execute(db);
    return;
  }
  // SQLite cannot change a primary key: the table is rebuilt with the same columns (no view,
  // index or trigger refers to it), in its row order.
  await rebuildSqlite(db, ['folder_id', 'call_id', 'created']);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql`alter table library_folder_content drop constraint library_folder_content_pk`.execute(db);
    await sql`delete from library_folder_content a using library_folder_content b
      where a.folder_id = b.folder_id and a.call_id = b.call_id and a.created > b.created`.execute(db);
    await sql`alter table library_folder_content add constraint library_folder_content_pk primary key (folder_id, call_id)`.execute(db);
    await sql`alter table library_folder_content alter column created drop not null`.execute(db);
    return;
  }
  await sql`delete from library_folder_content where rowid not in (select min(rowid) from library_folder_content group by folder_id, call_id)`.execute(db);
  await rebuildSqlite(db, ['folder_id', 'call_id']);
}

async function rebuildSqlite(db: Kysely<any>, key: string[]): Promise<void> {
  const columns = (
    await sql<{ name: string; type: string; notnull: number }>`select name, type, "notnull" from pragma_table_info('library_folder_content') order by cid`.execute(db)
  ).rows;
  const definitions = columns.map((c) => `"${c.name}" ${c.type}${c.notnull || key.includes(c.name) ? ' not null' : ''}`);
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  await sql
    .raw(`create table "library_folder_content_rebuilt" (${definitions.join(', ')}, constraint "library_folder_content_pk" primary key (${key.map((k) => `"${k}"`).join(', ')}))`)
    .execute(db);
  await sql.raw(`insert into "library_folder_content_rebuilt" (${names}) select ${names} from "library_folder_content" order by rowid`).execute(db);
  await sql`drop table library_folder_content`.execute(db);
  await sql`alter table library_folder_content_rebuilt rename to library_folder_content`.execute(db);
}
