import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase, migrateToLatest } from '../src/db/database.js';
import { startSimulator } from './helpers/simulator.js';
import { runCli, simEnv, tempDir } from './helpers/cli.js';
import { query } from './helpers/database.js';

/** Folders and files made immutable with chattr: undone after each test, or the temp folder cannot be removed. */
const immutable: string[] = [];
afterEach(() => {
  while (immutable.length > 0) execFileSync('chattr', ['-i', immutable.pop()!]);
});

/**
 * Tests run as root, for whom file modes do not stop writes. `chattr +i` does (even for root), so
 * it stands in for a read-only file and folder (a read-only mount behaves the same for SQLite).
 */
function makeImmutable(target: string): boolean {
  try {
    execFileSync('chattr', ['+i', target], { stdio: 'ignore' });
    immutable.push(target);
    return true;
  } catch {
    return false;
  }
}

const canChattr = (() => {
  const dir = fs.mkdtempSync('/tmp/gong-sync-chattr-');
  try {
    execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
})();

/** A private mount namespace with a tiny tmpfs: a real full disk (needs root and unshare). */
const canMountTmpfs = (() => {
  try {
    execFileSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

async function syncedDatabase(dir: string) {
  const sim = await startSimulator({ calls: 20 });
  const db = path.join(dir, 'gong.db');
  const result = await runCli(['sync', '--streams', 'users,calls'], simEnv(sim, db));
  expect(result.code, result.stderr.slice(-1000)).toBe(0);
  return { sim, db };
}

describe('bad database paths and files: exit 2 naming the path and what is wrong', () => {
  it('a file that is not SQLite is refused by sync, migrate, status and query, and left untouched', async () => {
    const sim = await startSimulator({ calls: 5 });
    const db = path.join(tempDir(), 'notes.db');
    const content = 'These are my meeting notes, not a database.\n'.repeat(200);
    fs.writeFileSync(db, content);
    for (const args of [['sync', '--streams', 'users'], ['migrate'], ['status'], ['query', 'select 1']]) {
      const result = await runCli(args, simEnv(sim, db));
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(`${db} is not a SQLite database`);
    }
    expect(fs.readFileSync(db, 'utf8')).toBe(content);
    expect(sim.requests.length).toBe(0);
  });

  it('a damaged database (garbage over its schema page) is refused as damaged', async () => {
    const dir = tempDir();
    const { sim, db } = await syncedDatabase(dir);
    const fd = fs.openSync(db, 'r+');
    fs.writeSync(fd, Buffer.alloc(3000, 0xa5), 0, 3000, 100); // keeps the 100-byte header, ruins page 1
    fs.closeSync(fd);
    for (const args of [['sync', '--streams', 'users'], ['status'], ['query', 'select count(*) from users']]) {
      const result = await runCli(args, simEnv(sim, db));
      expect(result.code, `${args[0]}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toMatch(
        new RegExp(`The database ${db} is damaged \\(database disk image is malformed\\): restore it from a backup`),
      );
    }
  });

  it('a folder, a dangling symbolic link, a link loop and a device are refused with what they are', async () => {
    const sim = await startSimulator({ calls: 5 });
    const dir = tempDir();
    const folder = path.join(dir, 'folder.db');
    fs.mkdirSync(folder);
    const dangling = path.join(dir, 'dangling.db');
    fs.symlinkSync(path.join(dir, 'gone', 'real.db'), dangling);
    const loop = path.join(dir, 'loop.db');
    fs.symlinkSync(loop, loop);
    const cases: Array<[string, RegExp]> = [
      [folder, new RegExp(`${folder} is a folder, not a file`)],
      [dangling, new RegExp(`${dangling} is a symbolic link to .*gone/real.db, which does not exist`)],
      [loop, new RegExp(`${loop} is a symbolic link that loops`)],
      ['/dev/null', /\/dev\/null is not a regular file/],
      [path.join(dir, 'missing', 'gong.db'), /the folder .*missing does not exist/],
    ];
    for (const [db, message] of cases) {
      for (const args of [['sync', '--streams', 'users'], ['migrate'], ['status']]) {
        const result = await runCli(args, simEnv(sim, db));
        expect(result.code, `${args[0]} ${db}: ${result.stderr}`).toBe(2);
        if (!(args[0] === 'status' && db.includes('missing'))) expect(result.stderr, `${args[0]} ${db}`).toMatch(message);
      }
    }
    expect(fs.existsSync(path.join(dir, 'gone'))).toBe(false);
  });

  it.skipIf(!canChattr)(
    'a read-only folder: sync cannot create or write there (exit 2), query and status read a read-only file in it',
    async () => {
      const dir = tempDir();
      const { sim, db } = await syncedDatabase(dir);
      const users = query<{ n: number }>(db, 'select count(*) n from users')[0]!.n;
      expect(users).toBeGreaterThan(0);
      // At rest the file is self-contained (rollback-journal mode), so nothing needs creating to read it.
      expect(fs.readdirSync(dir)).toEqual(['gong.db']);
      expect(makeImmutable(db) && makeImmutable(dir)).toBe(true);
      expect(() => fs.writeFileSync(path.join(dir, 'probe'), 'x')).toThrow(); // even root cannot write here

      const status = await runCli(['status', '--json'], simEnv(sim, db));
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).streams.find((s: { stream: string }) => s.stream === 'users').tables[0].rows).toBe(users);
      const read = await runCli(['query', 'select count(*) n from users', '--format', 'json'], simEnv(sim, db));
      expect(read.code, read.stderr).toBe(0);
      expect(JSON.parse(read.stdout)).toEqual([{ n: users }]);

      const write = await runCli(['sync', '--streams', 'users'], simEnv(sim, db));
      expect(write.code, write.stderr).toBe(2);
      expect(write.stderr).toMatch(new RegExp(`The database ${db} cannot be written \\(permission denied\\)`));
      const create = await runCli(['migrate'], simEnv(sim, path.join(dir, 'new.db')));
      expect(create.code, create.stderr).toBe(2);
      expect(create.stderr).toMatch(/Cannot create the database .*new\.db \(permission denied\): make the folder .* writable/);
      expect(fs.readdirSync(dir)).toEqual(['gong.db']);
    },
  );

  it('a 0444 file opens read-only for status and query (the read-only open path: no WAL, query_only)', async () => {
    // Without chattr this is what can be shown as root: the read-only open never writes or creates a file.
    const dir = tempDir();
    const { sim, db } = await syncedDatabase(dir);
    fs.chmodSync(db, 0o444);
    const before = fs.readFileSync(db);
    expect((await runCli(['status'], simEnv(sim, db))).code).toBe(0);
    expect((await runCli(['query', 'select count(*) from calls'], simEnv(sim, db))).code).toBe(0);
    expect(fs.readdirSync(dir)).toEqual(['gong.db']);
    expect(fs.readFileSync(db).equals(before)).toBe(true);
    const database = openDatabase(db, { readonly: true });
    try {
      expect(database.sqlite.readonly).toBe(true);
      expect(database.sqlite.pragma('query_only', { simple: true })).toBe(1);
      expect(() => database.sqlite.exec('create table t (a)')).toThrow(/readonly|query_only/i);
    } finally {
      await database.close();
    }
  });

  it('a writer killed mid-transaction in rollback-journal mode leaves a hot journal: status and query still read the last commit', async () => {
    const dir = tempDir();
    const { sim, db } = await syncedDatabase(dir);
    const users = query<{ n: number }>(db, 'select count(*) n from users')[0]!.n;
    // A process writing in rollback-journal mode (the file's mode at rest), SIGKILLed before it commits.
    const script = `
      const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
      const d = new Database(${JSON.stringify(db)});
      d.pragma('cache_size = 1');
      d.exec('begin');
      const insert = d.prepare('insert into users (id, raw, synced_at) values (?, ?, ?)');
      for (let i = 0; i < 20000; i++) insert.run('killed-' + i, 'x'.repeat(200), 'now');
      process.kill(process.pid, 'SIGKILL');`;
    await promisify(execFile)(process.execPath, ['-e', script]).catch(() => undefined);
    expect(fs.existsSync(`${db}-journal`)).toBe(true);
    expect(() => query(db, 'select 1')).toThrow(/readonly/i); // a plain read-only reader cannot undo it
    const status = await runCli(['status', '--json'], simEnv(sim, db));
    expect(status.code, status.stderr).toBe(0);
    const read = await runCli(['query', 'select count(*) n from users', '--format', 'json'], simEnv(sim, db));
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toEqual([{ n: users }]);
    expect(query(db, 'pragma integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  });

  it('an existing database readable by others is tightened to 0600 by the next writer', async () => {
    const dir = tempDir();
    const { sim, db } = await syncedDatabase(dir);
    fs.chmodSync(db, 0o644);
    expect((await runCli(['migrate'], simEnv(sim, db))).code).toBe(0);
    expect((fs.statSync(db).mode & 0o777).toString(8)).toBe('600');
  });
});

describe('a full disk', () => {
  it.skipIf(!canMountTmpfs)(
    'a sync that fills the disk stops (exit 1, saying the disk is full), its run is not left "running", and the next run with room completes',
    async () => {
      const sim = await startSimulator({ calls: 400 });
      const dir = tempDir();
      const mount = path.join(dir, 'small');
      const saved = path.join(dir, 'saved');
      fs.mkdirSync(mount);
      fs.mkdirSync(saved);
      const env = simEnv(sim, path.join(mount, 'gong.db'), { GONG_LOG_FORMAT: 'text' });
      const bin = path.resolve('bin/gong-sync.js');
      // Inside the namespace: sync onto a 1.5 MiB disk (room for the schema, not for 400 calls), read its status there, keep a copy of the files.
      const script = [
        `mount -t tmpfs -o size=1500k tmpfs ${mount}`,
        `${process.execPath} ${bin} sync --streams users,calls_extensive,call_transcripts > ${saved}/sync.out 2> ${saved}/sync.err; echo $? > ${saved}/sync.code`,
        `${process.execPath} ${bin} status --json > ${saved}/status.json 2> ${saved}/status.err`,
        `cp ${mount}/gong.db* ${saved}/`,
      ].join('; ');
      const cleanEnv = Object.fromEntries(Object.entries({ ...process.env, ...env }).filter(([, v]) => v !== undefined)) as Record<
        string,
        string
      >;
      await promisify(execFile)('unshare', ['-m', 'sh', '-c', script], { env: cleanEnv });
      expect(fs.readFileSync(path.join(saved, 'sync.code'), 'utf8').trim()).toBe('1');
      expect(fs.readFileSync(path.join(saved, 'sync.err'), 'utf8')).toMatch(/disk is full/);
      const status = JSON.parse(fs.readFileSync(path.join(saved, 'status.json'), 'utf8'));
      expect(status.runs[0].outcome).not.toBe('running');
      expect(['failed', 'interrupted']).toContain(status.runs[0].outcome);
      // With room again (the saved copy on the ordinary disk), the next run completes and nothing stays "running".
      const db = path.join(saved, 'gong.db');
      const next = await runCli(['sync', '--streams', 'users,calls_extensive,call_transcripts'], simEnv(sim, db));
      expect(next.code, next.stderr.slice(-500)).toBe(0);
      expect(query(db, "select count(*) n from _runs where outcome = 'running'")).toEqual([{ n: 0 }]);
      expect(query(db, 'select count(*) n from calls')).toEqual([{ n: sim.account.visibleCalls().length }]);
    },
    180_000,
  );
});

describe('atomic migrations', () => {
  it('a migration that fails half-way leaves nothing of itself, and the next attempt applies it whole', async () => {
    const file = path.join(tempDir(), 'gong.db');
    let breakSecond = true;
    const migrations = {
      '0001-first': { up: async (db: any) => void (await db.schema.createTable('first_table').addColumn('id', 'text').execute()) },
      '0002-second': {
        up: async (db: any) => {
          await db.schema.createTable('second_table').addColumn('id', 'text').execute();
          await db.schema.createIndex('second_index').on('second_table').column('id').execute();
          if (breakSecond) throw new Error('killed here');
          await db.schema.createTable('second_more').addColumn('id', 'text').execute();
        },
      },
    };
    const database = openDatabase(file);
    try {
      await expect(migrateToLatest(database, undefined, migrations)).rejects.toThrow(
        /Database migration 0002-second failed \(nothing of it was applied\): killed here/,
      );
      const tables = () =>
        database.sqlite
          .prepare("select name from sqlite_master where type in ('table', 'index') and name not like 'sqlite_%' order by name")
          .all();
      expect(
        tables()
          .map((t: any) => t.name)
          .filter((name: string) => !name.startsWith('sqlite_')),
      ).toEqual(['first_table', 'kysely_migration']);
      breakSecond = false;
      expect(await migrateToLatest(database, undefined, migrations)).toEqual({ applied: ['0002-second'] });
      expect(await migrateToLatest(database, undefined, migrations)).toEqual({ applied: [] });
      expect(database.sqlite.prepare('select name from kysely_migration order by name').all()).toEqual([
        { name: '0001-first' },
        { name: '0002-second' },
      ]);
      await sql`select 1 from second_more`.execute(database.db);
    } finally {
      await database.close();
    }
  });

  it('a stop signal is honoured between migrations, never inside one', async () => {
    const file = path.join(tempDir(), 'gong.db');
    const controller = new AbortController();
    const migrations = {
      '0001-first': {
        up: async (db: any) => {
          await db.schema.createTable('a').addColumn('id', 'text').execute();
          controller.abort('SIGTERM');
        },
      },
      '0002-second': { up: async (db: any) => void (await db.schema.createTable('b').addColumn('id', 'text').execute()) },
    };
    const database = openDatabase(file);
    try {
      await expect(migrateToLatest(database, controller.signal, migrations)).rejects.toThrow(/Stopped by SIGTERM/);
      expect(database.sqlite.prepare('select name from kysely_migration').all()).toEqual([{ name: '0001-first' }]);
    } finally {
      await database.close();
    }
    const reader = new BetterSqlite3(file, { readonly: true });
    expect(reader.prepare("select count(*) n from sqlite_master where name = 'b'").get()).toEqual({ n: 0 });
    reader.close();
  });
});

describe('command line', () => {
  it('gong-sync with no arguments prints the help on stderr and exits 2', async () => {
    const result = await runCli([], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Usage: gong-sync \[options\] \[command\]/);
  });
});
