import type { Database } from '../db/database.js';
import { readOnlyQuery } from '../db/postgres-query.js';
import { objectSchema } from './json-schema.js';
import { ToolError, type McpTool } from './tool.js';
import { MAX_ANSWER_CHARS } from './answer-size.js';
import { QueryRefusedError, QueryTimeoutError, SqliteQueryWorker, type QueryAnswer } from './sqlite-query-worker.js';

const DEFAULT_ROWS = 100;
const MAX_ROWS = 1000;
const DEFAULT_TIMEOUT_S = 10;
const MAX_TIMEOUT_S = 120;

/** Runs one read-only statement with a time limit, off the server's event loop. */
export interface ReadOnlyRunner {
  run(sql: string, options: { maxRows: number; maxChars: number; timeoutMs: number }): Promise<QueryAnswer>;
  close(): Promise<void>;
}

/** SQLite: a worker thread it can terminate; PostgreSQL: a READ ONLY transaction with a statement timeout. */
export function readOnlyRunner(database: Database, file: string): ReadOnlyRunner {
  if (database.dialect === 'sqlite') return new SqliteQueryWorker(file);
  return {
    async run(sqlText, options) {
      const result = await readOnlyQuery(database, sqlText, { timeoutMs: options.timeoutMs });
      try {
        const rows: Array<Record<string, unknown>> = [];
        let chars = 0;
        let truncated = false;
        for await (const values of result.rows) {
          const row = Object.fromEntries(result.columns.map((c, i) => [c, values[i]]));
          const size = JSON.stringify(row, plain).length;
          if (rows.length >= options.maxRows || chars + size > options.maxChars) {
            truncated = true;
            break;
          }
          rows.push(JSON.parse(JSON.stringify(row, plain)));
          chars += size;
        }
        return { columns: result.columns, rows, truncated };
      } finally {
        await result.close();
      }
    },
    async close() {},
  };
}

const plain = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

/**
 * query: one read-only SQL statement on the local copy, off the main loop with a time limit (other
 * tools keep answering while it runs; a runaway statement ends with a tool error). Only statements
 * that return rows are accepted, on a read-only connection, so nothing can change the copy.
 */
export function queryTool(runner: () => ReadOnlyRunner, dialectName: string, mask: (text: string) => string): McpTool {
  return {
    name: 'query',
    description:
      `One read-only SQL statement (${dialectName}) on the local copy, with a time limit: {columns, rows, truncated}. Tables: calls, calls_extensive, call_parties, ` +
      'transcript_sentences, users, call_context_fields (CRM fields), call_trackers, call_topics, call_key_points, stats_*; views call_summary, transcript_lines. ' +
      '*_utc: UTC instants; raw: the record as JSON.',
    annotations: { readOnlyHint: true },
    inputSchema: objectSchema({
      sql: { type: 'string', required: true, description: 'One SELECT (or WITH), e.g. "select title from calls limit 5".' },
      max_rows: { type: 'integer', description: `Most rows, 1-${MAX_ROWS} (default ${DEFAULT_ROWS}).` },
      timeout_seconds: { type: 'integer', description: `Time limit, seconds, 1-${MAX_TIMEOUT_S} (default ${DEFAULT_TIMEOUT_S}).` },
    }),
    async run(args) {
      const sqlText = args.sql;
      if (typeof sqlText !== 'string' || !sqlText.trim()) throw new ToolError('query: "sql" is required: one SELECT statement, e.g. select title, started_utc from calls limit 5');
      const maxRows = args.max_rows === undefined ? DEFAULT_ROWS : Number(args.max_rows);
      if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > MAX_ROWS) throw new ToolError(`query: max_rows must be a whole number from 1 to ${MAX_ROWS}`);
      const timeout = args.timeout_seconds === undefined ? DEFAULT_TIMEOUT_S : Number(args.timeout_seconds);
      if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_S) throw new ToolError(`query: timeout_seconds must be a whole number from 1 to ${MAX_TIMEOUT_S}`);
      let answer: QueryAnswer;
      try {
        answer = await runner().run(sqlText, { maxRows, maxChars: MAX_ANSWER_CHARS, timeoutMs: timeout * 1000 });
      } catch (error) {
        if (error instanceof QueryRefusedError) throw new ToolError(error.message);
        if (error instanceof QueryTimeoutError) throw new ToolError(`query: ${error.message}`);
        const message = (error as Error).message;
        throw new ToolError(/^(SQL error|query is read-only)/.test(message) ? `query: ${message}` : `query: SQL error: ${message}`);
      }
      const rows = answer.rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' ? mask(v) : v])));
      return {
        columns: answer.columns,
        rows,
        rowCount: rows.length,
        truncated: answer.truncated,
        ...(answer.truncated ? { note: `more rows exist than returned (cap ${maxRows} rows / ${MAX_ANSWER_CHARS} characters): narrow the query or page with LIMIT/OFFSET` } : {}),
      };
    },
  };
}
