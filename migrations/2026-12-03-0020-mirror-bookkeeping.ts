import type { Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
//
// Bookkeeping of a mirror that stays true (issue 19): calls reconcile removed, erasures and their
// proof, the salted hashes later syncs skip, and fields Gong sends that the spec extract lacks.

export async function up(db: Kysely<any>): Promise<void> {
  // One row per call reconcile found gone from Gong and removed (a call can go, come back and go again).
  await db.schema
    .createTable('_deletions')
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('window_from', 'text')
    .addColumn('window_to', 'text')
    .addPrimaryKeyConstraint('_deletions_pk', ['call_id', 'detected_at'])
    .execute();
  // The proof of each erasure: when, which (salted) hash, what went. Never the address itself.
  await db.schema
    .createTable('_erasures')
    .addColumn('erased_at', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('calls_removed', 'integer', (c) => c.notNull())
    .addColumn('rows_removed', 'integer', (c) => c.notNull())
    .addColumn('tables', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('files_checked', 'text')
    .addPrimaryKeyConstraint('_erasures_pk', ['hash', 'erased_at'])
    .execute();
  // Salted hashes (HMAC-SHA256) of erased addresses and of the calls removed for them: sync skips them.
  await db.schema
    .createTable('_suppressions')
    .addColumn('hash', 'text', (c) => c.notNull().primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('added_at', 'text', (c) => c.notNull())
    .execute();
  // The salt of those hashes: one random value per database, so a hash cannot be looked up elsewhere.
  await db.schema
    .createTable('_suppression_salt')
    .addColumn('id', 'integer', (c) => c.notNull().primaryKey())
    .addColumn('salt', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('_schema_drift')
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addColumn('example_type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('_schema_drift_pk', ['endpoint', 'path'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['_schema_drift', '_suppression_salt', '_suppressions', '_erasures', '_deletions']) await db.schema.dropTable(table).ifExists().execute();
}
