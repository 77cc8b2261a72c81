import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import type { QueryRows, ReadOnlyQueryOptions } from './adapter.js';
import { QueryStoppedError, queryTimedOut } from './query-stop.js';

const ROWS_PER_BATCH = 500;

/**
 * The child's program. SQLite runs a statement inside one native call that JavaScript cannot
 * interrupt (better-sqlite3 has no sqlite3_interrupt, and a worker thread stuck in it cannot be
 * terminated, nor can the process exit while it runs), so a user's statement runs in a process of
 * its own that the parent kills. It opens the file read-only with query_only set and sends rows a
 * batch at a time, only when asked: a huge result never piles up in either process.
 */
const CHILD = `
process.title = 'gong-sync query';
const [driver, file] = process.argv.slice(-2);
const Database = require(driver);
let db, rows;
const fail = (error, kind) => { process.send({ type: 'error', kind, message: String(error && error.message || error), code: error && error.code }); };
process.on('disconnect', () => process.exit(0));
process.on('message', (m) => {
  try {
    if (m.type === 'start') {
      db = new Database(file, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 10000');
      db.pragma('query_only = ON');
      let statement;
      try { statement = db.prepare(m.sql); } catch (error) { return fail(error, 'sql'); }
      if (!statement.reader) return fail(new Error('not a reader'), 'write');
      process.send({ type: 'columns', columns: statement.columns().map((c) => c.name) });
      rows = statement.raw(true).iterate();
    } else if (m.type === 'more') {
      const batch = [];
      let done = false;
      try {
        while (batch.length < ${ROWS_PER_BATCH}) { const next = rows.next(); if (next.done) { done = true; break; } batch.push(next.value); }
      } catch (error) { return fail(error, 'sql'); }
      process.send({ type: 'rows', rows: batch, done });
    }
  } catch (error) { fail(error, 'other'); }
});
`;

type Message =
  | { type: 'columns'; columns: string[] }
  | { type: 'rows'; rows: unknown[][]; done: boolean }
  | { type: 'error'; kind: 'sql' | 'write' | 'other'; message: string; code?: string };

const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
const running = new Set<ChildProcess>();
// A process that exits any way it can (a second Ctrl-C calls process.exit) takes its queries along.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Runs one read-only statement on a SQLite file in a child process that is killed to stop it. */
export async function sqliteReadOnlyQuery(file: string, sqlText: string, options: ReadOnlyQueryOptions): Promise<QueryRows> {
  const child = spawn(process.execPath, ['-e', CHILD, '--', driverPath, path.resolve(file)], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'advanced',
    // The child needs no credentials: Gong's key and secret stay in this process.
    env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GONG_'))),
  });
  running.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-2000)));

  // Every message and every way the child can end goes through one queue the reader waits on.
  const inbox: Message[] = [];
  let waiting: (() => void) | undefined;
  let ended: unknown;
  const wake = () => {
    const resume = waiting;
    waiting = undefined;
    resume?.();
  };
  const stop = (reason: unknown) => {
    if (ended === undefined) ended = reason;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    running.delete(child);
    wake();
  };
  child.on('message', (message: Message) => {
    inbox.push(message);
    wake();
  });
  child.on('exit', (code, signal) =>
    stop(new Error(`the query process ended (${signal ?? `exit ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`)),
  );
  child.on('error', (error) => stop(error));
  const timer = setTimeout(() => stop(queryTimedOut(options.timeoutMs)), options.timeoutMs);
  const onAbort = () => stop(new QueryStoppedError(String(options.signal?.reason ?? 'a signal')));
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const close = async () => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    stop(new Error('closed'));
  };

  const next = async (): Promise<Message> => {
    for (;;) {
      const message = inbox.shift();
      if (message) {
        if (message.type === 'error') throw childError(message);
        return message;
      }
      if (ended !== undefined) throw ended;
      await new Promise<void>((resolve) => (waiting = resolve));
    }
  };

  try {
    child.send({ type: 'start', sql: sqlText });
    const first = await next();
    if (first.type !== 'columns') throw new Error('the query process answered out of turn');
    return { columns: first.columns, rows: rowsOf(child, next), close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function* rowsOf(child: ChildProcess, next: () => Promise<Message>): AsyncIterable<unknown[]> {
  for (;;) {
    child.send({ type: 'more' });
    const message = await next();
    if (message.type !== 'rows') throw new Error('the query process answered out of turn');
    for (const row of message.rows) yield row.map(plainValue);
    if (message.done) return;
  }
}

/** Blobs cross the process boundary as Uint8Array: back to Buffer, as the driver gives them. */
function plainValue(value: unknown): unknown {
  return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
}

function childError(message: Extract<Message, { type: 'error' }>): Error {
  if (message.kind === 'write')
    return new ConfigError('query is read-only: only statements that return rows (select, with, pragma reads) are allowed');
  if (message.kind === 'sql' || message.code?.startsWith('SQLITE_')) return new ConfigError(`SQL error: ${message.message}`);
  return new Error(message.message);
}
