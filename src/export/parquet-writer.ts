import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ExportType } from './column-typing.js';

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * Writes Parquet files with typed columns through DuckDB. A table's rows are appended as text into
 * a scratch database on disk (memory-limited, so a large table spills to disk instead of filling
 * memory); once every row is in and the column types are known, COPY casts each column to its
 * type (TIMESTAMP for instants, BOOLEAN for flags, ids VARCHAR) and writes the file.
 */
export class ParquetWriter {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** `scratchDir` holds the scratch database; it is removed with the staging folder. */
  static async open(scratchDir: string): Promise<ParquetWriter> {
    const instance = await DuckDBInstance.create(path.join(scratchDir, 'scratch.duckdb'), { memory_limit: '256MB', threads: '2' });
    return new ParquetWriter(instance, await instance.connect());
  }

  async write(file: string, columns: string[], batches: AsyncIterable<(string | null)[][]>, typesOf: () => ExportType[]): Promise<number> {
    await this.connection.run(`create or replace table export_rows (${columns.map((c) => `${quoteIdent(c)} VARCHAR`).join(', ')})`);
    const appender = await this.connection.createAppender('export_rows');
    let count = 0;
    try {
      for await (const batch of batches) {
        for (const row of batch) {
          for (const value of row) {
            if (value === null) appender.appendNull();
            else appender.appendVarchar(value);
          }
          appender.endRow();
        }
        count += batch.length;
      }
    } finally {
      appender.closeSync();
    }
    const types = typesOf();
    const select = columns.map((c, i) => (types[i] === 'VARCHAR' ? quoteIdent(c) : `cast(${quoteIdent(c)} as ${types[i]}) as ${quoteIdent(c)}`)).join(', ');
    await this.connection.run(`copy (select ${select} from export_rows) to ${quoteString(file)} (format parquet, compression zstd)`);
    await this.connection.run('drop table export_rows');
    return count;
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
