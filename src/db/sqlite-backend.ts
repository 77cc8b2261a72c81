import { AsyncLocalStorage } from 'node:async_hooks';
import type BetterSqlite3 from 'better-sqlite3';
import type { RunResult, SqlBackend } from './sql-executor.js';

/** Turn-taking shared by every connection of this process to one file. */
interface Gate {
  /** Resolves when the open transaction ends; undefined when none is open. */
  openTransaction: Promise<void> | undefined;
}

const gates = new Map<string, Gate>();
const insideTransaction = new AsyncLocalStorage<{ gate: Gate; open: boolean }>();

/**
 * better-sqlite3 behind the async executor. The driver is synchronous and fast; what this adds is
 * the turn-taking an async transaction needs: while one transaction is open, statements from
 * anywhere else in this process wait for it to end instead of slipping into it (and being
 * committed or rolled back with it), and a second connection to the same file waits here rather
 * than inside SQLite's busy handler, which would block the event loop the open transaction needs
 * to finish. Other processes wait in the busy handler as before. Statements are prepared once.
 */
export class SqliteBackend implements SqlBackend {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();
  private readonly gate: Gate;

  /** `file`: the database's resolved path, so connections to one file share their turns. */
  constructor(
    private readonly sqlite: BetterSqlite3.Database,
    file: string,
  ) {
    let gate = file === ':memory:' ? undefined : gates.get(file);
    if (!gate) {
      gate = { openTransaction: undefined };
      if (file !== ':memory:') gates.set(file, gate);
    }
    this.gate = gate;
  }

  /**
   * Runs at once, in the caller's tick, unless another transaction is open: a statement outside
   * any transaction (the pacer's send-time correction) must be visible to other processes as soon
   * as it is issued, not after whatever page this process writes next.
   */
  run(sqlText: string, params: unknown[]): Promise<RunResult> {
    if (this.mustWait()) return this.waitForTurn().then(() => this.run(sqlText, params));
    try {
      const info = this.prepare(sqlText).run(...params);
      return Promise.resolve({ changes: info.changes });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  all<T>(sqlText: string, params: unknown[]): Promise<T[]> {
    if (this.mustWait()) return this.waitForTurn().then(() => this.all<T>(sqlText, params));
    try {
      const statement = this.prepare(sqlText);
      if (!statement.reader) {
        statement.run(...params);
        return Promise.resolve([]);
      }
      return Promise.resolve(statement.all(...params) as T[]);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private mustWait(): boolean {
    return this.gate.openTransaction !== undefined && !this.inOpenTransaction();
  }

  async transaction<T>(work: () => Promise<T>): Promise<T> {
    if (this.inOpenTransaction()) return work();
    while (this.gate.openTransaction) await this.gate.openTransaction;
    let ended!: () => void;
    this.gate.openTransaction = new Promise((resolve) => (ended = resolve));
    const context = { gate: this.gate, open: true };
    try {
      // Immediate: the write lock is taken now, so another process's writer waits here, not mid-page.
      this.prepare('begin immediate').run();
      try {
        const result = await insideTransaction.run(context, work);
        this.prepare('commit').run();
        return result;
      } catch (error) {
        if (this.sqlite.inTransaction) this.prepare('rollback').run();
        throw error;
      }
    } finally {
      context.open = false;
      this.gate.openTransaction = undefined;
      ended();
    }
  }

  private async waitForTurn(): Promise<void> {
    while (this.gate.openTransaction && !this.inOpenTransaction()) await this.gate.openTransaction;
  }

  /** Inside a transaction of this file that is still open (work that outlived its transaction waits its turn). */
  private inOpenTransaction(): boolean {
    const context = insideTransaction.getStore();
    return context !== undefined && context.gate === this.gate && context.open;
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
