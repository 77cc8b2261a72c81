import type { Database } from '../db/database.js';
import { objectSchema } from './json-schema.js';
import { ToolError, type McpTool } from './tool.js';
import { MAX_ANSWER_CHARS } from './answer-size.js';

const DEFAULT_ROWS = 100;
const MAX_ROWS = 1000;
const DEFAULT_TIMEOUT_S = 10;
const MAX_TIMEOUT_S = 120;

interface QueryAnswer {
  columns: string[];
  rows: Array<Record<string, unknown>>;
  truncated: boolean;
}

/**
 * One statement through the database adapter's read-only query: off the server's event loop (on
 * SQLite in a child process that is killed at the time limit, on PostgreSQL a cancelled backend),
 * rows read until the caps.
 */
async function runReadOnly(
  database: Database,
  sqlText: string,
  options: { maxRows: number; maxChars: number; timeoutMs: number },
): Promise<QueryAnswer> {
  const result = await database.adapter.readOnlyQuery(sqlText, { timeoutMs: options.timeoutMs });
  try {
    const rows: Array<Record<string, unknown>> = [];
    let chars = 0;
    let truncated = false;
    for await (const values of result.rows) {
      const row = JSON.parse(JSON.stringify(Object.fromEntries(result.columns.map((c, i) => [c, values[i]])), plain)) as Record<
        string,
        unknown
      >;
      const size = JSON.stringify(row).length;
      if (rows.length >= options.maxRows || chars + size > options.maxChars) {
        truncated = true;
        break;
      }
      rows.push(row);
      chars += size;
    }
    return { columns: result.columns, rows, truncated };
  } finally {
    await result.close();
  }
}

const plain = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

/**
 * query: one read-only SQL statement on the local copy, off the main loop with a time limit (other
 * tools keep answering while it runs; a runaway statement ends with a tool error). Only statements
 * that return rows are accepted, on a read-only connection, so nothing can change the copy.
 */
export function queryTool(database: Database, mask: (text: string) => string): McpTool {
  return {
    name: 'query',
    description:
      `One read-only SQL statement (${database.adapter.name}) on the local copy, with a time limit: {columns, rows, truncated}. Tables: calls, calls_extensive, call_parties, ` +
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
      if (typeof sqlText !== 'string' || !sqlText.trim())
        throw new ToolError('query: "sql" is required: one SELECT statement, e.g. select title, started_utc from calls limit 5');
      const maxRows = args.max_rows === undefined ? DEFAULT_ROWS : Number(args.max_rows);
      if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > MAX_ROWS)
        throw new ToolError(`query: max_rows must be a whole number from 1 to ${MAX_ROWS}`);
      const timeout = args.timeout_seconds === undefined ? DEFAULT_TIMEOUT_S : Number(args.timeout_seconds);
      if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMEOUT_S)
        throw new ToolError(`query: timeout_seconds must be a whole number from 1 to ${MAX_TIMEOUT_S}`);
      let answer: QueryAnswer;
      try {
        answer = await runReadOnly(database, sqlText, { maxRows, maxChars: MAX_ANSWER_CHARS, timeoutMs: timeout * 1000 });
      } catch (error) {
        // The adapter speaks to the CLI (--timeout); here the knob is timeout_seconds.
        const message = (error as Error).message.replace(/--timeout\b/g, 'timeout_seconds');
        throw new ToolError(/^query/.test(message) ? message : `query: ${message}`);
      }
      const rows = answer.rows.map((row: Record<string, unknown>) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' ? mask(v) : v])),
      );
      return {
        columns: answer.columns,
        rows,
        rowCount: rows.length,
        truncated: answer.truncated,
        ...(answer.truncated
          ? {
              note: `more rows exist than returned (cap ${maxRows} rows / ${MAX_ANSWER_CHARS} characters): narrow the query or page with LIMIT/OFFSET`,
            }
          : {}),
      };
    },
  };
}
