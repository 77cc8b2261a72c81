import { AsyncLocalStorage } from 'node:async_hooks';
import type BetterSqlite3 from 'better-sqlite3';
import type { RunResult, SqlBackend } from './sql-executor.js';

/**
 * better-sqlite3 behind the async executor. The driver is synchronous and fast; what this adds is
 * the turn-taking an async transaction needs on a single connection: while one transaction is open,
 * statements from anywhere else wait for it to end instead of slipping into it (and being committed
 * or rolled back with it). Statements are prepared once per SQL text.
 */
export class SqliteBackend implements SqlBackend {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private readonly insideTransaction = new AsyncLocalStorage<true>();
  /** Resolves when the open transaction ends; undefined when none is open. */
  private openTransaction: Promise<void> | undefined;

  constructor(private readonly sqlite: BetterSqlite3.Database) {}

  async run(sqlText: string, params: unknown[]): Promise<RunResult> {
    await this.waitForTurn();
    const info = this.prepare(sqlText).run(...params);
    return { changes: info.changes };
  }

  async all<T>(sqlText: string, params: unknown[]): Promise<T[]> {
    await this.waitForTurn();
    const statement = this.prepare(sqlText);
    if (!statement.reader) {
      statement.run(...params);
      return [];
    }
    return statement.all(...params) as T[];
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.insideTransaction.getStore()) return work();
    while (this.openTransaction) await this.openTransaction;
    let ended!: () => void;
    this.openTransaction = new Promise((resolve) => (ended = resolve));
    try {
      // Immediate: the write lock is taken now, so another process's writer waits here, not mid-page.
      this.prepare('begin immediate').run();
      try {
        const result = await this.insideTransaction.run(true, work);
        this.prepare('commit').run();
        return result;
      } catch (error) {
        if (this.sqlite.inTransaction) this.prepare('rollback').run();
        throw error;
      }
    } finally {
      this.openTransaction = undefined;
      ended();
    }
  }

  private async waitForTurn(): Promise<void> {
    while (this.openTransaction && !this.insideTransaction.getStore()) await this.openTransaction;
  }

  private prepare(sqlText: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sqlText);
    if (!statement) {
      statement = this.sqlite.prepare(sqlText);
      this.statements.set(sqlText, statement);
    }
    return statement;
  }
}
