import os from 'node:os';
import { sql } from 'kysely';
import type { SqlExecutor } from '../src/db/sql-executor.js';
import type { SharedSendLog } from '../src/gong/pacer.js';

const KEEP_MS = 60_000;
const PRUNE_EVERY = 200;

/**
 * The send times of every gong-sync process on this database (`_request_log`), so back-to-back
 * runs, `get` or `execute` during a sync, and `schedule` ticks share Gong's per-second limit.
 * A claim is one small exclusive transaction (read the last few sends, insert one row; processes
 * take turns), and a busy database only delays the claim, never the send it grants.
 */
export class SharedRequestTimes implements SharedSendLog {
  private claims = 0;
  private readonly host = os.hostname();

  constructor(private readonly exec: SqlExecutor) {}

  claim({
    perWindow,
    spanMs,
    minGapMs,
    nowMs,
  }: {
    perWindow: number;
    spanMs: number;
    minGapMs: number;
    nowMs: number;
  }): Promise<{ sentAt: number } | { retryAt: number }> {
    return this.exec.transaction(
      async () => {
        // Time read inside the transaction: waiting for another writer must not make it stale.
        const now = Math.max(nowMs, Date.now());
        const recent = await this.exec.all<{ sent_at_ms: number }>(
          this.exec.db
            .selectFrom('_request_log')
            .select('sent_at_ms')
            .where('sent_at_ms', '>', now - spanMs)
            .orderBy('sent_at_ms', 'desc')
            .limit(perWindow),
        );
        const latest = recent[0] ? Number(recent[0].sent_at_ms) : undefined;
        if (latest !== undefined && now - latest < minGapMs) return { retryAt: latest + minGapMs };
        if (recent.length >= perWindow) return { retryAt: Number(recent[perWindow - 1]!.sent_at_ms) + spanMs };
        await this.exec.run(this.exec.db.insertInto('_request_log').values({ sent_at_ms: now, pid: process.pid, host: this.host }));
        if (++this.claims % PRUNE_EVERY === 1) {
          await this.exec.run(this.exec.db.deleteFrom('_request_log').where('sent_at_ms', '<', now - KEEP_MS));
        }
        return { sentAt: now };
      },
      { exclusive: 'request_log' },
    );
  }

  async correct(claimedMs: number, actualMs: number): Promise<void> {
    await this.exec.run(
      this.exec.db
        .updateTable('_request_log')
        .set({ sent_at_ms: actualMs })
        .where('sent_at_ms', '=', claimedMs)
        .where('pid', '=', process.pid)
        .where('host', '=', this.host),
    );
  }

  /** Sends recorded in the last `spanMs` (for status and tests). */
  async countSince(spanMs: number, nowMs = Date.now()): Promise<number> {
    const row = await this.exec.get<{ n: number }>(
      this.exec.db
        .selectFrom('_request_log')
        .select(sql<number>`count(*)`.as('n'))
        .where('sent_at_ms', '>', nowMs - spanMs),
    );
    return Number(row?.n ?? 0);
  }
}
