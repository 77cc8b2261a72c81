import { sql } from 'kysely';
import { DailyBudgetSpentError } from '../src/errors.js';
import type { RequestBudget } from '../src/gong/client.js';
import type { SqlExecutor } from '../src/db/sql-executor.js';

/**
 * Gong gives no "remaining quota" header, so requests are counted here, per UTC day, in the
 * database (shared by every process that syncs into it). A request past the budget is refused
 * before it is sent.
 */
export class DailyRequestCounter implements RequestBudget {
  constructor(
    private readonly exec: SqlExecutor,
    private readonly budget: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async usedToday(): Promise<number> {
    const row = await this.exec.get<{ requests: number }>(
      this.exec.db.selectFrom('_request_counts').select('requests').where('day', '=', utcDay(this.now())),
    );
    return row?.requests ?? 0;
  }

  async consume(): Promise<void> {
    const day = utcDay(this.now());
    const used = await this.usedToday();
    if (used >= this.budget) throw new DailyBudgetSpentError(used, this.budget);
    await this.exec.run(
      this.exec.db
        .insertInto('_request_counts')
        .values({ day, requests: 1 })
        .onConflict((oc) => oc.column('day').doUpdateSet({ requests: sql`_request_counts.requests + 1` })),
    );
  }
}

export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
