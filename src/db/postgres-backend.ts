import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { RunResult, SqlBackend } from './sql-executor.js';
import type { HeldLock } from './adapter.js';

/**
 * node-postgres behind the async executor. Outside a transaction a statement takes any pooled
 * connection; inside one, every statement issued from the transaction's work (however deep) runs
 * on the transaction's connection. Statements are named, so the server plans each SQL text once
 * per connection (the loader's multi-row upserts are large).
 */
export class PostgresBackend implements SqlBackend {
  private readonly transactionClient = new AsyncLocalStorage<{ client: pg.PoolClient; open: boolean }>();

  constructor(
    readonly pool: pg.Pool,
    /** Scopes cross-process locks to one dataset: two schemas in one database do not block each other. */
    private readonly lockScope: string,
  ) {}

  async run(sqlText: string, params: unknown[], options: { reuse?: boolean } = {}): Promise<RunResult> {
    const result = await this.queryable().query(statement(sqlText, params, options.reuse));
    return { changes: result.rowCount ?? 0 };
  }

  async all<T>(sqlText: string, params: unknown[]): Promise<T[]> {
    const result = await this.queryable().query(statement(sqlText, params, false));
    return result.rows as T[];
  }

  async transaction<T>(work: () => Promise<T>, options: { exclusive?: string } = {}): Promise<T> {
    if (this.transactionClient.getStore()?.open) return work();
    const client = await connected(this.pool);
    const context = { client, open: true };
    let broken = false;
    try {
      // Explicit: a server whose default is repeatable read would give the request-log claim a
      // snapshot older than the lock it waits for.
      await client.query('begin isolation level read committed');
      try {
        if (options.exclusive) await client.query('select pg_advisory_xact_lock(hashtext($1))', [this.lockKey(options.exclusive)]);
        const result = await this.transactionClient.run(context, work);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => (broken = true));
        throw error;
      }
    } finally {
      context.open = false;
      client.release(broken);
    }
  }

  /**
   * Takes a session-level advisory lock on a connection of its own, held until `release` (or until
   * the session ends: a killed holder's lock is freed by the server). Undefined when another
   * session holds it.
   */
  async holdLock(name: string, onLost: (reason: string) => void = () => undefined): Promise<HeldLock | undefined> {
    const client = await connected(this.pool);
    try {
      const { rows } = await client.query<{ held: boolean }>('select pg_try_advisory_lock(hashtext($1)) as held', [this.lockKey(name)]);
      if (!rows[0]?.held) {
        client.release();
        return undefined;
      }
    } catch (error) {
      client.release(true);
      throw error;
    }
    const key = this.lockKey(name);
    let released = false;
    // The session going away (network, server restart, terminated) takes the lock with it.
    client.on('error', (error) => released || onLost(error.message));
    return {
      async stillHeld() {
        try {
          await client.query('select 1');
        } catch (error) {
          if (!released) onLost((error as Error).message);
        }
      },
      async release() {
        released = true;
        try {
          await client.query('select pg_advisory_unlock(hashtext($1))', [key]);
          client.release();
        } catch {
          // The session is gone with its lock: nothing left to free.
          client.release(true);
        }
      },
    };
  }

  /** Whether any session holds the named lock (for status: is the recorded writer alive?). */
  async lockHeld(name: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ held: boolean }>(
      `select exists (select 1 from pg_locks where locktype = 'advisory' and granted and objsubid = 1 and objid = (hashtext($1)::bigint & 4294967295)::oid
        and database = (select oid from pg_database where datname = current_database())) as held`,
      [this.lockKey(name)],
    );
    return rows[0]?.held === true;
  }

  private lockKey(name: string): string {
    return `gong-sync:${this.lockScope}:${name}`;
  }

  private queryable(): pg.Pool | pg.PoolClient {
    const context = this.transactionClient.getStore();
    if (!context) return this.pool;
    // Work that outlived its transaction (a timer started inside it) must not use a returned connection.
    if (!context.open) throw new Error('a statement was issued after its transaction ended (a bug: please report it)');
    return context.client;
  }
}

/**
 * A pooled connection held by this code. A server that goes away makes node-postgres emit 'error'
 * on a checked-out client, which would end the process unhandled; the statement in flight fails
 * with the same error and that is where it is reported.
 */
export async function connected(pool: pg.Pool): Promise<pg.PoolClient> {
  const client = await pool.connect();
  if (client.listenerCount('error') === 0) client.on('error', () => undefined);
  return client;
}

const namedStatements = new Map<string, string>();

/** Texts run again and again (the loader's upserts) are prepared once per connection; others are not kept. */
function statement(text: string, values: unknown[], reuse = false): pg.QueryConfig {
  if (!reuse) return { text, values };
  let name = namedStatements.get(text);
  if (!name) {
    name = `gs_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    namedStatements.set(text, name);
  }
  return { name, text, values };
}
