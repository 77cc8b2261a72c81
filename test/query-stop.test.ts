import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { messagesOf, runCli, spawnCli, tempDir } from './helpers/cli.js';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';
import { pgQuery } from './helpers/postgres-database.js';
import { connectDatabase, migrateToLatest } from '../src/db/database.js';

/** A statement that never ends (and never returns a row) on both databases. */
const RUNAWAY = 'with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r';

async function migratedFile(): Promise<string> {
  const file = path.join(tempDir(), 'gong.db');
  const database = await connectDatabase(file);
  await migrateToLatest(database);
  await database.close();
  return file;
}

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('every query can be stopped (the process boundary is the subject)', () => {
  it('SQLite: a runaway query stops at --timeout with exit 2, and SIGTERM ends it at once leaving no process behind', async () => {
    const file = await migratedFile();
    const timedOut = await runCli(['query', RUNAWAY, '--timeout', '3'], { GONG_DB: file, GONG_LOG_FORMAT: 'json' });
    expect(timedOut.code).toBe(2);
    expect(messagesOf(timedOut.stderr)).toMatch(/ran past its time limit \(3 s\).*raise --timeout/);
    expect(timedOut.ms).toBeLessThan(15_000);

    const { child, result } = spawnCli(['query', RUNAWAY], { GONG_DB: file, GONG_LOG_FORMAT: 'json' });
    let workers: number[] = [];
    await waitFor(() => (workers = childrenOf(child.pid!)).length > 0, 10_000);
    const signalled = Date.now();
    child.kill('SIGTERM');
    const stopped = await result;
    expect(Date.now() - signalled).toBeLessThan(3000);
    expect(stopped.code).toBe(3);
    expect(messagesOf(stopped.stderr)).toMatch(/query was stopped by SIGTERM/);
    await waitFor(() => workers.every((pid) => !alive(pid)), 3000);
  });

  it('PostgreSQL: --timeout stops the statement, and SIGINT cancels its backend before the process exits', async () => {
    const url = await freshPostgresDatabase('query_stop');
    const database = await connectDatabase(url);
    await migrateToLatest(database);
    await database.close();
    const timedOut = await runCli(['query', 'select pg_sleep(30)', '--timeout', '2'], { GONG_DB: url, GONG_LOG_FORMAT: 'json' });
    expect(timedOut.code).toBe(2);
    expect(messagesOf(timedOut.stderr)).toMatch(/time limit/);
    expect(timedOut.ms).toBeLessThan(15_000);

    const running = () =>
      pgQuery<{ n: number }>(
        url,
        "select count(*)::int as n from pg_stat_activity where query like 'fetch forward % from gong_sync_query' and state = 'active' and datname = current_database()",
      );
    const { child, result } = spawnCli(['query', 'select pg_sleep(60)'], { GONG_DB: url, GONG_LOG_FORMAT: 'json' });
    await waitFor(async () => (await running())[0]!.n === 1, 15_000);
    child.kill('SIGINT');
    const stopped = await result;
    expect(stopped.code).toBe(3);
    // The backend was cancelled before the process exited, not left to run out its statement timeout.
    expect((await running())[0]!.n).toBe(0);
  });
});
