import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { Kysely, SqliteDialect } from 'kysely';
import { GongSyncError } from '../errors.js';
import { checkDatabasePath, databaseOpenError, describeSqliteFailure, recoverHotJournal, tightenPermissions } from './database-file.js';
import { SqliteBackend } from './sqlite-backend.js';
import { SqliteAdapter, keepStatistics } from './sqlite-adapter.js';
import type { DatabaseAdapter } from './adapter.js';
import type { SqlBackend } from './sql-executor.js';
import type { PostgresBackend } from './postgres-backend.js';
import { describePostgresFailure, isPostgresUrl, openPostgres } from './postgres-database.js';

export { migrateToLatest, type MigrationOutcome } from './migrator.js';
export type * from './adapter.js';

export type Dialect = 'sqlite' | 'postgres';

interface DatabaseBase {
  readonly dialect: Dialect;
  /** Kysely, for building SQL in the database's dialect. */
  readonly db: Kysely<any>;
  /** Runs compiled SQL and transactions (see SqlExecutor). */
  readonly backend: SqlBackend;
  /** Everything that differs between the databases (adapter.ts): use it instead of the driver or the dialect. */
  readonly adapter: DatabaseAdapter;
  /** The file, or the server URL without its password: safe to print. */
  readonly file: string;
  close(): Promise<void>;
}

export interface SqliteDatabase extends DatabaseBase {
  readonly dialect: 'sqlite';
  /** The driver: for src/db/ and tests only. Everything else goes through `adapter`. */
  readonly sqlite: BetterSqlite3.Database;
}

export interface PostgresDatabase extends DatabaseBase {
  readonly dialect: 'postgres';
  readonly backend: PostgresBackend;
  readonly pool: pg.Pool;
  /** The schema holding the tables, first on every session's search path. */
  readonly schema: string;
}

export type Database = SqliteDatabase | PostgresDatabase;

export interface OpenOptions {
  readonly?: boolean;
  /** Told when an existing file's permissions could not be tightened to owner-only. */
  warn?: (message: string) => void;
  /** PostgreSQL: the schema of the tables (GONG_DB_SCHEMA, default gong). */
  schema?: string;
}

/**
 * Opens the destination GONG_DB / --db names: a `postgres://` or `postgresql://` URL is a
 * PostgreSQL server, anything else a SQLite file.
 */
export async function connectDatabase(target: string, options: OpenOptions = {}): Promise<Database> {
  if (!isPostgresUrl(target)) return openDatabase(target, options);
  const database = await openPostgres(target, { schema: options.schema ?? 'gong', readonly: options.readonly });
  openedFiles.push(database.file);
  return database;
}

/** The files opened by this process, so a failure found later (a corrupt page) can name its file. */
const openedFiles: string[] = [];

/**
 * Opens (creating if needed, unless read-only) a gong-sync database. Anything wrong with the path
 * or the file (a folder, a dangling link, not SQLite, damaged, a read-only place to write) is a
 * DatabaseFileError (exit 2) that names the path and what to do.
 */
export function openDatabase(file: string, options: OpenOptions = {}): SqliteDatabase {
  try {
    return openChecked(file, options);
  } catch (error) {
    const hotJournal = (error as { cause?: { code?: string } }).cause?.code === 'SQLITE_READONLY_ROLLBACK';
    if (!hotJournal || !options.readonly || !recoverHotJournal(file)) throw error;
    return openChecked(file, options);
  }
}

function openChecked(file: string, options: OpenOptions): SqliteDatabase {
  const readonly = options.readonly ?? false;
  if (file !== ':memory:') {
    checkDatabasePath(file, readonly);
    if (!readonly) tightenPermissions(file, options.warn ?? ((message) => process.stderr.write(`warning: ${message}\n`)));
  }
  let sqlite: BetterSqlite3.Database;
  try {
    sqlite = new BetterSqlite3(file, { readonly, fileMustExist: readonly });
  } catch (error) {
    throw databaseOpenError(file, error, readonly);
  }
  try {
    sqlite.pragma('busy_timeout = 10000');
    if (!readonly) {
      sqlite.pragma('journal_mode = WAL');
      // WAL + NORMAL survives a killed process (not a power cut) and is much faster than FULL.
      sqlite.pragma('synchronous = NORMAL');
    } else {
      sqlite.pragma('query_only = ON');
    }
    // Reads the header and the schema: a file that is not SQLite, or is damaged there, fails now.
    sqlite.prepare('select count(*) from sqlite_master').get();
  } catch (error) {
    sqlite.close();
    throw databaseOpenError(file, error, readonly);
  }
  openedFiles.push(file);
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
  let closed = false;
  const backend = new SqliteBackend(sqlite, file === ':memory:' ? file : path.resolve(file));
  return {
    dialect: 'sqlite',
    db,
    backend,
    adapter: new SqliteAdapter(sqlite, backend, db, file),
    sqlite,
    file,
    async close() {
      if (closed) return;
      closed = true;
      if (!readonly) {
        // Statistics for the planner, kept current after every run that wrote: without them a view
        // joining many tables takes minutes at 20,000 calls instead of about a second. Another
        // process writing now only postpones it (no waiting at exit).
        sqlite.pragma('busy_timeout = 0');
        keepStatistics(sqlite);
        leaveAsSingleFile(sqlite);
      }
      await db.destroy();
    },
  };
}

/**
 * At rest the file is left in rollback-journal mode, one self-contained file, so it can be read
 * where nothing may be written (a read-only folder or mount), where WAL would need its -shm file.
 * The next writer turns WAL back on. If another connection is open the switch is skipped (WAL stays).
 */
function leaveAsSingleFile(sqlite: BetterSqlite3.Database): void {
  try {
    sqlite.pragma('busy_timeout = 0');
    sqlite.pragma('journal_mode = DELETE');
  } catch {
    // a reader holds the file: it stays in WAL mode, which any writable folder reads fine
  }
}

/**
 * A SQLite failure found after the file opened (a damaged page, a full disk) as a user-facing
 * error naming the file, or undefined when the error is not one of those.
 */
export function describeDatabaseFailure(error: unknown): GongSyncError | undefined {
  const target = openedFiles[openedFiles.length - 1];
  return target && isPostgresUrl(target) ? describePostgresFailure(error, target) : describeSqliteFailure(error, target);
}
