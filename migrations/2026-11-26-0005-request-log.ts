import type { Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.

export async function up(db: Kysely<any>): Promise<void> {
  // When each recent request left (ms since the epoch), by any gong-sync process on this database,
  // so that all of them share Gong's per-second limit. Pruned to the last minute as it is written.
  await db.schema
    .createTable('_request_log')
    .addColumn('sent_at_ms', 'bigint', (c) => c.notNull())
    .addColumn('pid', 'integer', (c) => c.notNull())
    .addColumn('host', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('_request_log_sent_at').on('_request_log').column('sent_at_ms').execute();
  // A run id that every log line of the run carries, so logs and `_runs` rows can be joined.
  await db.schema.alterTable('_runs').addColumn('run_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('_runs').dropColumn('run_id').execute();
  await db.schema.dropTable('_request_log').ifExists().execute();
}
