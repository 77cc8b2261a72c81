import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Read-only SQL on a SQLite file in a worker thread, so that a slow or never-ending statement
 * cannot hold the MCP server's event loop: the server keeps answering other tools, and a
 * statement past its time limit is ended by terminating the worker (SQLite has no other way to
 * stop a statement from outside its thread). The worker opens the file read-only with query_only.
 */

export interface QueryAnswer {
  columns: string[];
  rows: Array<Record<string, unknown>>;
  truncated: boolean;
}

export class QueryRefusedError extends Error {}
export class QueryTimeoutError extends Error {}

// Plain JavaScript run with `eval`, so it loads the same from src/ under vitest and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('query_only = ON');
db.pragma('busy_timeout = 5000');
const plain = (key, value) => (typeof value === 'bigint' ? value.toString() : Buffer.isBuffer(value) ? '<' + value.length + ' bytes>' : value);
parentPort.on('message', ({ sql, maxRows, maxChars }) => {
  try {
    const statement = db.prepare(sql);
    if (!statement.reader) {
      parentPort.postMessage({ refused: 'query is read-only: only statements that return rows (SELECT, WITH ... SELECT) are allowed' });
      return;
    }
    const columns = statement.columns().map((c) => c.name);
    const rows = [];
    let chars = 0;
    let truncated = false;
    for (const row of statement.iterate()) {
      const text = JSON.stringify(row, plain);
      if (rows.length >= maxRows || chars + text.length > maxChars) { truncated = true; break; }
      rows.push(JSON.parse(text));
      chars += text.length;
    }
    parentPort.postMessage({ columns, rows, truncated });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
});
`;

export class SqliteQueryWorker {
  private worker: Worker | undefined;
  /** One statement at a time: the next waits for the one before. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly driver = createRequire(import.meta.url).resolve('better-sqlite3');

  constructor(private readonly file: string) {}

  run(sql: string, options: { maxRows: number; maxChars: number; timeoutMs: number }): Promise<QueryAnswer> {
    const next = this.queue.then(() => this.runNow(sql, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private runNow(sql: string, options: { maxRows: number; maxChars: number; timeoutMs: number }): Promise<QueryAnswer> {
    const worker = (this.worker ??= this.start());
    return new Promise<QueryAnswer>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const timer = setTimeout(() => {
        done();
        this.worker = undefined;
        void worker.terminate();
        reject(new QueryTimeoutError(`the statement ran past its time limit of ${Math.round(options.timeoutMs / 1000)} s and was stopped; narrow it (WHERE, LIMIT) or raise timeout_seconds`));
      }, options.timeoutMs);
      const onMessage = (message: { refused?: string; error?: string } & Partial<QueryAnswer>) => {
        done();
        if (message.refused) reject(new QueryRefusedError(message.refused));
        else if (message.error) reject(new Error(message.error));
        else resolve({ columns: message.columns!, rows: message.rows!, truncated: message.truncated! });
      };
      const onError = (error: Error) => {
        done();
        this.worker = undefined;
        reject(error);
      };
      const onExit = (code: number) => {
        done();
        this.worker = undefined;
        reject(new Error(`the query worker stopped (exit code ${code})`));
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({ sql, maxRows: options.maxRows, maxChars: options.maxChars });
    });
  }

  private start(): Worker {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file: this.file, driver: this.driver } });
    // An idle worker must not keep the process alive once the server is done.
    worker.unref();
    return worker;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
