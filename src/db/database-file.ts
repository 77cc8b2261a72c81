import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ConfigError, DatabaseFileError, GongSyncError } from '../errors.js';

/**
 * Checks the database path before SQLite sees it, so each way it can be wrong gets its own message:
 * a folder, a dangling or looping link, a device, a missing or read-only folder, a read-only file.
 * In write mode a missing file is created, owner-only.
 */
export function checkDatabasePath(file: string, readonly: boolean): void {
  let link: fs.Stats;
  try {
    link = fs.lstatSync(file);
  } catch (error) {
    if (code(error) !== 'ENOENT' && code(error) !== 'ENOTDIR')
      throw new DatabaseFileError(`Cannot use the database ${file}: ${reason(error)}.`);
    if (readonly) throw new ConfigError(`No database at ${file}: run "gong-sync sync" first, or point --db / GONG_DB at it.`);
    createFile(file);
    return;
  }
  let stats = link;
  if (link.isSymbolicLink()) {
    const target = safeReadlink(file);
    try {
      stats = fs.statSync(file);
    } catch (error) {
      if (code(error) === 'ELOOP')
        throw new DatabaseFileError(`The database path ${file} is a symbolic link that loops: point --db / GONG_DB at a real file.`);
      throw new DatabaseFileError(
        `The database path ${file} is a symbolic link to ${target}, which does not exist: fix or remove the link, or point --db / GONG_DB at a real file.`,
      );
    }
  }
  if (stats.isDirectory()) {
    throw new DatabaseFileError(
      `The database path ${file} is a folder, not a file: point --db / GONG_DB at a file, e.g. ${path.join(file, 'gong.db')}.`,
    );
  }
  if (!stats.isFile())
    throw new DatabaseFileError(
      `The database path ${file} is not a regular file (a device, socket or pipe): point --db / GONG_DB at a file.`,
    );
  if (readonly) return;
  try {
    fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
  } catch (error) {
    throw new DatabaseFileError(
      `The database ${file} cannot be written (${reason(error)}): make it writable by this user, or use read-only commands (query, status) on it.`,
    );
  }
  const folder = path.dirname(path.resolve(file));
  try {
    fs.accessSync(folder, fs.constants.W_OK);
  } catch (error) {
    throw new DatabaseFileError(
      `The folder ${folder} of the database ${file} is read-only (${reason(error)}): writing needs to create the journal next to the file. ` +
        'Make the folder writable, or use read-only commands (query, status).',
    );
  }
}

function createFile(file: string): void {
  const folder = path.dirname(path.resolve(file));
  let folderStats: fs.Stats;
  try {
    folderStats = fs.statSync(folder);
  } catch {
    throw new ConfigError(`Cannot create the database ${file}: the folder ${folder} does not exist.`);
  }
  if (!folderStats.isDirectory()) throw new DatabaseFileError(`Cannot create the database ${file}: ${folder} is not a folder.`);
  // Built under a temporary name and linked into place whole: the database never exists half-made
  // (a kill while SQLite writes the first header would leave a hot journal readers cannot undo).
  const staging = path.join(folder, `.${path.basename(file)}.${process.pid}.new`);
  try {
    // Created owner-only before SQLite opens it: it holds a company's calls.
    fs.closeSync(fs.openSync(staging, 'w', 0o600));
    const sqlite = new BetterSqlite3(staging);
    try {
      sqlite.pragma('journal_mode = WAL');
    } finally {
      sqlite.close();
    }
    try {
      fs.linkSync(staging, file);
    } catch (error) {
      if (code(error) !== 'EEXIST') throw error; // another process created it first: use theirs
    }
  } catch (error) {
    throw new DatabaseFileError(
      `Cannot create the database ${file} (${reason(error)}): make the folder ${folder} writable, or choose another --db / GONG_DB.`,
    );
  } finally {
    fs.rmSync(staging, { force: true });
  }
}

/**
 * A process killed while it switched the file's journal mode leaves a hot journal that only a
 * writer can roll back; read-only commands do that recovery (SQLite's own, back to the last
 * commit) when they may write, then read as usual.
 */
export function recoverHotJournal(file: string): boolean {
  try {
    const sqlite = new BetterSqlite3(file, { fileMustExist: true });
    try {
      sqlite.pragma('busy_timeout = 10000');
      sqlite.prepare('select count(*) from sqlite_master').get();
    } finally {
      sqlite.close();
    }
    return true;
  } catch {
    return false;
  }
}

/** An existing database readable by others is tightened to 0600; if that fails, the run warns. */
export function tightenPermissions(file: string, warn: (message: string) => void): void {
  let mode: number;
  try {
    mode = fs.statSync(file).mode & 0o777;
  } catch {
    return;
  }
  if ((mode & 0o077) === 0) return;
  try {
    fs.chmodSync(file, 0o600);
  } catch (error) {
    warn(
      `the database ${file} is readable by others (mode ${mode.toString(8)}) and could not be made owner-only (${reason(error)}): run chmod 600 on it.`,
    );
  }
}

/** What failed when SQLite opened (or first read) the file, as an exit-2 error naming the path. */
export function databaseOpenError(file: string, error: unknown, readonly: boolean): GongSyncError {
  const described = describeSqliteFailure(error, file);
  if (described) return described;
  const sqliteCode = code(error) ?? '';
  const message = (error as Error)?.message ?? String(error);
  if (sqliteCode === 'SQLITE_READONLY_ROLLBACK') {
    return new DatabaseFileError(
      `Cannot read the database ${file}: a gong-sync that was killed left a change to roll back, which needs write access. ` +
        'Run "gong-sync migrate" on it once where it is writable; nothing committed is lost.',
      { cause: error },
    );
  }
  if (/^SQLITE_(CANTOPEN|READONLY)/.test(sqliteCode)) {
    const folder = path.dirname(path.resolve(file));
    if (readonly) {
      return new DatabaseFileError(
        `Cannot read the database ${file} (${message}): it was left in WAL mode and its folder ${folder} is read-only, so SQLite cannot create its index file. ` +
          'Run "gong-sync migrate" on it once where the folder is writable (gong-sync leaves the file self-contained), or make the folder writable.',
      );
    }
    return new DatabaseFileError(
      `Cannot write the database ${file} (${message}): make the file and its folder ${folder} writable by this user.`,
    );
  }
  return new DatabaseFileError(`Cannot open the database ${file}: ${message}.`);
}

/** SQLite failures that are about the file or the disk, named for the user; undefined otherwise. */
export function describeSqliteFailure(error: unknown, file: string | undefined): GongSyncError | undefined {
  const sqliteCode = code(error);
  if (!sqliteCode?.startsWith('SQLITE_')) return undefined;
  const name = file ?? 'the database';
  const message = (error as Error).message;
  if (sqliteCode.startsWith('SQLITE_NOTADB')) {
    return new DatabaseFileError(
      `${name} is not a SQLite database (${message}): point --db / GONG_DB at a gong-sync database, or move the file away to start a new one.`,
    );
  }
  if (sqliteCode.startsWith('SQLITE_CORRUPT')) {
    return new DatabaseFileError(
      `The database ${name} is damaged (${message}): restore it from a backup, or move it away and run "gong-sync sync" to rebuild it from Gong.`,
    );
  }
  if (sqliteCode.startsWith('SQLITE_FULL')) {
    return new GongSyncError(
      `The disk holding ${name} is full (${message}): free some space and run again; everything up to the last committed page is saved.`,
    );
  }
  return undefined;
}

function code(error: unknown): string | undefined {
  return (error as { code?: string })?.code;
}

function reason(error: unknown): string {
  const c = code(error);
  if (c === 'EACCES' || c === 'EPERM') return 'permission denied';
  if (c === 'EROFS') return 'read-only file system';
  if (c === 'ENOTDIR') return 'a part of the path is not a folder';
  return c ?? (error as Error)?.message ?? String(error);
}

function safeReadlink(file: string): string {
  try {
    return fs.readlinkSync(file);
  } catch {
    return '?';
  }
}
