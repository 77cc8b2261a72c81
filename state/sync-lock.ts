import os from 'node:os';
import { LockHeldError } from '../src/errors.js';
import type { SqlExecutor } from '../src/db/sql-executor.js';
import type { HeldLock } from '../src/db/adapter.js';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  acquiredAt: string;
  heartbeatAt: string;
}

export interface SyncLockOptions {
  /** A holder whose heartbeat is older than this is presumed dead and its lock is taken over. */
  staleAfterMs?: number;
  heartbeatEveryMs?: number;
  now?: () => Date;
  pid?: number;
  host?: string;
  onTakeover?: (previous: LockHolder) => void;
  /** PostgreSQL: the session holding the lock ended mid-run (another writer may start): stop. */
  onLost?: (reason: string) => void;
}

/**
 * One writer per database: a row in `_lock`, taken in an immediate transaction, refreshed by a
 * heartbeat, released on exit. A holder that stopped beating (killed, machine gone) or whose pid no
 * longer exists on this host is taken over; a live one makes the newcomer stop with exit 3.
 * Where the database has session locks (PostgreSQL's advisory locks, see the adapter) the exclusion
 * is one held for the run (the server frees it when a killed holder's session ends, on any
 * machine); the row then only says who holds it.
 */
export class SyncLock {
  private timer: NodeJS.Timeout | undefined;
  private serverLock: HeldLock | undefined;
  private readonly staleAfterMs: number;
  private readonly now: () => Date;
  private readonly pid: number;
  private readonly host: string;

  constructor(
    private readonly exec: SqlExecutor,
    private readonly options: SyncLockOptions = {},
  ) {
    this.staleAfterMs = options.staleAfterMs ?? 60_000;
    this.now = options.now ?? (() => new Date());
    this.pid = options.pid ?? process.pid;
    this.host = options.host ?? os.hostname();
  }

  async acquire(command: string): Promise<void> {
    const now = this.now().toISOString();
    const sessionLock = this.exec.database.adapter.sessionLock;
    if (sessionLock) {
      this.serverLock = await sessionLock.hold('sync', (reason) => this.options.onLost?.(reason));
      if (!this.serverLock) throw heldBy(await this.holderSoon());
    }
    await this.exec
      .transaction(async () => {
        const holder = await this.holder();
        if (holder && !(holder.pid === this.pid && holder.host === this.host) && !this.serverLock) {
          if (!this.isStale(holder)) throw heldBy(holder);
          this.options.onTakeover?.(holder);
        }
        await this.exec.run(
          this.exec.db
            .insertInto('_lock')
            .values({ name: 'sync', holder_pid: this.pid, holder_host: this.host, command, acquired_at: now, heartbeat_at: now })
            .onConflict((oc) =>
              oc.column('name').doUpdateSet({ holder_pid: this.pid, holder_host: this.host, command, acquired_at: now, heartbeat_at: now }),
            ),
        );
      })
      .catch(async (error) => {
        await this.serverLock?.release();
        throw error;
      });
    this.timer = setInterval(() => void this.beat(), this.options.heartbeatEveryMs ?? 10_000);
    this.timer.unref();
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    try {
      await this.exec.run(
        this.exec.db.deleteFrom('_lock').where('name', '=', 'sync').where('holder_pid', '=', this.pid).where('holder_host', '=', this.host),
      );
    } finally {
      await this.serverLock?.release();
      this.serverLock = undefined;
    }
  }

  async holder(): Promise<LockHolder | undefined> {
    const row = await this.exec.get<{
      holder_pid: number;
      holder_host: string;
      command: string;
      acquired_at: string;
      heartbeat_at: string;
    }>(this.exec.db.selectFrom('_lock').selectAll().where('name', '=', 'sync'));
    return row
      ? { pid: row.holder_pid, host: row.holder_host, command: row.command, acquiredAt: row.acquired_at, heartbeatAt: row.heartbeat_at }
      : undefined;
  }

  /** The holder's row, waiting briefly for it: a holder that just took the lock writes it a moment later. */
  private async holderSoon(): Promise<LockHolder | undefined> {
    for (let attempt = 0; ; attempt++) {
      const holder = await this.holder();
      if (holder || attempt >= 20) return holder;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private isStale(holder: LockHolder): boolean {
    if (holder.host === this.host && !processExists(holder.pid)) return true;
    return this.now().getTime() - Date.parse(holder.heartbeatAt) > this.staleAfterMs;
  }

  private async beat(): Promise<void> {
    await this.serverLock?.stillHeld();
    try {
      await this.exec.run(
        this.exec.db
          .updateTable('_lock')
          .set({ heartbeat_at: this.now().toISOString() })
          .where('name', '=', 'sync')
          .where('holder_pid', '=', this.pid)
          .where('holder_host', '=', this.host),
      );
    } catch {
      // A busy database delays one heartbeat; the next one catches up.
    }
  }
}

function heldBy(holder: LockHolder | undefined): LockHeldError {
  const who = holder ? `(${holder.command}, pid ${holder.pid} on ${holder.host}, since ${holder.acquiredAt}) ` : '';
  return new LockHeldError(
    `Another gong-sync ${who}is writing to this database; this run stops without changes. It continues on the next run.`,
  );
}

/** For readers (status): whether a lock holder still looks alive, by the same rules as a takeover. */
export function holderIsAlive(holder: LockHolder, now: Date = new Date(), staleAfterMs = 60_000): boolean {
  if (holder.host === os.hostname() && !processExists(holder.pid)) return false;
  return now.getTime() - Date.parse(holder.heartbeatAt) <= staleAfterMs;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
