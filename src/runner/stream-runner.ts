import { sql, type RawBuilder } from 'kysely';
import { GongHttpError, InterruptedError, StoppedEarlyError, describeError } from '../errors.js';
import { redact } from '../redact.js';
import type { Checkpoint, StateKey, StreamState } from '../../state/sync-state-store.js';
import type { DateWindow, Replication, RequestInput, Row, StreamDefinition } from '../../streams/types.js';
import { boundTime, planWindows, planWindowsNewestFirst } from './date-windows.js';
import { RECENT_DAYS, firstPassWindows, passStart, passUpperBound, windowShape } from './pass-windows.js';
import type { RunContext, StreamReport } from './run-context.js';
import { mapWithConcurrency } from './concurrency.js';
import { withCursorRestarts } from './cursor-restart.js';
import { deleteWindowRows, removeRowsNotSeenSince, removeRowsOfVanishedPartitions } from './stale-rows.js';
import { pagesOf, type Page } from './pages.js';
import { callMediaRow } from '../media/media-downloader.js';

const DAY_MS = 86_400_000;

type DateWindowsReplication = Extract<Replication, { kind: 'date_windows' }>;
type FullRefreshReplication = Extract<Replication, { kind: 'full_refresh' }>;
type ParentIdsReplication = Extract<Replication, { kind: 'parent_ids' }>;
type Partition = Record<string, string> | undefined;
type Rejected = { id: string; reason: string; raw: string };

/** Work done inside a page's transaction, after its rows: the state that follows the page. */
type CommitState = (nextCursor: string | null, page: Page) => Promise<void>;

/**
 * Runs one stream declaration: resolves its partitions, plans its work from the saved state, reads
 * pages and commits each page's rows together with the checkpoint that follows it.
 */
export class StreamRunner {
  readonly report: StreamReport;
  private readonly syncedAt: string;
  /** Partitions the fresh phase read (the history phase continues only these). */
  private readonly activePartitions: Partition[] = [];
  /** Partitions of a parent-fed stream whose first pass waits for the history phase. */
  private readonly deferredPasses = new Set<string>();

  constructor(
    private readonly stream: StreamDefinition,
    private readonly ctx: RunContext,
  ) {
    this.report = {
      stream: stream.name,
      outcome: 'succeeded',
      records: 0,
      rowsWritten: 0,
      requests: 0,
      pages: 0,
      rejected: 0,
      elapsedMs: 0,
    };
    this.syncedAt = ctx.runStartedAt.toISOString();
  }

  /**
   * One phase of this stream. 'fresh' reads what is new (and, in a first sync or a backfill, only
   * the newest window); 'history' then reads the older windows newest first, after every stream's
   * fresh phase, so this week is queryable while history streams in.
   */
  async run(phase: RunPhase = 'fresh'): Promise<StreamReport> {
    const before = this.ctx.client.stats.requests;
    const started = Date.now();
    try {
      if (phase === 'history') await this.runHistory();
      else await this.runFresh();
    } finally {
      this.report.requests += this.ctx.client.stats.requests - before;
      this.report.elapsedMs += Date.now() - started;
    }
    return this.report;
  }

  private async runFresh() {
    const partitions = await this.partitions();
    let skipped = 0;
    for (const partition of partitions) {
      const key: StateKey = { stream: this.stream.name, partitionKey: partitionKeyOf(partition), scope: this.ctx.scope };
      if (await this.refreshedRecently(key)) {
        skipped++;
        continue;
      }
      const replication = this.stream.replication;
      if (this.ctx.range && replication.kind === 'full_refresh') {
        skipped++;
        continue;
      }
      this.activePartitions.push(partition);
      if (replication.kind === 'date_windows') await this.runDateWindows(replication, key, partition);
      else if (replication.kind === 'full_refresh') await this.runFullRefresh(replication, key, partition);
      else await this.runParentIdsFresh(replication, key, partition);
    }
    if (partitions.length > 0 && skipped === partitions.length) {
      this.report.outcome = 'skipped';
      this.report.message = this.ctx.range
        ? 'not date-based: every sync reads it whole'
        : `refreshed less than ${this.stream.minIntervalHours} h ago`;
    }
    if (
      this.stream.replication.kind === 'full_refresh' &&
      this.stream.replication.removeMissing &&
      this.stream.partitions &&
      skipped === 0
    ) {
      await this.ctx.exec.transaction(() => removeRowsOfVanishedPartitions(this.ctx.exec, this.stream, partitions));
    }
  }

  private async runHistory() {
    const replication = this.stream.replication;
    for (const partition of this.activePartitions) {
      const key: StateKey = { stream: this.stream.name, partitionKey: partitionKeyOf(partition), scope: this.ctx.scope };
      if (replication.kind === 'date_windows') await this.readHistory(replication, key, partition);
      else if (replication.kind === 'parent_ids' && this.deferredPasses.has(key.partitionKey))
        await this.runParentIds(replication, key, partition);
    }
  }

  /** Slow-changing streams are read at most every `minIntervalHours` (never skipped mid-pass). */
  private async refreshedRecently(key: StateKey): Promise<boolean> {
    const hours = this.stream.minIntervalHours;
    if (!hours || this.ctx.range || this.ctx.ignoreRefreshIntervals) return false;
    const state = await this.ctx.state.get(key);
    if (!state?.lastSuccessAt || state.checkpoint) return false;
    return this.ctx.runStartedAt.getTime() - Date.parse(state.lastSuccessAt) < hours * 3_600_000;
  }

  // ---- replication modes -------------------------------------------------------------------

  private async runDateWindows(replication: DateWindowsReplication, key: StateKey, partition: Partition) {
    const state = await this.ctx.state.get(key);
    const resumed = state?.checkpoint?.window;
    if (resumed) {
      this.ctx.logger.info(`${this.stream.name}: resuming window ${resumed.from} .. ${resumed.to}`);
      await this.readFreshWindow(replication, key, partition, resumed, state!.checkpoint!.cursor, state!.checkpoint!.history);
    }
    const current = await this.ctx.state.get(key);
    const bookmark = current?.bookmark ?? null;
    if (bookmark === null && !resumed) {
      // A first sync or a new backfill: the newest window now, older ones in the history phase.
      const windows = firstPassWindows(replication, this.ctx);
      const newest = windows[0];
      if (!newest) return this.ctx.state.complete(key, null, { success: true });
      const rest = windows.length > 1 ? { from: windows[windows.length - 1]!.from, to: newest.from } : undefined;
      return this.readFreshWindow(replication, key, partition, newest, null, rest);
    }
    const windows = planWindows({
      ...windowShape(replication, this.ctx),
      bookmark,
      startDate: passStart(this.ctx),
      lookbackDays: this.ctx.range ? 0 : replication.lookbackDays,
      upperBound: passUpperBound(replication, this.ctx),
    });
    const history = current?.checkpoint?.history;
    for (const window of windows) await this.readFreshWindow(replication, key, partition, window, null, history);
    if (windows.length === 0 && !resumed)
      await this.ctx.state.complete(key, bookmark, { success: true, checkpoint: history && { cursor: null, history } });
  }

  /** A window at the newer end: its completion moves the bookmark to its end; the unread history stays as it is. */
  private readFreshWindow(
    replication: DateWindowsReplication,
    key: StateKey,
    partition: Partition,
    window: DateWindow,
    cursor: string | null,
    history: History | undefined,
  ) {
    const keep = history ? { history } : {};
    return this.readWindow(replication, key, partition, window, cursor, {
      during: (next) => ({ window, cursor: next, ...keep }),
      after: { bookmark: window.to, checkpoint: history ? { cursor: null, history } : null },
    });
  }

  /**
   * The unread older range of a first sync or backfill, newest window first. The window being read
   * and its cursor live inside the history; a completed window shrinks the range from its newer end
   * in the same transaction as its last page. The bookmark (the newest window's end) does not move.
   */
  private async readHistory(replication: DateWindowsReplication, key: StateKey, partition: Partition) {
    for (;;) {
      const state = await this.ctx.state.get(key);
      const history = state?.checkpoint?.history;
      if (!history) return;
      const bookmark = state!.bookmark;
      const resumed = history.window;
      const window =
        resumed ?? planWindowsNewestFirst({ ...windowShape(replication, this.ctx), from: boundTime(history.from), to: history.to })[0];
      if (!window) return this.ctx.state.complete(key, bookmark, { success: true });
      if (resumed) this.ctx.logger.info(`${this.stream.name}: resuming window ${window.from} .. ${window.to}`);
      const range = { from: history.from, to: history.to };
      const rest = boundTime(history.from) < boundTime(window.from) ? { from: history.from, to: window.from } : null;
      await this.readWindow(
        replication,
        key,
        partition,
        window,
        resumed ? (history.cursor ?? null) : null,
        {
          // Gong's total for the window and the records read so far: what `status` says is left.
          during: (next, seen) => ({ cursor: null, history: { ...range, window, cursor: next, ...seen } }),
          after: { bookmark, checkpoint: rest && { cursor: null, history: rest } },
        },
        resumed ? (history.read ?? 0) : 0,
      );
    }
  }

  /**
   * Reads one window from `cursor`. Each page but the last commits the checkpoint `during` gives
   * for the cursor after it; the last page commits `after` (the bookmark and what stays pending).
   */
  private async readWindow(
    replication: DateWindowsReplication,
    key: StateKey,
    partition: Partition,
    window: DateWindow,
    cursor: string | null,
    state: {
      during: (next: string | null, seen: WindowProgress) => Checkpoint;
      after: { bookmark: string | null; checkpoint: Checkpoint | null };
    },
    readBefore = 0,
  ) {
    const input = this.input({ window, partition });
    const seen: WindowProgress = { read: cursor ? readBefore : 0 };
    await withCursorRestarts(
      cursor,
      (start) =>
        this.readPages(
          input,
          start,
          (next, page) =>
            next
              ? this.ctx.state.saveCheckpoint(key, state.during(next, progressAfter(seen, page)))
              : this.ctx.state.complete(key, state.after.bookmark, { success: true, checkpoint: state.after.checkpoint }),
          // Read from its first page, a window replaces the rows an earlier read of it left.
          start === null && replication.windowColumn
            ? () => deleteWindowRows(this.ctx.exec, this.stream, replication.windowColumn!, window.from, partition)
            : undefined,
        ),
      async () => {
        this.ctx.logger.warn(`${this.stream.name}: Gong's cursor expired; restarting window ${window.from} .. ${window.to}`);
        seen.read = 0;
        await this.ctx.state.saveCheckpoint(key, state.during(null, seen));
      },
    );
  }

  private async runFullRefresh(replication: FullRefreshReplication, key: StateKey, partition: Partition) {
    const checkpoint = (await this.ctx.state.get(key))?.checkpoint;
    const passStartedAt = checkpoint?.passStartedAt ?? this.syncedAt;
    await withCursorRestarts(
      checkpoint?.cursor ?? null,
      (start) =>
        this.readPages(this.input({ partition }), start, async (next) => {
          if (next) {
            await this.ctx.state.saveCheckpoint(key, { cursor: next, passStartedAt });
            return;
          }
          if (replication.removeMissing) await removeRowsNotSeenSince(this.ctx.exec, this.stream, passStartedAt, partition);
          await this.ctx.state.complete(key, passStartedAt, { success: true });
        }),
      () => this.ctx.logger.warn(`${this.stream.name}: Gong's cursor expired; restarting the full refresh`),
    );
  }

  /**
   * Before a first pass of a parent-fed stream (transcripts of a first sync or a backfill): the
   * children of the newest parents now, saving no state; the pass itself runs in the history phase,
   * after the parents' history, and leaves out parents that already have a child.
   */
  private async runParentIdsFresh(replication: ParentIdsReplication, key: StateKey, partition: Partition) {
    const state = await this.ctx.state.get(key);
    if (state?.bookmark) return this.runParentIds(replication, key, partition);
    this.deferredPasses.add(key.partitionKey);
    const end = this.ctx.range ? boundTime(this.ctx.range.to) : this.ctx.runStartedAt.getTime();
    const recentFrom = new Date(end - RECENT_DAYS * DAY_MS).toISOString();
    let afterId = '';
    for (;;) {
      this.throwIfStopped();
      const ids = await this.pendingParentIds(replication, null, afterId, undefined, recentFrom);
      if (ids.length === 0) return;
      await withCursorRestarts(
        null,
        () => this.readPages(this.input({ ids, partition }), null, async () => {}),
        () => {},
      );
      afterId = ids[ids.length - 1]!;
    }
  }

  private async runParentIds(replication: ParentIdsReplication, key: StateKey, partition: Partition) {
    const state = await this.ctx.state.get(key);
    if (this.ctx.range && state?.bookmark && !state.checkpoint) return; // this backfill's pass is done
    await this.parentIdsPass(replication, key, partition, state);
    // A resumed pass skips parents (re)written after it began whose ids sort at or below its
    // checkpoint: a fresh pass over those ids picks them up in this run rather than the next.
    const skippedUpTo = state?.checkpoint?.afterId;
    if (skippedUpTo) await this.parentIdsPass(replication, key, partition, await this.ctx.state.get(key), skippedUpTo);
  }

  private async parentIdsPass(
    replication: ParentIdsReplication,
    key: StateKey,
    partition: Partition,
    state: StreamState | undefined,
    upToId?: string,
  ) {
    const passStartedAt = state?.checkpoint?.passStartedAt ?? this.syncedAt;
    let afterId = state?.checkpoint?.afterId ?? '';
    const changedSince = state?.bookmark ?? null;
    for (;;) {
      this.throwIfStopped();
      const ids = await this.pendingParentIds(replication, changedSince, afterId, upToId);
      if (ids.length === 0) {
        await this.ctx.state.complete(key, passStartedAt, { success: true });
        return;
      }
      await this.readBatch(ids, partition, (lastId) =>
        this.ctx.state.saveCheckpoint(key, { cursor: null, afterId: lastId, passStartedAt }),
      );
      afterId = ids[ids.length - 1]!;
    }
  }

  /**
   * One batch of parent ids (re-read whole after a crash or an expired cursor: its ids may differ by
   * then, so its cursor would not hold). A 400 that names the id list halves the batch and reads
   * both halves, each committing its own last id; the run's note says so.
   */
  private async readBatch(ids: string[], partition: Partition, done: (lastId: string) => Promise<void>): Promise<void> {
    const lastId = ids[ids.length - 1]!;
    try {
      await withCursorRestarts(
        null,
        () => this.readPages(this.input({ ids, partition }), null, async (next) => (next ? undefined : done(lastId))),
        () => {},
      );
    } catch (error) {
      if (!(error instanceof GongHttpError && error.status === 400 && /ids/i.test(error.message) && ids.length > 1)) throw error;
      const half = Math.ceil(ids.length / 2);
      const note = `Gong refused a batch of ${ids.length} ids (${describeError(error)}): halved to ${half} and retried`;
      this.ctx.logger.warn(`${this.stream.name}: ${note}`, { event: 'batch_halved' });
      if (!this.report.notes?.includes(note)) (this.report.notes ??= []).push(note);
      await this.readBatch(ids.slice(0, half), partition, done);
      await this.readBatch(ids.slice(half), partition, done);
    }
  }

  // ---- reading pages -----------------------------------------------------------------------

  /**
   * `for await (page) -> one transaction`: each page's rows, rejected records and the state that
   * follows it commit together (`beforeFirstPage` runs inside the first page's transaction).
   */
  private async readPages(input: RequestInput, cursor: string | null, commitState: CommitState, beforeFirstPage?: () => Promise<void>) {
    const pages = pagesOf({
      client: this.ctx.client,
      stream: this.stream,
      input,
      cursor,
      includePrivateCalls: this.ctx.settings.includePrivateCalls,
      signal: this.ctx.signal,
      observe: this.ctx.drift && ((spec, answer) => this.ctx.drift!.observe(spec, answer)),
    });
    for await (const page of pages) {
      const records = this.ctx.suppression ? this.ctx.suppression.filter(this.stream, page.records) : page.records;
      const { rowsByTable, rejected } = this.stream.download ? await this.downloadFiles(records) : this.toRows(records, input);
      const written = await this.ctx.exec.transaction(async () => {
        if (page.first) await beforeFirstPage?.();
        const count = await this.ctx.loader.write(this.stream.tables, rowsByTable, this.syncedAt);
        await this.ctx.drift?.flush();
        for (const reject of rejected) await this.recordRejected(reject);
        await commitState(page.next, page);
        return count;
      });
      this.report.pages++;
      this.report.records += records.length - rejected.length;
      this.report.rowsWritten += written;
      this.report.rejected += rejected.length;
      this.ctx.progress?.onPage({
        stream: this.stream.name,
        records: page.records.length,
        rows: written,
        windowFrom: input.window?.from,
        windowTo: input.window?.to,
      });
    }
  }

  private toRows(records: unknown[], input: RequestInput) {
    const rowsByTable: Record<string, Row[]> = {};
    const rejected: Rejected[] = [];
    for (const record of records) {
      try {
        const rows = this.stream.toRows(record, input);
        for (const [table, tableRows] of Object.entries(rows)) {
          const target = (rowsByTable[table] ??= []);
          for (const row of tableRows) target.push(row);
        }
      } catch (error) {
        rejected.push(this.rejection(record, describeError(error)));
      }
    }
    this.warnRejected(rejected);
    return { rowsByTable, rejected };
  }

  /** For streams of files: download each record's file (bounded concurrency); rows describe the files. */
  private async downloadFiles(records: unknown[]) {
    const spec = this.stream.download!;
    const media = this.ctx.media;
    if (!media) throw new GongHttpError(`${this.stream.name} needs a media directory`, undefined, this.stream.name);
    const table = this.stream.tables[0]!.name;
    const rows: Row[] = [];
    const rejected: Rejected[] = [];
    await mapWithConcurrency(records, media.concurrency, async (record) => {
      const { callId, url } = spec.target(record);
      if (!url) {
        rows.push(callMediaRow(callId, spec.kind, null, this.syncedAt));
        return;
      }
      try {
        const file = await media.downloader.download({
          callId,
          kind: spec.kind,
          url,
          directory: media.directory,
          refreshUrl: () => media.downloader.mediaUrl(callId, spec.kind),
        });
        rows.push(callMediaRow(callId, spec.kind, file, this.syncedAt));
      } catch (error) {
        if (error instanceof StoppedEarlyError) throw error;
        rejected.push(this.rejection(record, describeError(error)));
      }
    });
    this.warnRejected(rejected);
    return { rowsByTable: { [table]: rows }, rejected };
  }

  private rejection(record: unknown, reason: string): Rejected {
    let id = '?';
    try {
      id = this.stream.recordId(record);
    } catch {
      // the record is too broken to name
    }
    return { id, reason, raw: safeJson(record) };
  }

  private warnRejected(rejected: Rejected[]) {
    if (rejected.length === 0) return;
    this.ctx.logger.warn(`${this.stream.name}: ${rejected.length} record(s) could not be stored`, {
      ids: rejected.map((r) => r.id).slice(0, 20),
      reason: rejected[0]!.reason,
    });
  }

  private async recordRejected(reject: Rejected) {
    // What a server sent back can echo a credential: it never lands in the database.
    const reason = redact(reject.reason);
    const raw = redact(reject.raw);
    await this.ctx.exec.run(
      this.ctx.exec.db
        .insertInto('_rejected_records')
        .values({ stream: this.stream.name, record_id: reject.id, reason, raw, seen_at: this.syncedAt })
        .onConflict((oc) => oc.columns(['stream', 'record_id']).doUpdateSet({ reason, raw, seen_at: this.syncedAt })),
    );
  }

  private input(parts: Omit<RequestInput, 'settings'>): RequestInput {
    return { ...parts, settings: this.ctx.settings };
  }

  // ---- database-derived inputs and clean-up --------------------------------------------------

  private async partitions(): Promise<Partition[]> {
    const spec = this.stream.partitions;
    if (!spec) return [undefined];
    let combos: Array<Record<string, string>> = [{}];
    for (const source of spec.sources) {
      let query = this.ctx.exec.db
        .selectFrom(source.table)
        .select(sql<string>`${sql.ref(source.column)}`.as('value'))
        .distinct()
        .where(source.column, 'is not', null);
      if (source.whereIn)
        query = query.where(source.column, 'in', this.ctx.exec.db.selectFrom(source.whereIn.table).select(source.whereIn.column));
      const values = (await this.ctx.exec.all<{ value: string }>(query.orderBy('value'))).map((r) => String(r.value));
      combos = combos.flatMap((combo) => values.map((value) => ({ ...combo, [source.param]: value })));
    }
    return combos;
  }

  private async pendingParentIds(
    replication: ParentIdsReplication,
    changedSince: string | null,
    afterId: string,
    upToId?: string,
    startedSince?: string,
  ): Promise<string[]> {
    const { parent, missingIn } = replication;
    const db = this.ctx.exec.db;
    const retrySince = new Date(this.ctx.runStartedAt.getTime() - replication.retryMissingDays * DAY_MS).toISOString();
    let query = db
      .selectFrom(`${parent.table} as p`)
      .select(sql<string>`p.${sql.ref(parent.idColumn)}`.as('id'))
      .where(`p.${parent.idColumn}`, '>', afterId);
    if (upToId !== undefined) query = query.where(`p.${parent.idColumn}`, '<=', upToId);
    // Gong's timestamps carry offsets (-08:00): compare them as instants, not as text.
    const instant = (value: RawBuilder<unknown> | ReturnType<typeof sql.ref>) => this.ctx.exec.database.adapter.instant(value);
    const startedAt = instant(sql.ref(`p.${parent.startedColumn}`));
    if (this.ctx.range) {
      query = query
        .where(startedAt, '>=', instant(sql.val(this.ctx.range.from)))
        .where(startedAt, '<', instant(sql.val(this.ctx.range.to)));
    }
    const hasChild = () => {
      let child = db
        .selectFrom(`${missingIn.table} as c`)
        .select(sql`1`.as('one'))
        .whereRef(`c.${missingIn.column}`, '=', `p.${parent.idColumn}`);
      for (const [column, value] of Object.entries(missingIn.where ?? {})) child = child.where(`c.${column}`, '=', value);
      return child;
    };
    if (startedSince) query = query.where(startedAt, '>=', instant(sql.val(startedSince)));
    // A first pass (no bookmark) reads parents without a child: children already there came from
    // this run's newest parents, a webhook or a backfill, and later passes refetch changed parents.
    if (!replication.refetchChanged || !changedSince) {
      query = query.where((eb) => eb.not(eb.exists(hasChild())));
    } else {
      // Parents (re)written since the last pass, and recent parents still without a child row.
      query = query.where((eb) =>
        eb.or([
          eb('p.synced_at', '>', changedSince),
          eb.and([eb(startedAt, '>=', instant(sql.val(retrySince))), eb.not(eb.exists(hasChild()))]),
        ]),
      );
    }
    const rows = await this.ctx.exec.all<{ id: string }>(query.orderBy(`p.${parent.idColumn}`).limit(replication.batchSize));
    return rows.map((r) => String(r.id));
  }

  private throwIfStopped() {
    if (this.ctx.signal?.aborted) throw new InterruptedError(String(this.ctx.signal.reason ?? 'a signal'));
  }
}

export type RunPhase = 'fresh' | 'history';

type History = NonNullable<Checkpoint['history']>;
/** How much of a window is read: Gong's total for it, and the records committed so far. */
type WindowProgress = { total?: number; read: number };

function progressAfter(seen: WindowProgress, page: Page): WindowProgress {
  seen.read += page.records.length;
  if (page.totalRecords !== undefined) seen.total = page.totalRecords;
  return { ...seen };
}

export function partitionKeyOf(partition: Partition): string {
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
