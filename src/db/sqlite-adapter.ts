import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Expression, type Kysely, type RawBuilder } from 'kysely';
import type {
  ColumnInfo,
  DatabaseAdapter,
  QueryRows,
  ReadOnlyQueryOptions,
  TableInfo,
  TableRowsOptions,
  TranscriptMatch,
  TranscriptSearch,
} from './adapter.js';
import { DEFAULT_SEARCH_TIMEOUT_MS, rowObjects } from './adapter.js';
import { kindByName, kindByType } from './column-kinds.js';
import type { SqlBackend } from './sql-executor.js';
import { sqliteReadOnlyQuery } from './sqlite-query-process.js';
import { sqliteTableRows } from './table-rows.js';
import { SENTENCE_COLUMN_TYPES, SENTENCE_ROWS, SENTENCE_TOPICS, SENTENCES, SentenceStore } from './sqlite-sentence-store.js';

/** Rows per multi-row upsert (SQLite's cost is per row, not per statement); SQLite allows 32,766 parameters. */
const ROWS_PER_STATEMENT = 100;

/**
 * Full-text indexes (FTS5, external content) kept by the adapter rather than by an insert trigger:
 * the rows a statement inserted are indexed by one `insert ... select` after it, in the same
 * transaction (a page's sentences and their index entries commit together). Deletes and updates
 * of the text keep their triggers (they are rare, and come from anywhere).
 */
const FULL_TEXT: Record<string, { index: string; columns: string[] }> = {
  transcript_sentences: { index: 'transcript_search', columns: ['text'] },
};

/** SQLite's side of every capability (see adapter.ts). */
export class SqliteAdapter implements DatabaseAdapter {
  readonly name = 'SQLite';
  readonly sessionLock = undefined;
  readonly storedOrderColumn = 'rowid';
  private readonly upsertTexts = new Map<string, string>();
  private readonly sentences: SentenceStore;

  constructor(
    private readonly sqlite: BetterSqlite3.Database,
    private readonly backend: SqlBackend,
    private readonly db: Kysely<any>,
    private readonly file: string,
  ) {
    this.sentences = new SentenceStore(backend);
  }

  instant(value: Expression<unknown> | RawBuilder<unknown>): RawBuilder<number> {
    return sql<number>`julianday(${value})`;
  }

  async listTables(): Promise<TableInfo[]> {
    const all = await this.backend.all<{ name: string; type: 'table' | 'view'; sql: string | null }>(
      `select name, type, sql from sqlite_master where type in ('table', 'view') and name not like 'sqlite\\_%' escape '\\' order by name`,
      [],
    );
    // Full-text indexes and their shadow tables are derived from transcript_sentences.
    const virtual = all.filter((t) => /^\s*create\s+virtual\s+table/i.test(t.sql ?? '')).map((t) => t.name);
    // transcript_sentence_rows and transcript_topics are how transcript_sentences is stored (compact layout): the view is the table.
    const compact = all.some((t) => t.name === SENTENCE_ROWS);
    const storage = [SENTENCE_ROWS, SENTENCE_TOPICS];
    const tables = all.filter((t) => !virtual.some((v) => t.name === v || t.name.startsWith(`${v}_`)) && !storage.includes(t.name));
    const out: TableInfo[] = [];
    for (const table of tables) {
      const sentences = compact && table.name === SENTENCES;
      const info = await this.backend.all<{ name: string; type: string }>('select name, type from pragma_table_info(?) order by cid', [
        table.name,
      ]);
      const columns: ColumnInfo[] = info.map((c) => {
        const declared = (sentences && SENTENCE_COLUMN_TYPES[c.name]) || c.type;
        return { name: c.name, declared, kind: kindByName(c.name) ?? kindByType(declared) };
      });
      out.push({ name: table.name, type: sentences ? 'table' : table.type, bookkeeping: isBookkeeping(table.name), columns });
    }
    return out;
  }

  async upsert(table: string, primaryKey: string[], columns: string[], rows: unknown[][]): Promise<void> {
    if (table === SENTENCES && (await this.sentences.present())) {
      // One transaction: a page's sentences and their index entries go together, or not at all.
      return this.backend.transaction(() => this.sentences.upsert(columns, rows));
    }
    const fullText = FULL_TEXT[table] && (await this.maintainsFullText(table)) ? FULL_TEXT[table] : undefined;
    // New rows get rowids above the largest there is (updated rows keep theirs, and their trigger).
    const before = fullText
      ? (await this.backend.all<{ last: number }>(`select coalesce(max(rowid), 0) as last from "${table}"`, []))[0]!.last
      : 0;
    await this.upsertRows(table, primaryKey, columns, rows);
    if (fullText) {
      const indexed = fullText.columns.map((c) => `"${c}"`).join(', ');
      await this.backend.run(
        `insert into "${fullText.index}" (rowid, ${indexed}) select rowid, ${indexed} from "${table}" where rowid > ?`,
        [before],
        { reuse: true },
      );
    }
  }

  private readonly fullTextByTable = new Map<string, Promise<boolean>>();

  /** Whether the table's full-text index is the adapter's to fill (its insert trigger is gone: migration 2026-12-03-0013). */
  private maintainsFullText(table: string): Promise<boolean> {
    let known = this.fullTextByTable.get(table);
    if (!known) {
      known = this.backend
        .all(
          `select 1 from sqlite_master where type = 'table' and name = ? and not exists (select 1 from sqlite_master where type = 'trigger' and name = ?)`,
          [FULL_TEXT[table]!.index, `${table}_ai`],
        )
        .then((rows) => rows.length > 0);
      this.fullTextByTable.set(table, known);
    }
    return known;
  }

  private async upsertRows(table: string, primaryKey: string[], columns: string[], rows: unknown[][]): Promise<void> {
    let index = 0;
    while (index < rows.length) {
      // Full statements, then the rest one row at a time: few distinct statements to prepare.
      const count = rows.length - index >= ROWS_PER_STATEMENT ? ROWS_PER_STATEMENT : 1;
      const params: unknown[] = [];
      for (let r = index; r < index + count; r++) for (const value of rows[r]!) params.push(value);
      await this.backend.run(this.upsertSql(table, primaryKey, columns, count), params, { reuse: true });
      index += count;
    }
  }

  /** The SQL text of an upsert of `count` rows, compiled by Kysely once per shape. */
  private upsertSql(table: string, primaryKey: string[], columns: string[], count: number): string {
    const key = `${table}|${count}|${columns.join(',')}`;
    let text = this.upsertTexts.get(key);
    if (!text) {
      const placeholderRow = Object.fromEntries(columns.map((c) => [c, null]));
      const updatable = columns.filter((c) => !primaryKey.includes(c));
      text = this.db
        .insertInto(table)
        .values(Array.from({ length: count }, () => placeholderRow))
        .onConflict((oc) => {
          const target = oc.columns(primaryKey);
          return updatable.length === 0
            ? target.doNothing()
            : target.doUpdateSet((eb) => Object.fromEntries(updatable.map((c) => [c, eb.ref(`excluded.${c}`)])));
        })
        .compile().sql;
      this.upsertTexts.set(key, text);
    }
    return text;
  }

  readOnlyQuery(sqlText: string, options: ReadOnlyQueryOptions): Promise<QueryRows> {
    return sqliteReadOnlyQuery(this.file, sqlText, options);
  }

  tableRows(table: string, columns: string[], options?: TableRowsOptions): AsyncIterable<unknown[][]> {
    return sqliteTableRows(this.sqlite, table, columns, options);
  }

  async searchTranscripts(search: TranscriptSearch): Promise<TranscriptMatch[]> {
    const where = ['transcript_search match ?'];
    const params: unknown[] = [ftsQuery(search.query)];
    if (search.callId !== undefined) where.push('s.call_id = ?'), params.push(search.callId);
    if (search.speaker !== undefined) {
      where.push("(lower(p.name) like '%' || lower(?) || '%' or lower(p.email_address) like '%' || lower(?) || '%')");
      params.push(search.speaker, search.speaker);
    }
    if (search.affiliation !== undefined) where.push('p.affiliation = ?'), params.push(search.affiliation);
    if (search.from !== undefined) where.push('julianday(c.started) >= julianday(?)'), params.push(search.from);
    if (search.to !== undefined) where.push('julianday(c.started) < julianday(?)'), params.push(search.to);
    // Compact layout: the key names the transcript (rowid = key >> 20), whose row names the call.
    const compact = await this.sentences.present();
    const text = compact
      ? `select t.call_id as callId, c.title as callTitle, c.started as callStarted, s.speaker_id as speakerId,
          p.name as speakerName, p.affiliation as affiliation, s.start_ms as startMs, s.text as text
        from transcript_search f
        join (select id, cast(speaker_id as text) as speaker_id, start_ms, text from ${SENTENCE_ROWS}) s on s.id = f.rowid
        join call_transcripts t on t.rowid = s.id >> 20
        left join calls c on c.id = t.call_id
        left join call_parties p on p.call_id = t.call_id and p.speaker_id = s.speaker_id
        where ${where.join(' and ').replace('s.call_id = ?', 't.call_id = ?')}
        order by f.rank, t.call_id, s.id
        limit ? offset ?`
      : `select s.call_id as callId, c.title as callTitle, c.started as callStarted, s.speaker_id as speakerId,
          p.name as speakerName, p.affiliation as affiliation, s.start_ms as startMs, s.text as text
        from transcript_search f
        join transcript_sentences s on s.rowid = f.rowid
        left join calls c on c.id = s.call_id
        left join call_parties p on p.call_id = s.call_id and p.speaker_id = s.speaker_id
        where ${where.join(' and ')}
        order by f.rank, s.call_id, s.seq
        limit ? offset ?`;
    // Off the main loop, with a time limit: a common word ranks many sentences (the query process, as `query` runs).
    const result = await this.readOnlyQuery(text, {
      timeoutMs: search.timeoutMs ?? DEFAULT_SEARCH_TIMEOUT_MS,
      signal: search.signal,
      params: [...params, search.limit, search.offset],
    });
    return rowObjects<TranscriptMatch>(result);
  }

  async secureErase<T>(tables: string[], work: () => Promise<T>): Promise<T> {
    // Freed pages are overwritten with zeros as the rows are deleted, not merely unlinked.
    const previous = this.sqlite.pragma('secure_delete', { simple: true });
    this.sqlite.pragma('secure_delete = ON');
    try {
      const result = await work();
      // The full-text index keeps a deleted sentence's words in its segments until they are merged.
      // (Deleting a call_transcripts row deletes its sentences too, by trigger, in the compact layout.)
      const sentencesGone = [SENTENCES, SENTENCE_ROWS, 'call_transcripts'].some((t) => tables.includes(t));
      if (sentencesGone && (await this.hasTable('transcript_search'))) {
        await this.backend.transaction(
          async () => void (await this.backend.run(`insert into transcript_search(transcript_search) values ('optimize')`, [])),
        );
      }
      // Older copies of the pages may sit in the write-ahead log: copy it back and empty it.
      this.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      return result;
    } finally {
      this.sqlite.pragma(`secure_delete = ${Number(previous) ? 'ON' : 'OFF'}`);
    }
  }

  async updateStatistics(): Promise<void> {
    keepStatistics(this.sqlite);
  }

  async checkpoint(): Promise<void> {
    await this.backend.all('pragma wal_checkpoint(truncate)', []);
  }

  private async hasTable(name: string): Promise<boolean> {
    return (await this.backend.all(`select 1 from sqlite_master where name = ?`, [name])).length > 0;
  }
}

/**
 * PRAGMA optimize over every table (0x10000), analysing those never analysed or whose size changed
 * a lot since, with bounded work per table (analysis_limit): cheap when little changed. A writer
 * of another process holding the file only delays it to the next run.
 */
export function keepStatistics(sqlite: BetterSqlite3.Database): void {
  try {
    sqlite.pragma('analysis_limit = 1000');
    sqlite.pragma('optimize = 0x10002');
  } catch (error) {
    if (!/SQLITE_BUSY|SQLITE_READONLY/.test(String((error as { code?: string }).code))) throw error;
  }
}

/** Tables that keep the sync's own state, not Gong's data. */
export function isBookkeeping(table: string): boolean {
  return table.startsWith('_') || table === 'kysely_migration';
}

/** Words as an FTS5 query: a quoted phrase stays a phrase, other words are each required. */
export function ftsQuery(text: string): string {
  const trimmed = text.trim();
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  if (/^".*"$/.test(trimmed) && trimmed.length > 2) return quote(trimmed.slice(1, -1));
  return trimmed.split(/\s+/).filter(Boolean).map(quote).join(' ');
}
