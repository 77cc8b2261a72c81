/**
 * Shared by the mirror-*.test.ts files: the two databases and the two response shapes each test
 * runs on, and reading a destination the way a user would.
 */
import path from 'node:path';
import { query } from './database.js';
import { tempDir } from './cli.js';
import { freshPostgresDatabase } from './postgres-shared.js';
import { pgQuery } from './postgres-database.js';
import type { SimulatorShapes } from '../../src/simulator/shapes.js';

export interface Destination {
  name: string;
  shapes: SimulatorShapes;
  create(): Promise<string>;
  rows(target: string, sql: string): Promise<Array<Record<string, unknown>>>;
  /** Every table and view name of the destination. */
  relations(target: string): Promise<string[]>;
}

const sqlite = (shapes: SimulatorShapes): Destination => ({
  name: `SQLite, ${shapes} shapes`,
  shapes,
  create: async () => path.join(tempDir(), 'mirror.db'),
  rows: async (file, sql) => query(file, sql),
  relations: async (file) =>
    query<{ name: string }>(file, "select name from sqlite_master where type in ('table', 'view') and name not like 'sqlite%'").map(
      (r) => r.name,
    ),
});

const postgres = (shapes: SimulatorShapes): Destination => ({
  name: `PostgreSQL, ${shapes} shapes`,
  shapes,
  create: () => freshPostgresDatabase('mirror'),
  rows: (url, sql) => pgQuery(url, sql),
  relations: async (url) =>
    (
      await pgQuery<{ name: string }>(url, 'select table_name as name from information_schema.tables where table_schema = current_schema()')
    ).map((r) => r.name),
});

/** Each database once in each shape: SQLite with Gong's, PostgreSQL with the reference's, and the other way round. */
export const DESTINATIONS: Destination[] = [sqlite('gong'), postgres('reference'), postgres('gong'), sqlite('reference')];

export const SQLITE_GONG = DESTINATIONS[0]!;

/** The streams these tests sync: calls with everything that belongs to them, folders and scorecards. */
export const MIRROR_STREAMS = [
  'users',
  'workspaces',
  'calls_extensive',
  'call_transcripts',
  'stats_activity_scorecards',
  'settings_scorecards',
  'library_folders',
  'library_folder_content',
];

/** Tables whose rows belong to calls, with the column holding the call id. */
export const CALL_TABLES: Array<[string, string]> = [
  ['calls', 'id'],
  ['calls_extensive', 'id'],
  ['call_parties', 'call_id'],
  ['call_transcripts', 'call_id'],
  ['transcript_sentences', 'call_id'],
  ['call_trackers', 'call_id'],
  ['call_context_fields', 'call_id'],
  ['call_party_context_fields', 'call_id'],
  ['call_topics', 'call_id'],
  ['library_folder_content', 'call_id'],
  ['stats_activity_scorecards', 'call_id'],
];

/** Every row of every relation that mentions `needle` (case-insensitive), as "table: row". */
export async function rowsMentioning(destination: Destination, target: string, needle: string): Promise<string[]> {
  if (!destination.name.startsWith('SQLite')) {
    // One round trip: every relation's rows as text (a row of any table or view casts to text).
    const names = await destination.relations(target);
    const union = names
      .map(
        (n) =>
          `select '${n}' as relation, x::text as row from "${n}" x where lower(x::text) like '%${needle.toLowerCase().replace(/'/g, "''")}%'`,
      )
      .join(' union all ');
    return (await destination.rows(target, union)).map((r) => `${r.relation}: ${String(r.row).slice(0, 200)}`);
  }
  const hits: string[] = [];
  for (const name of await destination.relations(target)) {
    if (name.startsWith('transcript_search')) continue; // SQLite's full-text shadow tables hold tokens, not text
    for (const row of await destination.rows(target, `select * from "${name}"`)) {
      const text = JSON.stringify(row).toLowerCase();
      if (text.includes(needle.toLowerCase())) hits.push(`${name}: ${text.slice(0, 200)}`);
    }
  }
  return hits;
}
