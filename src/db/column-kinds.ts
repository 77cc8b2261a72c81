/**
 * Which columns hold instants, flags and raw JSON, by name (the same names mean the same thing in
 * every table). PostgreSQL stores them as timestamptz, boolean and jsonb; SQLite, which has no such
 * types, keeps ISO-8601 UTC text, 0/1 and JSON text. Readers see the same values on both (the
 * PostgreSQL adapter's type parsers give back SQLite's forms). Export uses this to write Parquet
 * TIMESTAMP and BOOLEAN columns.
 */
import type { ColumnKind } from './adapter.js';

/** Yes/no columns (0/1 on SQLite, boolean on PostgreSQL). */
export const FLAG_COLUMNS: ReadonlySet<string> = new Set([
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
]);

/** The whole record as Gong sent it. */
export const JSON_COLUMNS: ReadonlySet<string> = new Set(['raw']);

/**
 * Instants in UTC: every `*_utc` copy of a Gong timestamp and the sync stamp. The timestamps as Gong
 * sent them (`started`, `created`, with their offsets) stay text on both databases: the offset is
 * part of what Gong said.
 */
export function isInstantColumn(column: string): boolean {
  return column.endsWith('_utc') || column === 'synced_at';
}

/** The kind of a column by its name, or undefined when only its declared type can say. */
export function kindByName(column: string): ColumnKind | undefined {
  if (isInstantColumn(column)) return 'instant';
  if (FLAG_COLUMNS.has(column)) return 'boolean';
  if (JSON_COLUMNS.has(column)) return 'json';
  return undefined;
}

/** The kind of a column from its declared type (either database's names), for columns not named above. */
export function kindByType(declared: string): ColumnKind {
  const type = declared.toLowerCase();
  if (type.includes('timestamp')) return 'instant';
  if (type === 'boolean' || type === 'bool') return 'boolean';
  if (type.startsWith('json')) return 'json';
  if (type.includes('int')) return 'integer';
  if (type.includes('real') || type.includes('floa') || type.includes('doub') || type.includes('numeric')) return 'real';
  if (type.includes('blob') || type === 'bytea') return 'blob';
  return 'text';
}

/**
 * Gong timestamps (sent with an offset) whose `*_utc` copy the loader computes for every row, by
 * table: declared once here instead of in each stream. (Streams that compute their own copies,
 * e.g. calls.started_utc, keep doing so; the loader only fills a copy a row does not carry.)
 */
export const UTC_COPIES: Readonly<Record<string, readonly string[]>> = {
  library_folder_content: ['created'],
  library_folders: ['updated'],
  settings_scorecards: ['created', 'updated'],
  settings_trackers: ['created', 'updated'],
  scorecard_questions: ['created', 'updated'],
  stats_activity_scorecards: ['answered_date_time'],
};
