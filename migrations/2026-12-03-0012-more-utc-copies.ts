import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.js';

// Frozen in time: never edit a migration that has shipped; add a new one.

/** Gong timestamps (sent with an offset) that had no UTC copy until now: [table, source column]. */
const SOURCES: Array<[table: string, column: string]> = [
  ['library_folder_content', 'created'],
  ['library_folders', 'updated'],
  ['settings_scorecards', 'created'],
  ['settings_scorecards', 'updated'],
  ['settings_trackers', 'created'],
  ['settings_trackers', 'updated'],
  ['scorecard_questions', 'created'],
  ['scorecard_questions', 'updated'],
  ['stats_activity_scorecards', 'answered_date_time'],
];

/**
 * Every timestamp Gong sends with an offset gets its `*_utc` copy, which compares and sorts as an
 * instant (text in the stored form on SQLite, timestamptz on PostgreSQL); rows already stored get
 * theirs now, new rows from the loader.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const postgres = dialectOf(db) === 'postgres';
  for (const [table, column] of SOURCES) {
    const target = `${column}_utc`;
    await db.schema.alterTable(table).addColumn(target, postgres ? 'timestamptz' : 'text').execute();
    const [t, s, c] = [ident(table), ident(column), ident(target)];
    if (postgres) {
      await sql.raw(`update ${t} set ${c} = ${s}::timestamptz where ${s} ~ '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d'`).execute(db);
    } else {
      // The stored form: whole seconds as Gong writes them, milliseconds only when there are any.
      await sql
        .raw(
          `update ${t} set ${c} = case when strftime('%f', ${s}) like '%.000' then strftime('%Y-%m-%dT%H:%M:%SZ', ${s}) else strftime('%Y-%m-%dT%H:%M:%fZ', ${s}) end ` +
            `where ${s} is not null`,
        )
        .execute(db);
    }
  }
  await sql`create index if not exists library_folder_content_created_utc on library_folder_content (created_utc)`.execute(db);
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [table, column] of SOURCES) await db.schema.alterTable(table).dropColumn(`${column}_utc`).execute();
}
