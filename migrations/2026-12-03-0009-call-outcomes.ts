import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.

/**
 * Call outcome definitions (GET /v2/call-outcomes), and a view that gives each call's outcome its
 * meaning: `calls_extensive.call_outcome_name` matches `call_outcomes.call_outcome`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('call_outcomes')
    .addColumn('call_outcome', 'text', (c) => c.notNull())
    .addColumn('display_order', 'integer')
    .addColumn('connect_status', 'text')
    .addColumn('sentiment', 'text')
    .addColumn('category', 'text')
    .addColumn('todo_action', 'text')
    .addColumn('automation', 'text')
    .addColumn('raw', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('call_outcomes_pk', ['call_outcome'])
    .execute();
  // Every call with an outcome, and what the company's definition of that outcome says (NULLs
  // where the definition is not, or no longer, among the company's outcomes).
  await sql`create view call_outcome_details as
    select ce.id as call_id, ce.started, ce.title,
           ce.call_outcome_id, ce.call_outcome_category, ce.call_outcome_name,
           o.display_order, o.connect_status, o.sentiment, o.category as outcome_category
    from calls_extensive ce
    left join call_outcomes o on o.call_outcome = ce.call_outcome_name
    where ce.call_outcome_name is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop view if exists call_outcome_details`.execute(db);
  await db.schema.dropTable('call_outcomes').ifExists().execute();
}
