import fs from 'node:fs';
import type { Database } from './database.js';

/**
 * The step after the adapter's `secureErase` that erasure needs: rebuilding what still holds stale
 * copies. SQLite's secure_delete zeroes the cells and pages a deletion frees, but earlier writes (an
 * upsert, a page split or merge) can have left older copies of a row in the unused space of other
 * pages, which no deletion frees: measured, one copy of an erased address survived secure_delete
 * and a truncated WAL. VACUUM writes every page afresh; the WAL it fills is then copied back and
 * emptied. On PostgreSQL a plain VACUUM only marks dead row versions reusable; VACUUM FULL writes
 * the touched tables (and their TOAST and indexes) into new files and drops the old ones.
 */
export async function rewriteAfterErasure(database: Database, touchedTables: string[]): Promise<void> {
  if (database.dialect === 'sqlite') {
    await database.backend.run('vacuum', []);
    await database.backend.all('pragma wal_checkpoint(truncate)', []);
    return;
  }
  // VACUUM cannot run inside a transaction: each on a pooled connection of its own.
  for (const table of touchedTables) await database.pool.query(`vacuum full "${table.replace(/"/g, '""')}"`);
}

/** How often `needle` (ASCII letters in any case) occurs in the bytes of the database's files: SQLite's file and its WAL. */
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
