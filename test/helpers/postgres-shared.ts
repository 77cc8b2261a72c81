import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { adminQuery, databaseUrl, quoteDatabaseName } from './postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by test/setup/postgres-global.ts when the shared server started. */
    postgresAdminUrl: string | undefined;
    /** Set by test/setup/postgres-global.ts when the shared server could not start. */
    postgresStartError: string | undefined;
  }
}

/** The shared server's admin URL (started once per run by test/setup/postgres-global.ts). */
export function postgresAdminUrl(): string {
  const url = inject('postgresAdminUrl');
  if (url) return url;
  // Fail, never skip: a missing PostgreSQL must not let the PostgreSQL tests pass silently.
  throw new Error(
    `The shared PostgreSQL test server is not running: ${inject('postgresStartError') ?? 'test/setup/postgres-global.ts is not in vitest.config.ts globalSetup'}`,
  );
}

/** A new, empty database on the shared server, uniquely named after `label`; returns its URL. */
export async function freshPostgresDatabase(label: string): Promise<string> {
  const safeLabel =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^[0-9_]+|_+$/g, '')
      .slice(0, 40) || 'test';
  const name = `${safeLabel}_${randomBytes(5).toString('hex')}`;
  const adminUrl = postgresAdminUrl();
  await adminQuery(adminUrl, `create database ${quoteDatabaseName(name)}`);
  return databaseUrl(adminUrl, name);
}
