import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgres } from './helpers/postgres-server.js';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';

async function currentDatabase(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>('select current_database() as name');
    return rows[0]!.name;
  } finally {
    await client.end();
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

describe('PostgreSQL test server', () => {
  it('gives a fresh database that accepts connections, with a password in its URL', async () => {
    const url = await freshPostgresDatabase('Accepts Connection!');
    expect(new URL(url).password).not.toBe('');
    expect(new URL(url).hostname).toBe('127.0.0.1');
    expect(await currentDatabase(url)).toMatch(/^accepts_connection_[0-9a-f]+$/);
  });

  it('gives distinct databases to two callers', async () => {
    const [first, second] = await Promise.all([freshPostgresDatabase('same'), freshPostgresDatabase('same')]);
    expect(first).not.toBe(second);
    const client = new pg.Client({ connectionString: first });
    await client.connect();
    await client.query('create table only_in_first (id int)');
    await client.end();
    const other = new pg.Client({ connectionString: second });
    await other.connect();
    const { rows } = await other.query("select to_regclass('only_in_first') as found");
    await other.end();
    expect(rows[0].found).toBeNull();
  });

  it('starts a second server whose stop() leaves no process and no temporary directory', async () => {
    const server = await startPostgres();
    const url = await server.createDatabase('second_server');
    expect(await currentDatabase(url)).toBe('second_server');
    // A client still connected must not hold the shutdown up (fast shutdown).
    const lingering = new pg.Client({ connectionString: url });
    lingering.on('error', () => {});
    await lingering.connect();
    expect(isRunning(server.pid)).toBe(true);

    await server.stop();
    await lingering.end().catch(() => {});
    expect(isRunning(server.pid)).toBe(false);
    expect(existsSync(server.directory)).toBe(false);
  });
});
