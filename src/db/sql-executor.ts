import type { CompiledQuery } from 'kysely';
import type { Database } from './database.js';

type Query = CompiledQuery | { compile(): CompiledQuery };

export interface RunResult {
  /** Rows the statement changed. */
  changes: number;
}

/** What a transaction runs on: the connection of one database, one statement at a time. */
export interface SqlBackend {
  /** Runs SQL text with positional parameters (already in the dialect's placeholder form). */
  /** `reuse`: the text will be run many times (worth preparing once per connection). */
  run(sqlText: string, params: unknown[], options?: { reuse?: boolean }): Promise<RunResult>;
  all<T>(sqlText: string, params: unknown[]): Promise<T[]>;
  /**
   * Runs `work` in one transaction: every statement the executor runs during it, from any
   * function it calls, joins it; anything else on this database waits until it ends. Exclusive
   * names serialize a short critical section across processes too (the shared request log).
   */
  transaction<T>(work: () => Promise<T>, options?: { exclusive?: string }): Promise<T>;
}

/**
 * Runs SQL that Kysely compiled on the database's backend (SQLite or PostgreSQL). Every call is
 * async; a page's rows and its checkpoint commit together because the runner writes both inside
 * one `transaction`, which every statement issued from within joins.
 */
export class SqlExecutor {
  constructor(readonly database: Database) {}

  get db() {
    return this.database.db;
  }

  /** @deprecated Ask `database.adapter` for what differs between databases instead of branching on this. */
  get dialect() {
    return this.database.dialect;
  }

  async run(query: Query): Promise<RunResult> {
    const compiled = compile(query);
    return this.database.backend.run(compiled.sql, compiled.parameters.map(toStoredValue));
  }

  async all<T>(query: Query): Promise<T[]> {
    const compiled = compile(query);
    return this.database.backend.all<T>(compiled.sql, compiled.parameters.map(toStoredValue));
  }

  async get<T>(query: Query): Promise<T | undefined> {
    return (await this.all<T>(query))[0];
  }

  /** Runs SQL text written for this dialect (placeholders `?` on SQLite, `$1` on PostgreSQL), prepared once for reuse. */
  async runSql(sqlText: string, params: unknown[]): Promise<RunResult> {
    return this.database.backend.run(sqlText, params, { reuse: true });
  }

  transaction<T>(work: () => Promise<T>, options?: { exclusive?: string }): Promise<T> {
    return this.database.backend.transaction(work, options);
  }
}

function compile(query: Query): CompiledQuery {
  return 'compile' in query ? query.compile() : query;
}

/** Stored as SQLite stores them on both databases: booleans as 0/1, objects as JSON text. */
export function toStoredValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'object' && !(value instanceof Buffer)) return JSON.stringify(value);
  return value;
}
