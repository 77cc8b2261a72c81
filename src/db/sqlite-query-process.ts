import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { deserialize } from 'node:v8';
import { ConfigError } from '../errors.js';
import type { QueryRows, ReadOnlyQueryOptions } from './adapter.js';
import { QueryStoppedError, queryTimedOut } from './query-stop.js';

/** A batch ends at this many rows or this much JSON text, whichever comes first. */
const ROWS_PER_BATCH = 2000;
const CHARS_PER_BATCH = 1 << 20;
/** Batches the parent holds before it stops reading the pipe (the child then waits in its write). */
const BATCHES_AHEAD = 4;

/** Frame kinds on the child's stdout. */
const FRAME = { columns: 1, json: 2, values: 4, end: 5, error: 6 } as const;

/**
 * The child's program. SQLite runs a statement inside one native call that JavaScript cannot
 * interrupt (better-sqlite3 has no sqlite3_interrupt, and a worker thread stuck in it cannot be
 * terminated, nor can the process exit while it runs), so a user's statement runs in a process of
 * its own that the parent kills. It opens the file read-only with query_only set.
 *
 * The statement arrives over the IPC channel; everything the child says comes back in order as
 * frames on its stdout (1 byte kind, 4 bytes length, payload). The child runs ahead of the reader
 * (no request per batch), but only as far as the pipe and the parent's BATCHES_AHEAD batches: when
 * the parent stops reading, the child waits in its write, so a huge result never piles up in
 * either process.
 *
 * Making a JavaScript value of every cell costs more than SQLite's own work, so where it can the
 * child has SQLite write each row as JSON text (json_array over the statement, its columns named
 * by position, all in one call into SQLite that hands each row's text to a function of the child)
 * and sends a batch as one text the parent parses at once. JSON keeps reals exact
 * (17 digits), text and NULLs; the few values it cannot carry are found by the parent, which reads
 * those rows again exactly: blobs and -0.0 (the SQL marks them {"blob": hex}, {"real": "-0"}) and
 * integers beyond 2^53 (bigint). Statements that cannot be wrapped (pragma, explain) send their
 * values by v8 serialization.
 */
const CHILD = `
process.title = 'gong-sync query';
const [driver, file] = process.argv.slice(-2);
const Database = require(driver);
const { write, writeSync } = require('node:fs');
const { serialize } = require('node:v8');
const { randomBytes } = require('node:crypto');
const ROWS = ${ROWS_PER_BATCH}, CHARS = ${CHARS_PER_BATCH};
// The SQL function SQLite calls with each row's JSON: a name no statement of the user can know.
const ROW_FUNCTION = 'gong_sync_row_' + randomBytes(8).toString('hex');
let db, rows;

// Frames of values (not JSON) are written by libuv's thread pool (stdout is a blocking pipe here):
// the next batch is made while the last one is written, and a reader that stops reading stops the writes.
function writeAll(buffer) {
  return new Promise((resolve, reject) => {
    const step = (at) => write(1, buffer, at, buffer.length - at, null, (error, written) => {
      if (error) return error.code === 'EAGAIN' ? setTimeout(() => step(at), 1) : reject(error);
      if (at + written < buffer.length) step(at + written); else resolve();
    });
    step(0);
  });
}
function frame(kind, payload) {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = Buffer.allocUnsafe(5);
  head[0] = kind;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}
// A frame written from inside SQLite's own call (the JSON rows): the write waits while the pipe is
// full, so a reader that stops reading stops SQLite too.
function writeAllSync(buffer) {
  for (let at = 0; at < buffer.length; ) {
    try { at += writeSync(1, buffer, at, buffer.length - at); }
    catch (error) { if (error.code !== 'EAGAIN') throw error; Atomics.wait(pause, 0, 0, 1); }
  }
}
const pause = new Int32Array(new SharedArrayBuffer(4));
const errorFrame = (error, kind) => frame(${FRAME.error}, JSON.stringify({ kind, message: String(error && error.message || error), code: error && error.code }));
const fail = (error, kind) => writeAll(errorFrame(error, kind));
process.on('disconnect', () => process.exit(0));

// Cells SQLite's JSON cannot carry as they are: blobs, and -0.0 (written 0.0). A column whose
// declared type gives it INTEGER, TEXT or NUMERIC affinity never holds -0.0 (stored as 0 or text)
// and, written by this program, no blob: its cells go as they are (checking every cell costs a
// fifth of the time). Expressions and REAL or untyped columns are checked cell by cell.
function checked(type) {
  const declared = String(type || '').toUpperCase();
  if (/INT|CHAR|CLOB|TEXT/.test(declared)) return false;
  return declared === '' || /BLOB|REAL|FLOA|DOUB/.test(declared);
}
function jsonRows(sql, columns) {
  const names = columns.map((_, i) => '"c' + i + '"');
  const guard = (c) => "case typeof(" + c + ") when 'blob' then json_object('blob', hex(" + c + "))" +
    " when 'real' then iif(" + c + " = 0 and atan2(" + c + ", -1) < 0, json_object('real', '-0'), " + c + ") else " + c + " end";
  // The first statement checks cells for -0.0 alone (one comparison for a cell that is not zero):
  // a blob stops its JSON, and the statement with every cell fully guarded takes over (streamJson()).
  const zeroGuard = (c) => "iif(" + c + " = 0 and typeof(" + c + ") = 'real' and atan2(" + c + ", -1) < 0, json_object('real', '-0'), " + c + ")";
  // A statement with scalar subqueries (a view building JSON per row) runs as a co-routine
  // (OFFSET 0 keeps SQLite from flattening it into the outer select), or each cell's check would
  // compute the subquery again: calls_extensive_json took twice as long. Plain statements stay
  // flattened, where a co-routine's hand-over costs more than their cheap expressions.
  const body = sql.replace(/[\\s;]+$/, '');
  let subqueries = false;
  try { subqueries = db.prepare('explain ' + body).all().some((op) => op.opcode === 'BeginSubrtn'); } catch {}
  const source = subqueries ? 'select * from (\\n' + body + '\\n) limit -1 offset 0' : body;
  const prepare = (cells) => db.prepare('with gong_sync_rows(' + names.join(', ') + ') as (\\n' + source + '\\n) select count(' + ROW_FUNCTION + '(json_array(' + cells.join(', ') + '))) from gong_sync_rows').pluck();
  try {
    return { fast: prepare(names.map((c, i) => (checked(columns[i].type) ? zeroGuard(c) : c))), guarded: prepare(names.map(guard)) };
  } catch { return undefined; }
}

// The JSON rows run inside one call into SQLite (a call per row into the driver cost a fifth of
// the child's time): the statement hands each row's JSON to ROW_FUNCTION, which writes it straight
// into the batch's frame with where the row starts, for the parent to find the few values JSON
// cannot carry; a full batch is written before SQLite goes on. A blob in a column whose type
// promised none stops SQLite's JSON: the statement with every cell checked takes over, on the same
// snapshot (one read transaction), passing over the rows already sent.
let json, params, sent = 0, passOver = 0;
let jsonFrame = Buffer.allocUnsafe(CHARS + 65536), jsonAt = 9, starts = [];
function onJsonRow(text) {
  if (passOver > 0) { passOver--; return null; }
  if (jsonAt + 2 + text.length * 3 > jsonFrame.length) {
    const bigger = Buffer.allocUnsafe(Math.max(jsonFrame.length * 2, jsonAt + 2 + text.length * 3));
    jsonFrame.copy(bigger, 0, 0, jsonAt);
    jsonFrame = bigger;
  }
  jsonFrame[jsonAt++] = starts.length === 0 ? 91 : 44; // '[' then ','
  starts.push(jsonAt);
  jsonAt += jsonFrame.utf8Write(text, jsonAt);
  sent++;
  if (starts.length >= ROWS || jsonAt >= CHARS) sendJsonBatch();
  return null;
}
function sendJsonBatch() {
  if (starts.length === 0) return;
  jsonFrame[jsonAt++] = 93; // ']'
  const index = Buffer.allocUnsafe(4 * starts.length);
  starts.forEach((start, i) => index.writeUInt32BE(start - 9, 4 * i));
  // Frame head, then the text's length, the text, and each row's start in it.
  jsonFrame[0] = ${FRAME.json};
  jsonFrame.writeUInt32BE(jsonAt - 5 + index.length, 1);
  jsonFrame.writeUInt32BE(jsonAt - 9, 5);
  writeAllSync(jsonFrame.subarray(0, jsonAt));
  writeAllSync(index);
  jsonAt = 9;
  starts = [];
}
function streamJson() {
  try {
    try {
      json.fast.get();
    } catch (error) {
      if (!/JSON cannot hold BLOB values/.test(String(error && error.message))) throw error;
      passOver = sent;
      json.guarded.get();
    }
    sendJsonBatch();
    // The snapshot is no longer needed: end the read transaction (a checkpoint may then reset the log).
    if (db.inTransaction) db.prepare('commit').run();
    writeAllSync(frame(${FRAME.end}, ''));
  } catch (error) {
    if (error && error.code === 'EPIPE') process.exit(0);
    sendJsonBatch();
    writeAllSync(errorFrame(error, 'sql'));
  }
}

// The next batch of values SQLite's JSON cannot stand for (pragma, explain: v8 serialization),
// and whether rows may remain.
function nextBatch() {
  const batch = [];
  while (batch.length < ROWS) {
    const next = rows.next();
    if (next.done) break;
    batch.push(next.value.map((v) => (typeof v === 'bigint' && Number.isSafeInteger(Number(v)) ? Number(v) : v)));
  }
  return { frame: batch.length > 0 ? frame(${FRAME.values}, serialize(batch)) : undefined, more: batch.length >= ROWS };
}

async function streamValues() {
  // At most two batches here: one being written, the next being made.
  let writing = Promise.resolve();
  for (;;) {
    let batch;
    try { batch = nextBatch(); } catch (error) { batch = { frame: errorFrame(error, 'sql'), more: false, failed: true }; }
    await writing;
    if (batch.frame) writing = writeAll(batch.frame);
    if (!batch.more) {
      await writing;
      if (!batch.failed) await writeAll(frame(${FRAME.end}, ''));
      return;
    }
  }
}

process.on('message', (m) => {
  try {
    if (m.type !== 'start') return;
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 10000');
    db.pragma('query_only = ON');
    // Reading the file through a map and a 64 MiB page cache: a view over many tables otherwise
    // reads the same pages again and again through the default 2 MiB cache (a fifth of its time).
    db.pragma('mmap_size = 1073741824');
    db.pragma('cache_size = -65536');
    let statement;
    try { statement = db.prepare(m.sql); } catch (error) { return fail(error, 'sql'); }
    if (!statement.reader) return fail(new Error('not a reader'), 'write');
    const columns = statement.columns().map((c) => c.name);
    db.function(ROW_FUNCTION, { directOnly: true }, onJsonRow);
    json = jsonRows(m.sql, statement.columns());
    params = m.params || [];
    if (json) {
      // Bound parameters are checked before the columns go out, as the driver checks them.
      try { json.fast.bind(...params); json.guarded.bind(...params); } catch (error) { return fail(error, 'sql'); }
      db.prepare('begin').run();
      writeAllSync(frame(${FRAME.columns}, JSON.stringify(columns)));
      return streamJson();
    }
    try {
      rows = statement.raw(true).safeIntegers(true).iterate(...params);
    } catch (error) { return fail(error, 'sql'); }
    writeAll(frame(${FRAME.columns}, JSON.stringify(columns))).then(streamValues).catch((error) => fail(error, 'other'));
  } catch (error) { fail(error, 'other'); }
});
`;

type Frame =
  | { type: 'columns'; columns: string[] }
  | { type: 'rows'; rows: unknown[][] }
  | { type: 'end' }
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
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
    // The child needs no credentials: Gong's key and secret stay in this process.
    env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('GONG_'))),
  });
  running.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-2000)));

  // Every frame and every way the child can end goes through one queue the reader waits on.
  const inbox: Frame[] = [];
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
  const stdout = child.stdout!;
  const frames = new FrameReader((next) => {
    inbox.push(next);
    // Enough batches wait here: stop reading, and the child soon waits in its write.
    if (inbox.length >= BATCHES_AHEAD) stdout.pause();
    wake();
  });
  stdout.on('data', (chunk: Buffer) => frames.add(chunk));
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

  const next = async (): Promise<Frame> => {
    for (;;) {
      if (ended !== undefined) throw ended;
      const message = inbox.shift();
      if (message) {
        if (inbox.length < BATCHES_AHEAD) stdout.resume();
        if (message.type === 'error') throw childError(message);
        return message;
      }
      await new Promise<void>((resolve) => (waiting = resolve));
    }
  };

  try {
    child.send({ type: 'start', sql: sqlText, params: options.params ?? [] });
    const first = await next();
    if (first.type !== 'columns') throw new Error('the query process answered out of turn');
    return { columns: first.columns, rows: rowsOf(next, close), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Cuts the child's stdout into frames and decodes them. */
class FrameReader {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly emit: (frame: Frame) => void) {}

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size >= 5) {
      let head = this.chunks[0]!;
      if (head.length < 5) head = this.join();
      const length = head.readUInt32BE(1);
      if (this.size < 5 + length) return;
      const whole = head.length >= 5 + length ? head : this.join();
      const body = whole.subarray(5, 5 + length);
      this.decode(whole[0]!, body);
      const rest = whole.subarray(5 + length);
      this.chunks = rest.length > 0 ? [rest, ...this.chunks.slice(1)] : this.chunks.slice(1);
      this.size -= 5 + length;
    }
  }

  private join(): Buffer {
    const whole = Buffer.concat(this.chunks);
    this.chunks = [whole];
    return whole;
  }

  private decode(kind: number, body: Buffer): void {
    if (kind === FRAME.columns) this.emit({ type: 'columns', columns: JSON.parse(body.toString('utf8')) as string[] });
    else if (kind === FRAME.json) this.emit({ type: 'rows', rows: jsonBatch(body) });
    else if (kind === FRAME.values) this.emit({ type: 'rows', rows: (deserialize(body) as unknown[][]).map((row) => row.map(plainValue)) });
    else if (kind === FRAME.end) this.emit({ type: 'end' });
    else if (kind === FRAME.error)
      this.emit({ type: 'error', ...(JSON.parse(body.toString('utf8')) as Omit<Extract<Frame, { type: 'error' }>, 'type'>) });
  }
}

/**
 * A JSON batch: the text's length, the text (an array of rows), then where each row starts in it.
 * The text is parsed at once; only a row that may hold a value JSON cannot carry is read again.
 */
function jsonBatch(body: Buffer): unknown[][] {
  const textLength = body.readUInt32BE(0);
  const text = body.toString('utf8', 4, 4 + textLength);
  const rows = JSON.parse(text) as unknown[][];
  // A mark ({"blob":..} or {"real":"-0"}: strings escape their quotes, so `{"` is only ever a mark)
  // or sixteen digits or more after a comma or bracket (maybe an integer beyond 2^53).
  if (text.includes('{"') || WIDE_INTEGER.test(text)) {
    const starts = body.subarray(4 + textLength);
    for (let i = 0; i < rows.length; i++) {
      const start = 4 + starts.readUInt32BE(4 * i);
      const end = i + 1 < rows.length ? 4 + starts.readUInt32BE(4 * (i + 1)) - 1 : 4 + textLength - 1;
      const row = body.toString('utf8', start, end);
      if (row.includes('{"') || WIDE_INTEGER.test(row)) rows[i] = exactRow(row);
    }
  }
  return rows;
}

const WIDE_INTEGER = /[[,]-?\d{16}/;

/** A row's exact values: integers beyond 2^53 as bigint, marked blobs as Buffer, -0.0. */
function exactRow(text: string): unknown[] {
  const values = JSON.parse(text) as unknown[];
  let column = 0;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
    else if (ch === ',') {
      if (depth === 1) column++;
    } else if (depth === 1) {
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== ']') end++;
      const token = text.slice(i, end);
      if (/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) values[column] = BigInt(token);
      i = end - 1;
    }
  }
  return values.map((v) => {
    if (v === null || typeof v !== 'object') return v;
    const mark = v as { blob?: string; real?: string };
    return mark.blob !== undefined ? Buffer.from(mark.blob, 'hex') : -0;
  });
}

/**
 * The rows, a batch at a time. Rows of a batch are handed out without awaiting anything (cheaper
 * than an async generator's yield); a reader that stops early (break) stops the child at once.
 */
function rowsOf(next: () => Promise<Frame>, close: () => Promise<void>): AsyncIterable<unknown[]> {
  let batch: unknown[][] = [];
  let index = 0;
  let last = false;
  const nextRow = async (): Promise<IteratorResult<unknown[]>> => {
    while (index >= batch.length) {
      if (last) return { done: true, value: undefined };
      const message = await next();
      if (message.type === 'end') last = true;
      else if (message.type === 'rows') (batch = message.rows), (index = 0);
      else throw new Error('the query process answered out of turn');
    }
    return { done: false, value: batch[index++]! };
  };
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => (index < batch.length ? Promise.resolve({ done: false, value: batch[index++]! }) : nextRow()),
      return: async () => {
        await close();
        return { done: true, value: undefined };
      },
    }),
  };
}

/** Blobs cross the process boundary as Uint8Array: back to Buffer, as the driver gives them. */
function plainValue(value: unknown): unknown {
  return value instanceof Uint8Array && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
}

function childError(message: Extract<Frame, { type: 'error' }>): Error {
  if (message.kind === 'write')
    return new ConfigError('query is read-only: only statements that return rows (select, with, pragma reads) are allowed');
  if (message.kind === 'sql' || message.code?.startsWith('SQLITE_')) return new ConfigError(`SQL error: ${message.message}`);
  return new Error(message.message);
}
