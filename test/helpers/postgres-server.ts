import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  closeSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A real, throw-away PostgreSQL server on 127.0.0.1 for tests: its own data directory, a random
 * superuser password (so URLs carry one, as users' do), stopped and removed by `stop()`, and by a
 * watchdog if the Node process that started it dies without stopping it.
 */
export interface PostgresServer {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The superuser's URL to the `postgres` database. */
  adminUrl: string;
  /** The postmaster's process id. */
  pid: number;
  /** Temporary directory holding the data directory, the socket directory and the server log. */
  directory: string;
  /** Creates a database and returns its URL (postgres://user:password@127.0.0.1:port/name). */
  createDatabase(name: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Keep fsync, synchronous commit and full-page writes on (off by default: tests need speed, not crash safety). */
  durable?: boolean;
  /** How long to wait for the server to accept connections; the test machine is often loaded. */
  readyTimeoutMs?: number;
}

const host = '127.0.0.1';
const user = 'postgres';
const execFileAsync = promisify(execFile);

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const binDir = findPostgresBinDir();
  const owner = serverOwner();
  const directory = mkdtempSync(path.join(os.tmpdir(), 'gong-sync-pg-'));
  try {
    const password = randomBytes(18).toString('hex');
    if (owner) chownSync(directory, owner.uid, owner.gid);
    await initDataDirectory(binDir, directory, password, owner, options.durable ?? false);
    const socketDir = path.join(directory, 'socket');
    mkdirSync(socketDir);
    if (owner) chownSync(socketDir, owner.uid, owner.gid);

    // A port picked free can be taken before the server binds it: try again with another.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = await runServer(binDir, directory, socketDir, port, password, owner, options);
      if (started.ok) return started.server;
      if (!started.portTaken || attempt >= 5) throw new Error(`PostgreSQL did not start: ${started.reason}`);
    }
  } catch (error) {
    rmSync(directory, { recursive: true, force: true });
    throw error;
  }
}

/** The newest server install: /usr/lib/postgresql/<version>/bin (Debian), else pg_config, else PATH. */
export function findPostgresBinDir(): string {
  const isServerDir = (dir: string) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres'));
  const debianRoot = '/usr/lib/postgresql';
  const versions = existsSync(debianRoot) ? readdirSync(debianRoot).sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a)) : [];
  const candidates = versions.map((version) => path.join(debianRoot, version, 'bin'));
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // No pg_config: PATH is the last place to look.
  }
  candidates.push(...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean));
  const found = candidates.find(isServerDir);
  if (!found) {
    throw new Error(
      'PostgreSQL server binaries (initdb, postgres) not found under /usr/lib/postgresql/*/bin, pg_config --bindir or PATH: ' +
        'install them (Debian: apt-get install postgresql; .ci/run does this)',
    );
  }
  return found;
}

interface Owner {
  uid: number;
  gid: number;
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user; otherwise as ourselves. */
function serverOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('Running as root, and there is no `postgres` user to run the PostgreSQL server as');
  }
}

async function initDataDirectory(binDir: string, directory: string, password: string, owner: Owner | undefined, durable: boolean) {
  const passwordFile = path.join(directory, 'password');
  writeFileSync(passwordFile, password, { mode: 0o600 });
  if (owner) chownSync(passwordFile, owner.uid, owner.gid);
  const args = [
    '-D',
    path.join(directory, 'data'),
    '-U',
    user,
    `--pwfile=${passwordFile}`,
    '--auth=scram-sha-256',
    '-E',
    'UTF8',
    '--locale=C',
  ];
  if (!durable) args.push('--no-sync');
  try {
    // cwd: the server user may not be allowed into ours.
    await execFileAsync(path.join(binDir, 'initdb'), args, { cwd: directory, uid: owner?.uid, gid: owner?.gid });
  } catch (error) {
    const { stderr, stdout, message } = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`initdb failed: ${stderr || stdout || message}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

type RunResult = { ok: true; server: PostgresServer } | { ok: false; portTaken: boolean; reason: string };

async function runServer(
  binDir: string,
  directory: string,
  socketDir: string,
  port: number,
  password: string,
  owner: Owner | undefined,
  options: StartPostgresOptions,
): Promise<RunResult> {
  const settings = ['listen_addresses=127.0.0.1', 'max_connections=200'];
  if (!options.durable) settings.push('fsync=off', 'synchronous_commit=off', 'full_page_writes=off');
  const logFile = path.join(directory, 'server.log');
  // The log goes to a file, not a pipe to us, so the server never depends on this process being alive.
  const log = openSync(logFile, 'w');
  const child = spawn(
    path.join(binDir, 'postgres'),
    ['-D', path.join(directory, 'data'), '-p', String(port), '-k', socketDir, ...settings.flatMap((s) => ['-c', s])],
    { cwd: directory, uid: owner?.uid, gid: owner?.gid, stdio: ['ignore', log, log] },
  );
  closeSync(log);
  // Neither the server nor its watchdog keeps a test process alive; the exit handler and watchdog stop it.
  child.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
  const readLog = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').trim() : '');

  const adminUrl = databaseUrl(`postgres://${user}:${encodeURIComponent(password)}@${host}:${port}/`, 'postgres');
  const ready = await waitUntilReady(adminUrl, options.readyTimeoutMs ?? 60_000, exited, spawnFailed);
  if (ready !== 'ready') {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    const serverLog = readLog();
    return { ok: false, portTaken: /could not bind|address already in use/i.test(serverLog), reason: `${ready}\n${serverLog}` };
  }

  const pid = child.pid!;
  const stopOnExit = () => {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', stopOnExit);
  const watchdog = startWatchdog(pid, directory);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.removeListener('exit', stopOnExit);
      child.ref(); // Keep this process alive until the server is really gone.
      if (child.exitCode === null && child.signalCode === null) {
        // SIGINT is PostgreSQL's fast shutdown: disconnect clients, no waiting for them.
        child.kill('SIGINT');
        const stuck = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(stuck);
      }
      rmSync(directory, { recursive: true, force: true });
      try {
        process.kill(-watchdog, 'SIGKILL'); // Its whole group: the shell and its `sleep`.
      } catch {
        // Already gone.
      }
    })());

  return {
    ok: true,
    server: {
      host,
      port,
      user,
      password,
      adminUrl,
      pid,
      directory,
      createDatabase: async (name) => {
        await adminQuery(adminUrl, `create database ${quoteDatabaseName(name)}`);
        return databaseUrl(adminUrl, name);
      },
      dropDatabase: async (name) => {
        await adminQuery(adminUrl, `drop database if exists ${quoteDatabaseName(name)} with (force)`);
      },
      stop,
    },
  };
}

/** 'ready', or why not: the server exited, could not be spawned, or the deadline passed. */
async function waitUntilReady(adminUrl: string, timeoutMs: number, exited: Promise<void>, spawnFailed: Promise<Error>): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let gaveUp: string | undefined;
  void exited.then(() => (gaveUp ??= 'the server exited'));
  void spawnFailed.then((error) => (gaveUp ??= `could not run postgres: ${error.message}`));
  let lastError = '';
  while (!gaveUp) {
    if (Date.now() > deadline) return `not accepting connections after ${timeoutMs} ms (last error: ${lastError})`;
    try {
      await adminQuery(adminUrl, 'select 1');
      return 'ready';
    } catch (error) {
      lastError = (error as Error).message;
      await sleep(100);
    }
  }
  return gaveUp;
}

/**
 * A detached shell that outlives us: once our process is gone (even killed by SIGKILL, when no exit
 * handler runs), it fast-shuts the server down and removes its directory. It learns of our death
 * from its stdin, a pipe only we hold: the kernel closes it when we die, so `read` returns.
 */
function startWatchdog(serverPid: number, directory: string): number {
  const script =
    'read _; kill -INT "$1" 2>/dev/null; ' +
    'n=0; while kill -0 "$1" 2>/dev/null && [ $n -lt 300 ]; do sleep 0.1; n=$((n+1)); done; ' +
    'kill -KILL "$1" 2>/dev/null; rm -rf "$2"';
  const watchdog = spawn('sh', ['-c', script, 'postgres-watchdog', String(serverPid), directory], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.stdin!.on('error', () => {});
  (watchdog.stdin as unknown as net.Socket).unref();
  watchdog.unref();
  return watchdog.pid!;
}

export async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {}); // A server shutting down mid-query must not crash the test process.
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** Only plain lowercase names, so URLs and SQL need no escaping games. */
export function quoteDatabaseName(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Unsafe test database name: ${JSON.stringify(name)}`);
  return `"${name}"`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
