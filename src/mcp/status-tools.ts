import type { Database } from '../db/database.js';
import type { GongClient } from '../gong/client.js';
import { readStatus } from '../status.js';
import { streams } from '../../streams/index.js';
import { describeError } from '../errors.js';
import { objectSchema } from './json-schema.js';
import type { McpTool } from './tool.js';
import { SqlExecutor } from '../db/sql-executor.js';
import { LiveRequestBudget } from './live-budget.js';

/** sync_status: what the copy holds and how fresh it is (the JSON of `gong-sync status --json`). */
export function syncStatusTool(database: () => Database, budget: number, liveBudget: number): McpTool {
  return {
    name: 'sync_status',
    annotations: { readOnlyHint: true },
    description:
      'How fresh the local copy is: per stream its bookmark (complete up to), last sync, rows, pending work; requests used today (daily and live budgets); last runs.',
    inputSchema: objectSchema({}),
    async run() {
      const db = database();
      const status = await readStatus(db, streams, budget);
      const exec = new SqlExecutor(db);
      const used = await new LiveRequestBudget(exec, { consume: () => undefined }, liveBudget).usedToday();
      return {
        ...status,
        mcpLiveRequestsToday: {
          used,
          budget: liveBudget,
          note: 'requests this server may spend on live answers per UTC day (GONG_MCP_LIVE_BUDGET)',
        },
      };
    },
  };
}

/** check: one cheap authenticated request (GET /v2/workspaces) that says whether Gong accepts the credentials. */
export function checkTool(client: () => GongClient, baseUrl: string): McpTool {
  return {
    name: 'check',
    annotations: { readOnlyHint: true },
    description: 'Checks the Gong credentials with one request (GET /v2/workspaces): {ok, host} or the problem and its fix.',
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
