import { sql, type Kysely } from 'kysely';
import { migrations as listedMigrations } from '../../migrations/index.js';
import { GongSyncError, InterruptedError } from '../errors.js';
import type { Database } from './database.js';

/** Kysely's bookkeeping table, kept so databases migrated by earlier versions carry on. */
const MIGRATION_TABLE = 'kysely_migration';

export interface MigrationOutcome {
  applied: string[];
}

type Migration = { up(db: Kysely<any>): Promise<void> };

/**
 * Applies pending migrations in name order, each in its own transaction together with the row that
 * records it: a migration is either wholly applied and recorded or not at all, so a process killed
 * at any instant leaves a database the next run migrates. (Kysely's Migrator does not use
 * transactions on SQLite, whose DDL is transactional.) Each transaction is immediate, so two
 * processes migrating at once take turns (on PostgreSQL too, by an advisory lock) and the second finds the work done. A stop signal is
 * honoured between migrations (exit 3).
 */
export async function migrateToLatest(
  database: Database,
  signal?: AbortSignal,
  migrations: Record<string, Migration> = listedMigrations,
): Promise<MigrationOutcome> {
  const { db } = database;
  const begin = beginExclusive(database.dialect);
  await db.connection().execute(async (connection) => {
    await begin(connection);
    try {
      await connection.schema
        .createTable(MIGRATION_TABLE)
        .ifNotExists()
        .addColumn('name', 'varchar(255)', (c) => c.notNull().primaryKey())
        .addColumn('timestamp', 'varchar(255)', (c) => c.notNull())
        .execute();
      await sql`commit`.execute(connection);
    } catch (error) {
      await sql`rollback`.execute(connection).catch(() => undefined);
      throw error;
    }
  });
  const names = Object.keys(migrations).sort();
  const known = new Set(names);
  const unknown = (await appliedNames(db)).filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new GongSyncError(
      `The database ${database.file} was migrated by a newer gong-sync (it has ${unknown.join(', ')}): upgrade gong-sync to use it.`,
    );
  }
  const applied: string[] = [];
  for (const name of names) {
    if (signal?.aborted) throw new InterruptedError(String(signal.reason ?? 'a signal'));
    const ran = await db.connection().execute(async (connection) => {
      await begin(connection);
      try {
        if ((await appliedNames(connection)).includes(name)) {
          await sql`commit`.execute(connection);
          return false;
        }
        await migrations[name]!.up(connection);
        await connection.insertInto(MIGRATION_TABLE).values({ name, timestamp: new Date().toISOString() }).execute();
        await sql`commit`.execute(connection);
        return true;
      } catch (error) {
        await sql`rollback`.execute(connection).catch(() => undefined);
        throw migrationError(name, error);
      }
    });
    if (ran) applied.push(name);
  }
  return { applied };
}

/**
 * Opens a transaction no other migrator can enter: SQLite's immediate transaction takes the write
 * lock; on PostgreSQL a transaction-scoped advisory lock (per schema) does the same.
 */
function beginExclusive(dialect: 'sqlite' | 'postgres'): (connection: Kysely<any>) => Promise<void> {
  if (dialect === 'sqlite') return async (connection) => void (await sql`begin immediate`.execute(connection));
  return async (connection) => {
    await sql`begin`.execute(connection);
    await sql`select pg_advisory_xact_lock(hashtext('gong-sync:migrate:' || current_schema()))`.execute(connection);
  };
}

async function appliedNames(db: Kysely<any>): Promise<string[]> {
  const rows = await db.selectFrom(MIGRATION_TABLE).select('name').execute();
  return rows.map((row) => String(row.name));
}

function migrationError(name: string, error: unknown): unknown {
  // The file's own problems (damaged, disk full) keep their code, so the CLI names the file.
  if ((error as { code?: string })?.code?.startsWith('SQLITE_') && !/SQLITE_ERROR$/.test((error as { code: string }).code)) return error;
  if (error instanceof GongSyncError) return error;
  return new GongSyncError(`Database migration ${name} failed (nothing of it was applied): ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}
