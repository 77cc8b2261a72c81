import type { Kysely } from 'kysely';

// Frozen in time once shipped: never edit it; add a new migration.

export async function up(db: Kysely<any>): Promise<void> {
  // Requests the MCP server spent on live answers, per UTC day (GONG_MCP_LIVE_BUDGET): counted
  // apart from _request_counts so an agent cannot spend the budget scheduled syncs need.
  await db.schema
    .createTable('_mcp_live_requests')
    .ifNotExists()
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('requests', 'integer', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('_mcp_live_requests').ifExists().execute();
}
