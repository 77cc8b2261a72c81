import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ExportType } from './column-typing.js';
import { quoteString, readCsvOptions } from './duckdb-csv.js';

/**
 * Turns a staged CSV file into a typed Parquet file with DuckDB: read_csv with the export's column
 * types (TIMESTAMP for instants, BOOLEAN for flags, ids VARCHAR: what load-duckdb.sql does), then
 * COPY. DuckDB streams the file with one thread and a 128 MB memory limit, spilling to the staging
 * folder, so a table of any size converts in bounded memory.
 */
export class ParquetWriter {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  /** `scratchDir` (the staging folder) takes DuckDB's spill files; it is removed with it. */
  static async open(scratchDir: string): Promise<ParquetWriter> {
    // Loaded only here: DuckDB's native library is large, and CSV exports never need it.
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:', {
      memory_limit: '128MB',
      threads: '1',
      temp_directory: path.join(scratchDir, 'duckdb.tmp'),
    });
    return new ParquetWriter(instance, await instance.connect());
  }

  async convert(csvFile: string, parquetFile: string, types: Record<string, ExportType>, longestLineBytes: number): Promise<void> {
    const read = `read_csv(${quoteString(csvFile)}, ${readCsvOptions(types, longestLineBytes)})`;
    await this.connection.run(`copy (select * from ${read}) to ${quoteString(parquetFile)} (format parquet, compression zstd)`);
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
