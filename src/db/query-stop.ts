import { ConfigError, StoppedEarlyError } from '../errors.js';

/** A read-only query stopped on purpose (SIGINT/SIGTERM, a client that went away): exit 3. */
export class QueryStoppedError extends StoppedEarlyError {
  constructor(reason: string) {
    super(`The query was stopped by ${reason}; nothing was changed.`);
  }
}

/** A read-only query that ran past its time limit: a usage problem (exit 2), as on PostgreSQL's statement_timeout. */
export function queryTimedOut(timeoutMs: number): ConfigError {
  return new ConfigError(
    `SQL error: the query ran past its time limit (${Math.round(timeoutMs / 100) / 10} s) and was stopped; narrow it or raise --timeout`,
  );
}
