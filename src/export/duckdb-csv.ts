import type { ExportType } from './column-typing.js';

export const quoteString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** DuckDB's default longest CSV line (2 MiB); its read buffer is 16 times that. */
const DEFAULT_MAX_LINE = 2 * 1024 * 1024;

/**
 * DuckDB's read_csv options for an exported file: the column types, NULL apart from "", and a
 * line limit that fits the file's longest row (`longestLineBytes`), with a read buffer sized to it
 * rather than DuckDB's 16 times the limit (which would not fit a 128 MB memory limit).
 */
export function readCsvOptions(types: Record<string, ExportType>, longestLineBytes: number): string {
  const columns = Object.entries(types)
    .map(([name, type]) => `${quoteString(name)}: '${type}'`)
    .join(', ');
  let options = `header = true, auto_detect = false, columns = {${columns}}, allow_quoted_nulls = false`;
  if (longestLineBytes >= DEFAULT_MAX_LINE) {
    const maxLine = 2 ** Math.ceil(Math.log2(longestLineBytes + 1024));
    options += `, max_line_size = ${maxLine}, buffer_size = ${2 * maxLine}`;
  }
  return options;
}
