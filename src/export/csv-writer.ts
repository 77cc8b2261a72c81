import fs from 'node:fs';
import { once } from 'node:events';
import type { ExportColumn } from './exportable-tables.js';

const FLUSH_AT = 1 << 16;

/**
 * Writes rows as RFC 4180 CSV with a header line. NULL is an empty field, an empty string is `""`,
 * so a reader told `allow_quoted_nulls=false` (DuckDB) or `keep_default_na=False` (pandas) keeps
 * them apart. Returns the number of rows written; respects the file stream's backpressure.
 */
export async function writeCsv(file: string, columns: ExportColumn[], rows: Iterable<unknown[]>): Promise<number> {
  const out = fs.createWriteStream(file, { mode: 0o600 });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  let buffer = columns.map((c) => csvField(c.name)).join(',') + '\n';
  let count = 0;
  for (const row of rows) {
    buffer += row.map(csvField).join(',') + '\n';
    count++;
    if (buffer.length >= FLUSH_AT) {
      if (!out.write(buffer)) await Promise.race([once(out, 'drain'), failed]);
      buffer = '';
    }
  }
  out.end(buffer);
  await Promise.race([once(out, 'finish'), failed]);
  return count;
}

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = Buffer.isBuffer(value) ? value.toString('base64') : String(value);
  return text === '' || /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
