export type QueryFormat = 'table' | 'csv' | 'json';

const MAX_CELL = 80;

export function formatRows(columns: string[], rows: Record<string, unknown>[], format: QueryFormat): string {
  if (format === 'json') return JSON.stringify(rows, null, 2);
  if (format === 'csv') return [columns.map(csvCell).join(','), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(','))].join('\n');
  const cells = rows.map((r) => columns.map((c) => tableCell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line), `(${rows.length} row${rows.length === 1 ? '' : 's'})`].join('\n');
}

function tableCell(value: unknown): string {
  const text = value === null || value === undefined ? 'NULL' : Buffer.isBuffer(value) ? `<${value.length} bytes>` : String(value);
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
