import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './helpers/cli.js';

/**
 * The sqlite3 shell on this machine, if any. Debian 12's is SQLite 3.40: a view nested deeper than
 * its parser allows (before 3.46), or a syntax it lacks, makes the whole file unreadable to it and
 * to BI tools built on an older SQLite. CI installs it (.ci/run); elsewhere the test needs it only
 * when it is there.
 */
function sqliteShell(): string | undefined {
  const found = spawnSync('sqlite3', ['-version'], { encoding: 'utf8' });
  return found.status === 0 ? 'sqlite3' : undefined;
}

const shell = sqliteShell();

describe('a database older SQLite can read', () => {
  it.skipIf(!shell && !process.env.CI)(
    "the sqlite3 shell opens a synced database and reads every view in full, with the driver's row counts",
    async () => {
      expect(shell, "no sqlite3 shell: install Debian's sqlite3 package").toBeDefined();
      const db = path.join(tempDir(), 'demo.db');
      const demo = await runCli(['demo', '--db', db, '--calls', '40', '--quiet'], { GONG_LOG_FORMAT: 'json' });
      expect(demo.code, demo.stderr).toBe(0);

      const driver = new Database(db, { readonly: true });
      const views = driver.prepare(`select name from sqlite_master where type = 'view' order by name`).pluck().all() as string[];
      const counts = Object.fromEntries(views.map((v) => [v, driver.prepare(`select count(*) from "${v}"`).pluck().get()]));
      driver.close();
      expect(views).toEqual(expect.arrayContaining(['calls_extensive_json', 'transcript_lines', 'call_summary']));

      const version = execFileSync(shell!, ['-version'], { encoding: 'utf8' }).trim();
      for (const view of views) {
        // Every row and column written out (not just counted): as many rows as the driver gives.
        const read = spawnSync(shell!, ['-readonly', '-json', db, `select * from "${view}"`], { encoding: 'utf8', maxBuffer: 1 << 28 });
        expect(read.stderr, `${view} in sqlite3 ${version}`).toBe('');
        expect(read.status, `${view} in sqlite3 ${version}`).toBe(0);
        const rows = read.stdout.trim() === '' ? [] : (JSON.parse(read.stdout) as unknown[]);
        expect(rows.length, `${view} in sqlite3 ${version}`).toBe(counts[view]);
      }
    },
    300_000,
  );
});
