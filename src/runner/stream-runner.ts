import { sql } from 'kysely';
import { CursorExpiredError, GongHttpError, InterruptedError } from '../errors.js';
import type { Checkpoint, StateKey } from '../../state/sync-state-store.js';
import type { Replication, RequestInput, Row, StreamDefinition } from '../../streams/types.js';
import { planWindows, upperBoundFor } from './date-windows.js';
import type { RunContext, StreamReport } from './run-context.js';

const MAX_CURSOR_RESTARTS = 3;
const DAY_MS = 86_400_000;

type DateWindowsReplication = Extract<Replication, { kind: 'date_windows' }>;
type FullRefreshReplication = Extract<Replication, { kind: 'full_refresh' }>;
type ParentIdsReplication = Extract<Replication, { kind: 'parent_ids' }>;

/**
 * Runs one stream declaration: resolves its partitions, plans its work from the saved state, reads
 * pages and commits each page's rows together with the checkpoint that follows it.
 */
export class StreamRunner {
  readonly report: StreamReport;
  private readonly syncedAt: string;

  constructor(
    private readonly stream: StreamDefinition,
    private readonly ctx: RunContext,
  ) {
    this.report = { stream: stream.name, outcome: 'succeeded', records: 0, rowsWritten: 0, requests: 0, pages: 0, rejected: 0 };
    this.syncedAt = ctx.runStartedAt.toISOString();
  }

  async run(): Promise<StreamReport> {
    const before = this.ctx.client.stats.requests;
    try {
      for (const partition of this.partitions()) {
        const key: StateKey = { stream: this.stream.name, partitionKey: partitionKeyOf(partition), scope: this.ctx.scope };
        const replication = this.stream.replication;
        if (replication.kind === 'date_windows') await this.runDateWindows(replication, key, partition);
        else if (replication.kind === 'full_refresh') await this.runFullRefresh(replication, key, partition);
        else await this.runParentIds(replication, key, partition);
      }
    } finally {
      this.report.requests = this.ctx.client.stats.requests - before;
    }
    return this.report;
  }

  // ---- replication modes -------------------------------------------------------------------

  private async runDateWindows(replication: DateWindowsReplication, key: StateKey, partition: Record<string, string> | undefined) {
    const state = this.ctx.state.get(key);
    const resumed = state?.checkpoint?.window;
    if (resumed) {
      this.ctx.logger.info(`${this.stream.name}: resuming window ${resumed.from} .. ${resumed.to}`);
      await this.readWindow(key, partition, resumed, state!.checkpoint!.cursor);
    }
    const bookmark = this.ctx.state.get(key)?.bookmark ?? null;
    const upperBound = this.ctx.range
      ? this.ctx.range.to
      : upperBoundFor(replication.upperBound, this.ctx.runStartedAt, this.ctx.timeZone);
    const windows = planWindows({
      granularity: replication.granularity,
      bookmark: this.ctx.range ? (bookmark ?? null) : bookmark,
      startDate: this.ctx.range ? new Date(this.ctx.range.from) : this.ctx.startDate,
      lookbackDays: this.ctx.range ? 0 : replication.lookbackDays,
      maxWindowDays: replication.maxWindowDays,
      upperBound,
    });
    for (const window of windows) await this.readWindow(key, partition, window, null);
    if (windows.length === 0 && !resumed) this.ctx.state.complete(key, bookmark, { success: true });
  }

  private async readWindow(key: StateKey, partition: Record<string, string> | undefined, window: { from: string; to: string }, cursor: string | null) {
    const input: RequestInput = { window, partition };
    let restarts = 0;
    let startCursor = cursor;
    for (;;) {
      try {
        await this.readPages(input, startCursor, (next) => {
          if (next) this.ctx.state.saveCheckpoint(key, { window, cursor: next });
          else this.ctx.state.complete(key, window.to, { success: true });
        });
        return;
      } catch (error) {
        if (!(error instanceof CursorExpiredError) || restarts >= MAX_CURSOR_RESTARTS) throw error;
        restarts++;
        this.ctx.logger.warn(`${this.stream.name}: Gong's cursor expired; restarting window ${window.from} .. ${window.to}`);
        this.ctx.state.saveCheckpoint(key, { window, cursor: null });
        startCursor = null;
      }
    }
  }

  private async runFullRefresh(replication: FullRefreshReplication, key: StateKey, partition: Record<string, string> | undefined) {
    const state = this.ctx.state.get(key);
    const checkpoint = state?.checkpoint;
    if (!checkpoint && replication.minIntervalHours && state?.lastSuccessAt) {
      const age = this.ctx.runStartedAt.getTime() - Date.parse(state.lastSuccessAt);
      if (age < replication.minIntervalHours * 3_600_000) {
        this.report.outcome = 'skipped';
        this.report.message = `refreshed ${Math.round(age / 60_000)} min ago (every ${replication.minIntervalHours} h)`;
        return;
      }
    }
    const passStartedAt = checkpoint?.passStartedAt ?? this.syncedAt;
    let startCursor = checkpoint?.cursor ?? null;
    for (let restarts = 0; ; restarts++) {
      try {
        await this.readPages({ partition }, startCursor, (next) => {
          if (next) {
            this.ctx.state.saveCheckpoint(key, { cursor: next, passStartedAt });
            return;
          }
          if (replication.removeMissing) this.removeRowsNotSeenSince(passStartedAt, partition);
          this.ctx.state.complete(key, passStartedAt, { success: true });
        });
        return;
      } catch (error) {
        if (!(error instanceof CursorExpiredError) || restarts >= MAX_CURSOR_RESTARTS) throw error;
        this.ctx.logger.warn(`${this.stream.name}: Gong's cursor expired; restarting the full refresh`);
        startCursor = null;
      }
    }
  }

  private async runParentIds(replication: ParentIdsReplication, key: StateKey, partition: Record<string, string> | undefined) {
    const state = this.ctx.state.get(key);
    const passStartedAt = state?.checkpoint?.passStartedAt ?? this.syncedAt;
    let afterId = state?.checkpoint?.afterId ?? '';
    const changedSince = state?.bookmark ?? null;
    for (;;) {
      this.throwIfStopped();
      const ids = this.pendingParentIds(replication, changedSince, afterId);
      if (ids.length === 0) {
        this.ctx.exec.transaction(() => this.ctx.state.complete(key, passStartedAt, { success: true }));
        return;
      }
      const lastId = ids[ids.length - 1]!;
      for (let restarts = 0; ; restarts++) {
        try {
          // A batch is re-read whole after a crash: its ids may differ by then, so its cursor would not hold.
          await this.readPages({ ids, partition }, null, (next) => {
            if (!next) this.ctx.state.saveCheckpoint(key, { cursor: null, afterId: lastId, passStartedAt });
          });
          break;
        } catch (error) {
          if (!(error instanceof CursorExpiredError) || restarts >= MAX_CURSOR_RESTARTS) throw error;
        }
      }
      afterId = lastId;
    }
  }

  // ---- reading pages -----------------------------------------------------------------------

  /**
   * Reads one request's pages from `cursor` on. Each page's rows, rejected records and the state
   * that follows it (`commitState(nextCursor)`) are written in one transaction.
   */
  private async readPages(input: RequestInput, cursor: string | null, commitState: (nextCursor: string | null) => void) {
    let next = cursor;
    do {
      this.throwIfStopped();
      const spec = this.stream.request(input);
      if (next) {
        if (spec.method === 'GET') spec.query = { ...spec.query, cursor: next };
        else spec.body = { ...spec.body, cursor: next };
      }
      const answer = (await this.ctx.client.request(spec)) as Record<string, any> | null;
      const records = this.recordsOf(answer, spec.path);
      const following = this.stream.paginated ? (answer?.records?.cursor as string | undefined) || null : null;
      const { rowsByTable, rejected } = this.toRows(records, input);
      const written = this.ctx.exec.transaction(() => {
        const count = this.ctx.loader.write(this.stream.tables, rowsByTable, this.syncedAt);
        for (const reject of rejected) this.recordRejected(reject);
        commitState(following);
        return count;
      });
      this.report.pages++;
      this.report.records += records.length - rejected.length;
      this.report.rowsWritten += written;
      this.report.rejected += rejected.length;
      this.ctx.progress?.onPage({
        stream: this.stream.name,
        records: records.length,
        rows: written,
        windowFrom: input.window?.from,
        windowTo: input.window?.to,
      });
      if (following && following === next) {
        throw new GongHttpError(`Gong returned the same cursor twice for ${spec.path}; stopping to avoid a loop.`, undefined, spec.path);
      }
      next = following;
    } while (next);
  }

  private recordsOf(answer: Record<string, any> | null, path: string): unknown[] {
    if (answer === null) return [];
    const records = answer[this.stream.recordsKey];
    if (Array.isArray(records)) return records;
    if (records === undefined || records === null) {
      if (answer.records?.totalRecords === 0 || answer.records === undefined) return [];
    }
    throw new GongHttpError(`Gong's answer for ${path} has no "${this.stream.recordsKey}" list; it may have changed its API.`, 200, path);
  }

  private toRows(records: unknown[], input: RequestInput) {
    const rowsByTable: Record<string, Row[]> = {};
    const rejected: Array<{ id: string; reason: string; raw: string }> = [];
    for (const record of records) {
      try {
        const rows = this.stream.toRows(record, input);
        for (const [table, tableRows] of Object.entries(rows)) {
          const target = (rowsByTable[table] ??= []);
          for (const row of tableRows) target.push(row);
        }
      } catch (error) {
        let id = '?';
        try {
          id = this.stream.recordId(record);
        } catch {
          // the record is too broken to name
        }
        rejected.push({ id, reason: (error as Error).message, raw: safeJson(record) });
      }
    }
    if (rejected.length > 0) {
      this.ctx.logger.warn(`${this.stream.name}: ${rejected.length} record(s) could not be stored`, {
        ids: rejected.map((r) => r.id).slice(0, 20),
        reason: rejected[0]!.reason,
      });
    }
    return { rowsByTable, rejected };
  }

  private recordRejected(reject: { id: string; reason: string; raw: string }) {
    this.ctx.exec.run(
      this.ctx.exec.db
        .insertInto('_rejected_records')
        .values({ stream: this.stream.name, record_id: reject.id, reason: reject.reason, raw: reject.raw, seen_at: this.syncedAt })
        .onConflict((oc) => oc.columns(['stream', 'record_id']).doUpdateSet({ reason: reject.reason, raw: reject.raw, seen_at: this.syncedAt })),
    );
  }

  // ---- database-derived inputs ---------------------------------------------------------------

  private partitions(): Array<Record<string, string> | undefined> {
    const spec = this.stream.partitions;
    if (!spec) return [undefined];
    let combos: Array<Record<string, string>> = [{}];
    for (const source of spec.sources) {
      let query = this.ctx.exec.db.selectFrom(source.table).select(sql<string>`${sql.ref(source.column)}`.as('value')).distinct();
      query = query.where(source.column, 'is not', null);
      if (source.whereIn) query = query.where(source.column, 'in', this.ctx.exec.db.selectFrom(source.whereIn.table).select(source.whereIn.column));
      const values = this.ctx.exec.all<{ value: string }>(query.orderBy('value')).map((r) => String(r.value));
      combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [source.param]: value })));
    }
    return combos;
  }

  private pendingParentIds(replication: ParentIdsReplication, changedSince: string | null, afterId: string): string[] {
    const { parent, missingIn } = replication;
    const db = this.ctx.exec.db;
    const retrySince = new Date(this.ctx.runStartedAt.getTime() - replication.retryMissingDays * DAY_MS).toISOString();
    let query = db
      .selectFrom(`${parent.table} as p`)
      .select(sql<string>`p.${sql.ref(parent.idColumn)}`.as('id'))
      .where(`p.${parent.idColumn}`, '>', afterId);
    if (this.ctx.range) {
      query = query.where(`p.${parent.startedColumn}`, '>=', this.ctx.range.from).where(`p.${parent.startedColumn}`, '<', this.ctx.range.to);
    } else if (changedSince) {
      query = query.where((eb) =>
        eb.or([
          eb(`p.synced_at`, '>', changedSince),
          eb.and([
            eb(`p.${parent.startedColumn}`, '>=', retrySince),
            eb.not(eb.exists(db.selectFrom(`${missingIn.table} as c`).select(sql`1`.as('one')).whereRef(`c.${missingIn.column}`, '=', `p.${parent.idColumn}`))),
          ]),
        ]),
      );
    }
    const rows = this.ctx.exec.all<{ id: string }>(query.orderBy(`p.${parent.idColumn}`).limit(replication.batchSize));
    return rows.map((r) => String(r.id));
  }

  private removeRowsNotSeenSince(passStartedAt: string, partition: Record<string, string> | undefined) {
    const columnsByParam = Object.fromEntries((this.stream.partitions?.sources ?? []).map((s) => [s.param, s.rowColumn]));
    for (const table of this.stream.tables) {
      let query = this.ctx.exec.db.deleteFrom(table.name).where('synced_at', '<', passStartedAt);
      for (const [param, value] of Object.entries(partition ?? {})) {
        const column = columnsByParam[param];
        if (column) query = query.where(column, '=', value);
      }
      this.ctx.exec.run(query);
    }
  }

  private throwIfStopped() {
    if (this.ctx.signal?.aborted) throw new InterruptedError(String(this.ctx.signal.reason ?? 'a signal'));
  }
}

export function partitionKeyOf(partition: Record<string, string> | undefined): string {
  if (!partition) return '';
  return Object.keys(partition)
    .sort()
    .map((k) => `${k}=${partition[k]}`)
    .join('&');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return String(value);
  }
}

export type { Checkpoint };
