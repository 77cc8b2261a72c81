import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';

/** Every `gong-sync query "..."` in a text (a query may span lines), so the docs cannot rot. */
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

/** The README split where its examples run: the PostgreSQL section's on PostgreSQL only, the rest on both (but FTS5's). */
function examples(): { sqlite: string[]; postgres: string[] } {
  const readme = fs.readFileSync(path.resolve(__dirname, '../README.md'), 'utf8');
  const start = readme.indexOf('\n## PostgreSQL\n');
  const end = readme.indexOf('\n## ', start + 1);
  expect(start).toBeGreaterThan(0);
  const general = readmeQueries(readme.slice(0, start) + readme.slice(end));
  const postgresOnly = readmeQueries(readme.slice(start, end));
  return { sqlite: general, postgres: [...general.filter((sql) => !/transcript_search/.test(sql)), ...postgresOnly] };
}

async function expectEachReturnsRows(queries: string[], env: Record<string, string>) {
  const empty: string[] = [];
  for (const sql of queries) {
    const result = await runCli(['query', sql, '--format', 'json'], env);
    expect(result.code, `${sql}\n${result.stderr}`).toBe(0);
    if ((JSON.parse(result.stdout) as unknown[]).length === 0) empty.push(sql);
  }
  expect(empty, 'README queries that return no rows on the demo database').toEqual([]);
}

describe('README examples', () => {
  it('every query example returns at least one row on the demo database', async () => {
    const { sqlite } = examples();
    expect(sqlite.length).toBeGreaterThanOrEqual(8);
    const db = path.join(tempDir(), 'demo.db');
    const demo = await runCli(['demo', '--db', db, '--quiet'], { GONG_LOG_FORMAT: 'json' });
    expect(demo.code, demo.stderr).toBe(0);
    await expectEachReturnsRows(sqlite, { GONG_DB: db });
  }, 600_000);

  it('on PostgreSQL too: every example but FTS5 runs as written, and the PostgreSQL section its own full-text search', async () => {
    const { postgres } = examples();
    expect(postgres.some((sql) => /websearch_to_tsquery/.test(sql))).toBe(true);
    const url = await freshPostgresDatabase('readme');
    const demo = await runCli(['demo', '--db', url, '--quiet'], { GONG_LOG_FORMAT: 'json' });
    expect(demo.code, demo.stderr).toBe(0);
    await expectEachReturnsRows(postgres, { GONG_DB: url });
  }, 600_000);
});
