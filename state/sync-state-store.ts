import type { SqlExecutor } from '../src/db/sql-executor.js';

/** Which state: one stream, one partition (e.g. a folder id, '' for none), incremental or a backfill. */
export interface StateKey {
  stream: string;
  partitionKey: string;
  scope: string;
}

/** Where an unfinished pass stands: enough to resume at the next uncommitted page. */
export interface Checkpoint {
  /** The window being read (date_windows). */
  window?: { from: string; to: string };
  /** Gong's cursor for the next page of the current request, or null to start the request over. */
  cursor: string | null;
  /** parent_ids: the last parent id whose batch is committed. */
  afterId?: string;
  /** When this pass began: parent_ids compares parent rows against it; full refresh sweeps by it. */
  passStartedAt?: string;
  /**
   * date_windows read newest first (a first sync, a backfill): the older range [from, to) not read
   * yet, and the window of it being read with that window's cursor. Everything from the start up
   * to the bookmark is complete except this range.
   */
  history?: {
    from: string;
    to: string;
    window?: { from: string; to: string };
    cursor?: string | null;
    /** Gong's total for that window and the records of it committed so far (for `status`). */
    total?: number;
    read?: number;
  };
}

export interface StreamState {
  key: StateKey;
  bookmark: string | null;
  checkpoint: Checkpoint | null;
  lastSuccessAt: string | null;
  updatedAt: string;
}

export interface StateRow {
  stream: string;
  partition_key: string;
  scope: string;
  bookmark: string | null;
  checkpoint: string | null;
  last_success_at: string | null;
  updated_at: string;
}

/**
 * The sync state, in the destination next to the data. Written inside the runner's page
 * transaction, it commits with the rows it describes.
 */
export class SyncStateStore {
  constructor(
    private readonly exec: SqlExecutor,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async get(key: StateKey): Promise<StreamState | undefined> {
    const row = await this.exec.get<StateRow>(
      this.exec.db
        .selectFrom('_sync_state')
        .selectAll()
        .where('stream', '=', key.stream)
        .where('partition_key', '=', key.partitionKey)
        .where('scope', '=', key.scope),
    );
    return row ? fromRow(row) : undefined;
  }

  async list(): Promise<StreamState[]> {
    const rows = await this.exec.all<StateRow>(
      this.exec.db.selectFrom('_sync_state').selectAll().orderBy('stream').orderBy('scope').orderBy('partition_key'),
    );
    return rows.map(fromRow);
  }

  /** Saves the checkpoint of an unfinished pass (bookmark unchanged). */
  async saveCheckpoint(key: StateKey, checkpoint: Checkpoint): Promise<void> {
    await this.upsert(key, { checkpoint: JSON.stringify(checkpoint) });
  }

  /** A pass (or window) finished: move the bookmark, clear the checkpoint (or keep what is still pending: older history). */
  async complete(key: StateKey, bookmark: string | null, options: { success: boolean; checkpoint?: Checkpoint | null }): Promise<void> {
    await this.upsert(key, {
      bookmark,
      checkpoint: options.checkpoint ? JSON.stringify(options.checkpoint) : null,
      ...(options.success ? { last_success_at: this.now().toISOString() } : {}),
    });
  }

  private async upsert(key: StateKey, values: Partial<Omit<StateRow, 'stream' | 'partition_key' | 'scope'>>): Promise<void> {
    const updatedAt = this.now().toISOString();
    await this.exec.run(
      this.exec.db
        .insertInto('_sync_state')
        .values({ stream: key.stream, partition_key: key.partitionKey, scope: key.scope, ...values, updated_at: updatedAt })
        .onConflict((oc) => oc.columns(['stream', 'partition_key', 'scope']).doUpdateSet({ ...values, updated_at: updatedAt })),
    );
  }
}

export function fromRow(row: StateRow): StreamState {
  return {
    key: { stream: row.stream, partitionKey: row.partition_key, scope: row.scope },
    bookmark: row.bookmark,
    checkpoint: row.checkpoint ? (JSON.parse(row.checkpoint) as Checkpoint) : null,
    lastSuccessAt: row.last_success_at,
    updatedAt: row.updated_at,
  };
}
