import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.js';

// Frozen in time: never edit a migration that has shipped; add a new one.

/** Yes/no columns, stored 0/1 until now (the list as of this migration: it never changes). */
const FLAGS = [
  'active',
  'during_call',
  'emails_imported',
  'enabled',
  'gong_connect_enabled',
  'include_related_forms',
  'is_manager',
  'is_overall',
  'is_primary',
  'is_private',
  'is_required',
  'non_recorded_meetings_imported',
  'not_applicable',
  'part_of_question',
  'prevent_email_import',
  'prevent_web_conference_recording',
  'telephony_calls_imported',
  'web_conferences_recorded',
];

/**
 * PostgreSQL gets its native types where it has them: `timestamptz` for the UTC instants (`*_utc`,
 * `synced_at`), `boolean` for flags, `jsonb` for the raw records. BI tools then group by week and
 * filter on flags without casts. SQLite, which has no such types, is left as it is (ISO-8601 text,
 * 0/1, JSON text). The views that read the altered columns are dropped and made again from their
 * own definitions.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await convertToNativeTypes(db);
}

/**
 * Converts every base table of the current schema whose columns match the rules above (so a later
 * migration may call it again for tables added since). Idempotent: converted columns are skipped.
 */
export async function convertToNativeTypes(db: Kysely<any>): Promise<void> {
  const { rows: columns } = await sql<{ table_name: string; column_name: string; data_type: string }>`
    select c.table_name, c.column_name, c.data_type from information_schema.columns c
      join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
     where c.table_schema = current_schema() and t.table_type = 'BASE TABLE' and t.table_name not like '\\_%'
     order by c.table_name, c.ordinal_position`.execute(db);
  const changes = new Map<string, string[]>();
  for (const { table_name: table, column_name: column, data_type: type } of columns) {
    const change = alteration(column, type);
    if (change) changes.set(table, [...(changes.get(table) ?? []), change]);
  }
  if (changes.size === 0) return;

  // PostgreSQL refuses to change the type of a column a view reads: the views go, and come back.
  const { rows: views } = await sql<{ name: string; definition: string }>`
    select c.relname as name, pg_get_viewdef(c.oid) as definition from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = current_schema() and c.relkind = 'v' order by c.oid`.execute(db);
  for (const view of [...views].reverse()) await sql`drop view if exists ${sql.id(view.name)} cascade`.execute(db);
  for (const [table, alterations] of changes) await sql.raw(`alter table ${ident(table)} ${alterations.join(', ')}`).execute(db);
  // In the order they were made (a view may read another).
  for (const view of views) await sql.raw(`create view ${ident(view.name)} as ${forBooleanFlags(view.definition)}`).execute(db);
}

function alteration(column: string, type: string): string | undefined {
  const name = ident(column);
  if ((column.endsWith('_utc') || column === 'synced_at') && type === 'text') {
    return `alter column ${name} type timestamptz using nullif(btrim(${name}), '')::timestamptz`;
  }
  if (FLAGS.includes(column) && ['bigint', 'integer', 'smallint'].includes(type)) return `alter column ${name} type boolean using ${name} <> 0`;
  // jsonb cannot hold the \u0000 escape (text could): it is dropped, as NUL characters are from text.
  if (column === 'raw' && type === 'text') return `alter column ${name} type jsonb using regexp_replace(${name}, '(?<!\\\\)\\\\u0000', '', 'g')::jsonb`;
  return undefined;
}

/**
 * A view written for 0/1 flags, made to read booleans: `flag = 1` becomes `flag = true`, and a flag
 * inside coalesce() or an aggregate is read as 0/1 there.
 */
function forBooleanFlags(definition: string): string {
  const flag = `(?<![\\w.])((?:\\w+\\.)?(?:${FLAGS.join('|')}))\\b`;
  return definition
    .replace(new RegExp(`\\b(coalesce|sum|avg|min|max)\\(${flag}`, 'gi'), (_m, fn: string, column: string) => `${fn}((${column})::integer`)
    .replace(
      new RegExp(`${flag}\\s*(=|<>|!=)\\s*(?:\\(([01])\\)|([01])\\b)(?:::\\w+)?`, 'g'),
      (_m, column: string, op: string, wrapped: string | undefined, bare: string | undefined) => `${column} ${op} ${(wrapped ?? bare) === '1'}`,
    );
}

function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function down(): Promise<void> {
  // Not reversible in place; a PostgreSQL destination is rebuilt by a fresh sync if need be.
}
