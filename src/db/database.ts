import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type MigrationProvider, type Migration } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { ConfigError, GongSyncError } from '../errors.js';

export interface Database {
  /** Kysely, for building SQL that another dialect could run too. */
  readonly db: Kysely<any>;
  /** The driver, for synchronous transactions (rows + checkpoint commit together). */
  readonly sqlite: BetterSqlite3.Database;
  readonly file: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly?: boolean;
}

export function openDatabase(file: string, options: OpenOptions = {}): Database {
  if (options.readonly) {
    if (file !== ':memory:' && !fs.existsSync(file)) {
      throw new ConfigError(`No database at ${file}: run "gong-sync sync" first, or point --db / GONG_DB at it.`);
    }
  } else if (file !== ':memory:') {
    const dir = path.dirname(path.resolve(file));
    if (!fs.existsSync(dir)) throw new ConfigError(`Cannot create the database ${file}: the folder ${dir} does not exist.`);
    // Created owner-only before SQLite opens it: it holds a company's calls.
    fs.closeSync(fs.openSync(file, 'a', 0o600));
  }
  let sqlite: BetterSqlite3.Database;
  try {
    sqlite = new BetterSqlite3(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (error) {
    throw new ConfigError(`Cannot open the database ${file}: ${(error as Error).message}`);
  }
  sqlite.pragma('busy_timeout = 10000');
  if (!options.readonly) {
    sqlite.pragma('journal_mode = WAL');
    // WAL + NORMAL survives a killed process (not a power cut) and is much faster than FULL.
    sqlite.pragma('synchronous = NORMAL');
  } else {
    sqlite.pragma('query_only = ON');
  }
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
  let closed = false;
  return {
    db,
    sqlite,
    file,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

class ListedMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

export interface MigrationOutcome {
  applied: string[];
}

export async function migrateToLatest(database: Database): Promise<MigrationOutcome> {
  const migrator = new Migrator({ db: database.db, provider: new ListedMigrations() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new GongSyncError(`Database migration ${failed} failed: ${(error as Error).message ?? String(error)}`);
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
