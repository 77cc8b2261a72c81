import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';

/** Every `gong-sync query "..."` in the README (a query may span lines), so the docs cannot rot. */
export function readmeQueries(readme: string): string[] {
  const queries: string[] = [];
  const pattern = /gong-sync query "((?:[^"\\]|\\.)*)"/gs;
  for (const match of readme.matchAll(pattern)) {
    const sql = match[1]!.replace(/\\"/g, '"');
    // `gong-sync query "SQL"` in the command table is a placeholder, not an example.
    if (/^\s*(select|with)\b/i.test(sql)) queries.push(sql);
  }
  return queries;
}

describe('README examples', () => {
  it('every query example returns at least one row on the demo database', async () => {
    const readme = fs.readFileSync(path.resolve(__dirname, '../README.md'), 'utf8');
    const queries = readmeQueries(readme);
    expect(queries.length).toBeGreaterThanOrEqual(8);
    const db = path.join(tempDir(), 'demo.db');
    const demo = await runCli(['demo', '--db', db, '--quiet'], { GONG_LOG_FORMAT: 'json' });
    expect(demo.code, demo.stderr).toBe(0);
    const empty: string[] = [];
    for (const sql of queries) {
      const result = await runCli(['query', sql, '--db', db, '--format', 'json'], {});
      expect(result.code, `${sql}\n${result.stderr}`).toBe(0);
      if ((JSON.parse(result.stdout) as unknown[]).length === 0) empty.push(sql);
    }
    expect(empty, 'README queries that return no rows on the demo database').toEqual([]);
  }, 600_000);
});
