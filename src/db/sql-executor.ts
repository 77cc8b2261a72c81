import type BetterSqlite3 from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';
import type { Database } from './database.js';

/**
 * Runs SQL that Kysely compiled, synchronously, on the SQLite driver, with prepared statements
 * cached by their text. Synchronous transactions are what make "a page's rows and its checkpoint
 * commit together" hold: nothing else can run between them.
 */
export class SqlExecutor {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(readonly database: Database) {}

  get db() {
    return this.database.db;
  }

  prepare(sqlText: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sqlText);
    if (!statement) {
      statement = this.database.sqlite.prepare(sqlText);
      this.statements.set(sqlText, statement);
    }
    return statement;
  }

  run(query: CompiledQuery | { compile(): CompiledQuery }): BetterSqlite3.RunResult {
    const compiled = 'compile' in query ? query.compile() : query;
    return this.prepare(compiled.sql).run(...compiled.parameters.map(toSqliteValue));
  }

  all<T>(query: CompiledQuery | { compile(): CompiledQuery }): T[] {
    const compiled = 'compile' in query ? query.compile() : query;
    return this.prepare(compiled.sql).all(...compiled.parameters.map(toSqliteValue)) as T[];
  }

  get<T>(query: CompiledQuery | { compile(): CompiledQuery }): T | undefined {
    const compiled = 'compile' in query ? query.compile() : query;
    return this.prepare(compiled.sql).get(...compiled.parameters.map(toSqliteValue)) as T | undefined;
  }

  transaction<T>(work: () => T): T {
    return this.database.sqlite.transaction(work).immediate();
  }
}

/** SQLite stores no booleans or objects: 0/1 and JSON text. */
export function toSqliteValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'object' && !(value instanceof Buffer)) return JSON.stringify(value);
  return value;
}
