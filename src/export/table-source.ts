import type { Database } from '../db/database.js';

/** A table as the database declares it. */
export interface SourceTable {
  name: string;
  columns: { name: string; declaredType: string }[];
}

/** What export reads: the tables with their declared column types, and a table's rows in batches. */
export interface TableSource {
  listTables(): Promise<SourceTable[]>;
  /** Rows in the order of `columns`, a batch at a time: no table is ever held in memory. */
  streamRows(table: string, columns: string[]): AsyncIterable<unknown[][]>;
}

const BATCH_ROWS = 2000;
/** An export reads a table in one statement; a table of millions of rows takes minutes. */
const STATEMENT_LIMIT_MS = 24 * 3600_000;

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteString = (text: string) => `'${text.replace(/'/g, "''")}'`;

export function tableSourceOf(database: Database): TableSource {
  return database.dialect === 'sqlite' ? sqliteSource(database) : postgresSource(database);
}

function sqliteSource(database: Extract<Database, { dialect: 'sqlite' }>): TableSource {
  const sqlite = database.sqlite;
  return {
    async listTables() {
      const all = sqlite.prepare(`select name, sql from sqlite_master where type = 'table' order by name`).all() as { name: string; sql: string | null }[];
      // Full-text indexes and their shadow tables are SQLite's own, derived from transcript_sentences.
      const virtual = all.filter((t) => /^\s*create\s+virtual\s+table/i.test(t.sql ?? '')).map((t) => t.name);
      return all
        .filter((t) => !t.name.startsWith('sqlite_') && !virtual.some((v) => t.name === v || t.name.startsWith(`${v}_`)))
        .map((t) => ({
          name: t.name,
          columns: (sqlite.prepare(`select name, type from pragma_table_info(?) order by cid`).all(t.name) as { name: string; type: string }[]).map((c) => ({
            name: c.name,
            declaredType: c.type,
          })),
        }));
    },
    async *streamRows(table, columns) {
      const rows = sqlite
        .prepare(`select ${columns.map(quoteIdent).join(', ')} from ${quoteIdent(table)}`)
        .raw(true)
        .safeIntegers(true)
        .iterate() as IterableIterator<unknown[]>;
      let batch: unknown[][] = [];
      for (const row of rows) {
        batch.push(row);
        if (batch.length >= BATCH_ROWS) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },
  };
}

function postgresSource(database: Extract<Database, { dialect: 'postgres' }>): TableSource {
  return {
    async listTables() {
      const result = await database.adapter.readOnlyQuery(
        `select c.table_name, c.column_name, c.data_type from information_schema.columns c
           join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
          where c.table_schema = ${quoteString(database.schema)} and t.table_type = 'BASE TABLE'
          order by c.table_name, c.ordinal_position`,
        { timeoutMs: 60_000 },
      );
      const tables = new Map<string, SourceTable>();
      try {
        for await (const [table, column, type] of result.rows as AsyncIterable<string[]>) {
          if (!tables.has(table!)) tables.set(table!, { name: table!, columns: [] });
          tables.get(table!)!.columns.push({ name: column!, declaredType: type! });
        }
      } finally {
        await result.close();
      }
      return [...tables.values()];
    },
    async *streamRows(table, columns) {
      const result = await database.adapter.readOnlyQuery(`select ${columns.map(quoteIdent).join(', ')} from ${quoteIdent(table)}`, { timeoutMs: STATEMENT_LIMIT_MS });
      try {
        let batch: unknown[][] = [];
        for await (const row of result.rows) {
          batch.push(row);
          if (batch.length >= BATCH_ROWS) {
            yield batch;
            batch = [];
          }
        }
        if (batch.length > 0) yield batch;
      } finally {
        await result.close();
      }
    },
  };
}
