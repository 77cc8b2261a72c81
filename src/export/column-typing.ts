import type { ColumnKind } from '../db/adapter.js';

/**
 * How a column travels in an export. The type is decided by what the column means (its declared
 * type and its kind: an instant, a flag, JSON) and confirmed by the values it actually holds while
 * they stream: SQLite keeps whatever it is given, so a value that does not fit widens the column
 * (BIGINT -> DOUBLE -> VARCHAR, TIMESTAMPTZ -> VARCHAR, BOOLEAN -> VARCHAR) and no value is ever
 * truncated or dropped. Ids are TEXT columns and stay VARCHAR whatever digits they hold.
 */
export type ExportType = 'VARCHAR' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMPTZ';

export interface ExportColumn {
  name: string;
  /** What the column holds, the same on both databases (src/db/column-kinds.ts). */
  kind: ColumnKind;
}

/** What DuckDB's TIMESTAMPTZ reads exactly: seconds required, at most microseconds, an explicit zone. */
const INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)$/;
const INTEGER = /^-?\d{1,19}$/;
const REAL = /^-?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$|^-?Infinity$|^NaN$/i;
const INT64_MAX = 2n ** 63n - 1n;
const EXACT_IN_DOUBLE = 2 ** 53;

/** Each row's values as export text, and each column's type once every row has been seen. */
export class ColumnTyper {
  private readonly nonNumeric: boolean[];
  private readonly nonInteger: boolean[];
  private readonly inexact: boolean[];
  private readonly mismatch: boolean[];

  constructor(readonly columns: ExportColumn[]) {
    this.nonNumeric = columns.map(() => false);
    this.nonInteger = columns.map(() => false);
    this.inexact = columns.map(() => false);
    this.mismatch = columns.map(() => false);
  }

  /** The row as text (null for NULL), as written to CSV and appended to Parquet's scratch table. */
  textOf(row: unknown[]): (string | null)[] {
    const out = new Array<string | null>(this.columns.length);
    for (let i = 0; i < this.columns.length; i++) {
      const text = valueText(row[i], this.columns[i]!.kind);
      if (text !== null) this.observe(i, row[i], text);
      out[i] = text;
    }
    return out;
  }

  /** The column types the values allow (call after the last row). */
  types(): ExportType[] {
    return this.columns.map((column, i) => {
      switch (column.kind) {
        case 'instant':
          return this.mismatch[i] ? 'VARCHAR' : 'TIMESTAMPTZ';
        case 'boolean':
          return this.mismatch[i] ? 'VARCHAR' : 'BOOLEAN';
        case 'integer':
          if (this.nonNumeric[i]) return 'VARCHAR';
          if (this.nonInteger[i]) return this.inexact[i] ? 'VARCHAR' : 'DOUBLE';
          return 'BIGINT';
        case 'real':
          return this.nonNumeric[i] ? 'VARCHAR' : 'DOUBLE';
        default:
          return 'VARCHAR';
      }
    });
  }

  private observe(i: number, value: unknown, text: string): void {
    switch (this.columns[i]!.kind) {
      case 'instant':
        if (!this.mismatch[i] && !(value instanceof Date) && !(INSTANT.test(text) && !Number.isNaN(Date.parse(text))))
          this.mismatch[i] = true;
        return;
      case 'boolean':
        if (text !== 'true' && text !== 'false') this.mismatch[i] = true;
        return;
      case 'integer':
        if (typeof value === 'bigint') {
          if (value > BigInt(EXACT_IN_DOUBLE) || value < -BigInt(EXACT_IN_DOUBLE)) this.inexact[i] = true;
        } else if (typeof value === 'number') {
          if (!Number.isInteger(value)) this.nonInteger[i] = true;
          else if (Math.abs(value) > EXACT_IN_DOUBLE) this.inexact[i] = true;
        } else if (INTEGER.test(text) && BigInt(text) <= INT64_MAX && BigInt(text) >= -INT64_MAX - 1n) {
          if (text.replace('-', '').length > 15) this.inexact[i] = true;
        } else if (REAL.test(text)) {
          this.nonInteger[i] = true;
        } else {
          this.nonNumeric[i] = true;
        }
        return;
      case 'real':
        if (typeof value !== 'number' && typeof value !== 'bigint' && !REAL.test(text)) this.nonNumeric[i] = true;
        return;
    }
  }
}

/**
 * A stored value as export text: the same text from SQLite and PostgreSQL (flags true/false,
 * instants ISO-8601, JSON as JSON text, bytes as base64).
 */
export function valueText(value: unknown, kind: ColumnKind): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (kind === 'boolean' && (value === 0 || value === 1 || value === 0n || value === 1n))
    return value === 1 || value === 1n ? 'true' : 'false';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
