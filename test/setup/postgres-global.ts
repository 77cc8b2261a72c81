import type { TestProject } from 'vitest/node';
import { startPostgres } from '../helpers/postgres-server.js';

/**
 * One real PostgreSQL server for the whole run; test files reach it through
 * postgresAdminUrl() / freshPostgresDatabase() in test/helpers/postgres-server.ts.
 */
export default async function setup(project: TestProject) {
  try {
    const server = await startPostgres();
    project.provide('postgresAdminUrl', server.adminUrl);
    project.provide('postgresStartError', undefined);
    return () => server.stop();
  } catch (error) {
    // Not thrown: tests that need PostgreSQL fail with this message, the others still run.
    project.provide('postgresAdminUrl', undefined);
    project.provide('postgresStartError', (error as Error).message);
    return undefined;
  }
}
