import type { Database } from '../db/database.js';
import type { GongClient } from '../gong/client.js';
import { readStatus } from '../status.js';
import { streams } from '../../streams/index.js';
import { describeError } from '../errors.js';
import { objectSchema } from './json-schema.js';
import type { McpTool } from './tool.js';

/** sync_status: what the copy holds and how fresh it is (the JSON of `gong-sync status --json`). */
export function syncStatusTool(database: () => Database, budget: number): McpTool {
  return {
    name: 'sync_status',
    description:
      "What the local copy holds and how fresh it is: per stream its bookmark (data complete up to), last successful sync, rows per table and pending work; " +
      "requests used today against the daily budget; the last runs. Use it to decide whether the copy can answer or live: true is needed.",
    inputSchema: objectSchema({}),
    async run() {
      return readStatus(database(), streams, budget);
    },
  };
}

/** check: one cheap authenticated request (GET /v2/workspaces) that says whether Gong accepts the credentials. */
export function checkTool(client: () => GongClient, baseUrl: string): McpTool {
  return {
    name: 'check',
    description: 'Checks the Gong credentials with one cheap authenticated request (GET /v2/workspaces, counted against the daily budget). Returns {ok, host, ...} or the problem and what to fix.',
    inputSchema: objectSchema({}),
    async run() {
      const host = new URL(baseUrl).host;
      try {
        const answer = (await client().request({ method: 'GET', path: '/v2/workspaces' })) as { workspaces?: unknown[] } | null;
        return { ok: true, host, credentialsAccepted: true, workspaces: answer?.workspaces?.length ?? 0 };
      } catch (error) {
        return { ok: false, host, problem: describeError(error) };
      }
    },
  };
}
