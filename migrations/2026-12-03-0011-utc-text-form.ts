import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.js';

// Frozen in time: never edit a migration that has shipped; add a new one.

/**
 * SQLite: the `*_utc` copies are rewritten in the one text form every instant now has (whole
 * seconds as Gong writes them: `2024-05-01T10:00:00Z`, milliseconds only when there are any), so
 * `started` and `started_utc` compare equal as text when Gong sent UTC. PostgreSQL stores these
 * columns as timestamptz (2026-12-03-0010), which has no text form to fix.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'sqlite') return;
  const { rows } = await sql<{ table_name: string; column_name: string }>`
    select m.name as table_name, p.name as column_name from sqlite_master m join pragma_table_info(m.name) p
     where m.type = 'table' and p.name like '%\\_utc' escape '\\' order by 1, 2`.execute(db);
  for (const { table_name: table, column_name: column } of rows) {
    const [t, c] = [ident(table), ident(column)];
    await sql.raw(`update ${t} set ${c} = substr(${c}, 1, 19) || 'Z' where ${c} like '____-__-__T__:__:__.000Z'`).execute(db);
  }
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function down(): Promise<void> {
  // Nothing to undo: both forms are the same instants.
}
