import { csvField } from '../export/csv-writer.js';

export type QueryFormat = 'table' | 'csv' | 'json';

const MAX_CELL = 80;
/** A table's column widths come from its first rows; later rows stream out with those widths. */
const WIDTH_SAMPLE = 1000;
const FLUSH_AT = 1 << 16;

/** Where formatted text goes; resolves when the consumer is ready for more (backpressure). */
export type TextSink = (text: string) => Promise<void>;

/**
 * Formats rows as they come (arrays in column order), so a query of millions of rows never holds
 * them in memory. Returns the number of rows written.
 */
export async function writeRows(
  sink: TextSink,
  columns: string[],
  rows: Iterable<unknown[]> | AsyncIterable<unknown[]>,
  format: QueryFormat,
): Promise<number> {
  let buffer = '';
  const emit = async (text: string) => {
    buffer += text;
    if (buffer.length >= FLUSH_AT) {
      const chunk = buffer;
      buffer = '';
      await sink(chunk);
    }
  };
  let count = 0;
  if (format === 'csv') {
    await emit(columns.map(csvField).join(',') + '\n');
    for await (const row of rows) {
      await emit(row.map(csvField).join(',') + '\n');
      count++;
    }
  } else if (format === 'json') {
    await emit('[');
    for await (const row of rows) {
      const record = Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null]));
      await emit((count === 0 ? '\n' : ',\n') + JSON.stringify(record, exactJson, 2).replace(/^/gm, '  '));
      count++;
    }
    await emit(count === 0 ? ']\n' : '\n]\n');
  } else {
    const iterator = Symbol.asyncIterator in rows ? rows[Symbol.asyncIterator]() : rows[Symbol.iterator]();
    const sample: string[][] = [];
    while (sample.length < WIDTH_SAMPLE) {
      const next = await iterator.next();
      if (next.done) break;
      sample.push(next.value.map(tableCell));
    }
    const widths = columns.map((c, i) => Math.max(c.length, ...sample.map((row) => row[i]!.length)));
    const line = (values: string[]) =>
      values
        .map((v, i) => v.padEnd(widths[i]!))
        .join(' | ')
        .trimEnd() + '\n';
    await emit(line(columns) + widths.map((w) => '-'.repeat(w)).join('-+-') + '\n');
    for (const cells of sample) await emit(line(cells));
    count = sample.length;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      await emit(line(next.value.map(tableCell)));
      count++;
    }
    await emit(`(${count} row${count === 1 ? '' : 's'})\n`);
  }
  if (buffer) await sink(buffer);
  return count;
}

/** Integers beyond 2^53 come back as bigint (exact): JSON gets them as their digits in a string. */
const exactJson = (_key: string, value: unknown) => (typeof value === 'bigint' ? value.toString() : value);

function tableCell(value: unknown): string {
  const text = value === null || value === undefined ? 'NULL' : Buffer.isBuffer(value) ? `<${value.length} bytes>` : String(value);
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}
