import { once } from 'node:events';
import type { Writable } from 'node:stream';

const FLUSH_AT = 1 << 16;

/**
 * Writes rows of text as RFC 4180 CSV with a header line. NULL is an empty field, an empty string
 * is `""`, so a reader told `allow_quoted_nulls=false` (DuckDB) or `keep_default_na=False` (pandas)
 * keeps them apart. Respects the stream's backpressure; a write failure (a full disk) rejects.
 * Returns the number of rows written, and a bound on the longest line in bytes (for readers' limits).
 */
export async function writeCsv(
  out: Writable,
  header: string[],
  batches: AsyncIterable<(string | null)[][]>,
): Promise<{ rows: number; longestLineBytes: number }> {
  let failure: Error | undefined;
  const failed = new Promise<never>((_, reject) => out.once('error', (error) => reject((failure = error))));
  failed.catch(() => undefined);
  let buffer = header.map(csvField).join(',') + '\n';
  let count = 0;
  let longest = buffer.length;
  try {
    for await (const batch of batches) {
      if (failure) throw failure;
      for (const row of batch) {
        const line = row.map(csvField).join(',') + '\n';
        if (line.length > longest) longest = line.length;
        buffer += line;
      }
      count += batch.length;
      if (buffer.length >= FLUSH_AT) {
        if (!out.write(buffer)) await Promise.race([once(out, 'drain'), failed]);
        buffer = '';
      }
    }
    out.end(buffer);
    await Promise.race([once(out, 'finish'), failed]);
    if (failure) throw failure;
    // A UTF-16 unit is at most 3 bytes of UTF-8.
    return { rows: count, longestLineBytes: longest * 3 };
  } catch (error) {
    out.destroy();
    throw error;
  }
}

export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('base64') : String(value);
  return text === '' || /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
