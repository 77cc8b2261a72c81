import { sql } from 'kysely';
import type { SqlExecutor } from '../db/sql-executor.js';
import type { RequestBudget } from '../gong/client.js';
import { GongSyncError } from '../errors.js';
import { utcDay } from '../../state/request-counter.js';

/** The share of the daily budget live MCP answers may spend when GONG_MCP_LIVE_BUDGET is not set. */
export const DEFAULT_LIVE_SHARE = 0.05;

export function defaultLiveBudget(dailyBudget: number): number {
  return Math.max(1, Math.floor(dailyBudget * DEFAULT_LIVE_SHARE));
}

export class LiveBudgetSpentError extends GongSyncError {
  constructor(used: number, budget: number) {
    super(
      `The MCP server's live budget is spent: ${used} of ${budget} requests used today (UTC) for live answers, ` +
        'so that agents cannot starve the scheduled syncs. Answer from the copy (leave out live: true; sync_status says how fresh it is), ' +
        'wait for midnight UTC, or raise GONG_MCP_LIVE_BUDGET.',
    );
  }
}

/**
 * The MCP server's requests count twice: against its own live budget per UTC day (in the table
 * _mcp_live_requests, shared by every MCP server on this database) and, through `daily`, against
 * the budget every command shares. A request past either is refused before it is sent.
 */
export class LiveRequestBudget implements RequestBudget {
  constructor(
    private readonly exec: SqlExecutor,
    private readonly daily: RequestBudget,
    readonly budget: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async usedToday(): Promise<number> {
    const row = await this.exec.get<{ requests: unknown }>(
      this.exec.db.selectFrom('_mcp_live_requests').select('requests').where('day', '=', utcDay(this.now())),
    );
    return Number(row?.requests ?? 0);
  }

  async consume(): Promise<void> {
    const used = await this.usedToday();
    if (used >= this.budget) throw new LiveBudgetSpentError(used, this.budget);
    await this.daily.consume();
    await this.exec.run(
      this.exec.db
        .insertInto('_mcp_live_requests')
        .values({ day: utcDay(this.now()), requests: 1 })
        .onConflict((oc) => oc.column('day').doUpdateSet({ requests: sql`_mcp_live_requests.requests + 1` })),
    );
  }
}
