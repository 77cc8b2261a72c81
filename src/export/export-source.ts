import type { DatabaseAdapter } from '../db/adapter.js';

/** What export reads from a database (its adapter): the tables with their column kinds, and a table's rows in batches. */
export type ExportSource = Pick<DatabaseAdapter, 'listTables' | 'tableRows'>;
