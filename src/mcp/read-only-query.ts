import type BetterSqlite3 from 'better-sqlite3';
import { objectSchema } from './json-schema.js';
import { ToolError, type McpTool } from './tool.js';
import { MAX_ANSWER_CHARS } from './answer-size.js';

const DEFAULT_ROWS = 100;
const MAX_ROWS = 1000;

/**
 * query: one read-only SQL statement on the local copy. It runs on a connection opened read-only
 * with query_only set, and only statements that return rows are accepted, so nothing can change
 * the file. Rows beyond the cap (or the answer size) are not returned, and the answer says so.
 */
export function queryTool(readonly: () => BetterSqlite3.Database): McpTool {
  return {
    name: 'query',
    description:
      'Runs one read-only SQL statement (SQLite) on the local copy and returns {columns, rows, truncated}. ' +
      'Tables: users, calls, calls_extensive, call_parties, call_transcripts, transcript_sentences, workspaces, ' +
      'stats_activity_aggregate, stats_activity_day_by_day, activity_day_calls, stats_interaction, settings_scorecards, scorecard_questions, ' +
      'scorecard_answer_options, settings_trackers, tracker_keywords, library_folders, library_folder_content, coaching, coaching_metrics, ' +
      'stats_activity_scorecards, scorecard_answers, call_media, user_email_aliases, user_spoken_languages; per call: call_topics, call_trackers, ' +
      'call_tracker_occurrences (phrase, speaker_id joins call_parties.speaker_id, start_time), call_interaction_stats, call_speakers, ' +
      'call_context_objects and call_context_fields (CRM: Account, Opportunity), call_comments, call_key_points, call_highlights, ' +
      'call_outline_items, call_action_items; views call_summary, transcript_lines (sentence, speaker name, affiliation, call title), ' +
      'call_crm_objects, call_party_talk, rep_weekly_activity, answered_scorecard_scores. Timestamps have UTC copies (*_utc) that compare as text; ' +
      'each entity table has a raw column with the whole record as JSON. ' +
      `At most max_rows rows (default ${DEFAULT_ROWS}, at most ${MAX_ROWS}); truncated: true says more rows exist (add LIMIT/OFFSET or aggregate). Writes are refused.`,
    inputSchema: objectSchema({
      sql: { type: 'string', required: true, description: 'One SELECT (or WITH ... SELECT) statement.' },
      max_rows: { type: 'integer', description: `Most rows to return (1-${MAX_ROWS}, default ${DEFAULT_ROWS}).` },
    }),
    async run(args) {
      const sqlText = args.sql;
      if (typeof sqlText !== 'string' || !sqlText.trim()) throw new ToolError('query: "sql" is required: one SELECT statement, e.g. select title, started from calls limit 5');
      const maxRows = args.max_rows === undefined ? DEFAULT_ROWS : Number(args.max_rows);
      if (!Number.isInteger(maxRows) || maxRows < 1 || maxRows > MAX_ROWS) throw new ToolError(`query: max_rows must be a whole number from 1 to ${MAX_ROWS}`);
      let statement: BetterSqlite3.Statement;
      try {
        statement = readonly().prepare(sqlText);
      } catch (error) {
        throw new ToolError(`query: SQL error: ${(error as Error).message}`);
      }
      if (!statement.reader) throw new ToolError('query is read-only: only statements that return rows (SELECT, WITH ... SELECT) are allowed');
      const columns = statement.columns().map((c) => c.name);
      const rows: unknown[] = [];
      let chars = 0;
      let truncated = false;
      try {
        for (const row of statement.iterate() as Iterable<Record<string, unknown>>) {
          const size = JSON.stringify(row, bigIntSafe).length;
          if (rows.length >= maxRows || chars + size > MAX_ANSWER_CHARS) {
            truncated = true;
            break;
          }
          rows.push(JSON.parse(JSON.stringify(row, bigIntSafe)));
          chars += size;
        }
      } catch (error) {
        throw new ToolError(`query: SQL error: ${(error as Error).message}`);
      }
      return {
        columns,
        rows,
        rowCount: rows.length,
        truncated,
        ...(truncated ? { note: `more rows exist than returned (cap ${maxRows} rows / ${MAX_ANSWER_CHARS} characters): narrow the query or page with LIMIT/OFFSET` } : {}),
      };
    },
  };
}

function bigIntSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  return value;
}
