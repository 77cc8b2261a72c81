import fs from 'node:fs';
import type { Database } from './database.js';

/**
 * What erasing data for good takes on each database (until the per-database adapter offers it).
 * SQLite: `secure_delete` overwrites freed cells and pages with zeros as rows are deleted. That
 * alone is not enough: earlier writes (an upsert, a page split or merge) can have left stale copies
 * of a row in the unused space of other pages, which secure_delete never sees. So after the
 * deletions the full-text index is merged, the file rebuilt (VACUUM: every page written afresh)
 * and the WAL checkpointed into it and truncated. PostgreSQL: the touched tables are rewritten
 * (VACUUM FULL), so their dead row versions leave the table files.
 */
export async function prepareSecureDelete(database: Database): Promise<void> {
  if (database.dialect === 'sqlite') await database.backend.all('pragma secure_delete = on', []);
}

export async function finishSecureErase(database: Database, touchedTables: string[]): Promise<void> {
  if (database.dialect === 'sqlite') {
    const fts = await database.backend.all<{ name: string }>("select name from sqlite_master where type = 'table' and sql like 'CREATE VIRTUAL TABLE%fts5%'", []);
    for (const { name } of fts) await database.backend.run(`insert into "${name}"("${name}") values ('optimize')`, []);
    await database.backend.run('vacuum', []);
    await database.backend.all('pragma wal_checkpoint(truncate)', []);
    return;
  }
  for (const table of touchedTables) await database.backend.run(`vacuum full "${table.replace(/"/g, '""')}"`, []);
}

/** How often `needle` (case-insensitively) occurs in the bytes of the database's files (SQLite: the file and its WAL). */
export function occurrencesInFiles(database: Database, needle: string): Record<string, number> | undefined {
  if (database.dialect !== 'sqlite' || database.file === ':memory:') return undefined;
  const out: Record<string, number> = {};
  const wanted = Buffer.from(needle.toLowerCase(), 'utf8');
  for (const file of [database.file, `${database.file}-wal`]) {
    if (!fs.existsSync(file)) continue;
    out[file] = countIn(lowerAscii(fs.readFileSync(file)), wanted);
  }
  return out;
}

function lowerAscii(bytes: Buffer): Buffer {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 65 && bytes[i]! <= 90) bytes[i] = bytes[i]! + 32;
  return bytes;
}

function countIn(haystack: Buffer, needle: Buffer): number {
  let count = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + 1)) count++;
  return count;
}
