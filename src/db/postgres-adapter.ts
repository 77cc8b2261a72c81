import { sql, type Expression, type Kysely, type RawBuilder } from 'kysely';
import type {
  ColumnInfo,
  DatabaseAdapter,
  QueryRows,
  ReadOnlyQueryOptions,
  SessionLock,
  TableInfo,
  TableRowsOptions,
  TranscriptMatch,
  TranscriptSearch,
} from './adapter.js';
import { DEFAULT_SEARCH_TIMEOUT_MS, rowObjects } from './adapter.js';
import { kindByName, kindByType } from './column-kinds.js';
import type { PostgresBackend } from './postgres-backend.js';
import { PostgresBulkUpsert } from './postgres-bulk-upsert.js';
import { quoteIdent } from './postgres-database.js';
import { postgresReadOnlyQuery } from './postgres-query.js';
import { isBookkeeping } from './sqlite-adapter.js';
import { postgresTableRows } from './table-rows.js';

/** Rows per array upsert: one round trip each, a bounded message size. */
const ROWS_PER_ARRAY_STATEMENT = 5000;

/** PostgreSQL's side of every capability (see adapter.ts). */
export class PostgresAdapter implements DatabaseAdapter {
  readonly name = 'PostgreSQL';
  readonly sessionLock: SessionLock;
  readonly storedOrderColumn = 'ctid';
  private readonly bulk: PostgresBulkUpsert;

  constructor(
    private readonly backend: PostgresBackend,
    db: Kysely<any>,
  ) {
    this.bulk = new PostgresBulkUpsert(backend, db);
    this.sessionLock = {
      hold: (name, onLost) => backend.holdLock(name, onLost),
      held: (name) => backend.lockHeld(name),
    };
  }

  instant(value: Expression<unknown> | RawBuilder<unknown>): RawBuilder<number> {
    return sql<number>`cast(${value} as timestamptz)`;
  }

  async listTables(): Promise<TableInfo[]> {
    const tables = await this.backend.all<{ name: string; type: string }>(
      `select table_name as name, table_type as type from information_schema.tables
        where table_schema = current_schema() and table_type in ('BASE TABLE', 'VIEW') order by table_name`,
      [],
    );
    const columns = await this.backend.all<{ table_name: string; column_name: string; data_type: string }>(
      `select table_name, column_name, data_type from information_schema.columns where table_schema = current_schema() order by table_name, ordinal_position`,
      [],
    );
    return tables.map((t) => ({
      name: t.name,
      type: t.type === 'VIEW' ? 'view' : 'table',
      bookkeeping: isBookkeeping(t.name),
      columns: columns
        // tsv: the full-text column, derived from text (SQLite keeps a separate index instead).
        .filter((c) => c.table_name === t.name && c.data_type !== 'tsvector')
        .map(
          (c): ColumnInfo => ({ name: c.column_name, declared: c.data_type, kind: kindByName(c.column_name) ?? kindByType(c.data_type) }),
        ),
    }));
  }

  async upsert(table: string, primaryKey: string[], columns: string[], rows: unknown[][]): Promise<void> {
    for (let start = 0; start < rows.length; start += ROWS_PER_ARRAY_STATEMENT) {
      const chunk = rows.slice(start, start + ROWS_PER_ARRAY_STATEMENT);
      await this.bulk.upsert(
        table,
        primaryKey,
        columns,
        columns.map((_, c) => chunk.map((row) => row[c])),
      );
    }
  }

  readOnlyQuery(sqlText: string, options: ReadOnlyQueryOptions): Promise<QueryRows> {
    return postgresReadOnlyQuery(this.backend.pool, sqlText, options);
  }

  tableRows(table: string, columns: string[], options?: TableRowsOptions): AsyncIterable<unknown[][]> {
    return postgresTableRows(this.backend.pool, table, columns, options);
  }

  async searchTranscripts(search: TranscriptSearch): Promise<TranscriptMatch[]> {
    const params: unknown[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    const phrase = /^".*"$/.test(search.query.trim()) && search.query.trim().length > 2;
    const query = phrase
      ? `phraseto_tsquery('simple', ${param(search.query.trim().slice(1, -1))})`
      : `plainto_tsquery('simple', ${param(search.query)})`;
    const where = [`s.tsv @@ q.query`];
    if (search.callId !== undefined) where.push(`s.call_id = ${param(search.callId)}`);
    if (search.speaker !== undefined) {
      const p = param(search.speaker);
      where.push(`(strpos(lower(p.name), lower(${p})) > 0 or strpos(lower(p.email_address), lower(${p})) > 0)`);
    }
    if (search.affiliation !== undefined) where.push(`p.affiliation = ${param(search.affiliation)}`);
    if (search.from !== undefined) where.push(`cast(c.started as timestamptz) >= cast(${param(search.from)} as timestamptz)`);
    if (search.to !== undefined) where.push(`cast(c.started as timestamptz) < cast(${param(search.to)} as timestamptz)`);
    const result = await this.readOnlyQuery(
      `select s.call_id as "callId", c.title as "callTitle", c.started as "callStarted", s.speaker_id as "speakerId",
          p.name as "speakerName", p.affiliation as affiliation, s.start_ms as "startMs", s.text as text
        from (select ${query} as query) q
        cross join transcript_sentences s
        left join calls c on c.id = s.call_id
        left join call_parties p on p.call_id = s.call_id and p.speaker_id = s.speaker_id
        where ${where.join(' and ')}
        order by ts_rank(s.tsv, q.query) desc, s.call_id, s.seq
        limit ${param(search.limit)} offset ${param(search.offset)}`,
      { timeoutMs: search.timeoutMs ?? DEFAULT_SEARCH_TIMEOUT_MS, signal: search.signal, params },
    );
    return rowObjects<TranscriptMatch>(result);
  }

  async secureErase<T>(tables: string[], work: () => Promise<T>): Promise<T> {
    const result = await work();
    // VACUUM cannot run inside a transaction: each on a pooled connection of its own.
    for (const table of tables) await this.backend.pool.query(`vacuum ${quoteIdent(table)}`);
    return result;
  }

  async checkpoint(): Promise<void> {
    // The server manages its write-ahead log itself.
  }

  async updateStatistics(): Promise<void> {
    const tables = await this.backend.all<{ name: string }>(
      `select tablename as name from pg_tables where schemaname = current_schema()`,
      [],
    );
    for (const { name } of tables) await this.backend.pool.query(`analyze ${quoteIdent(name)}`);
  }
}
