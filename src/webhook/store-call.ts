import type { App } from '../app.js';
import { SqlExecutor } from '../db/sql-executor.js';
import { LockHeldError } from '../errors.js';
import { RowLoader } from '../loader.js';
import type { Logger } from '../logger.js';
import { Suppression } from '../mirror/suppression.js';
import { pagesOf } from '../runner/pages.js';
import { SyncLock } from '../../state/sync-lock.js';
import { callsExtensive } from '../../streams/calls-extensive.js';
import { callTranscripts } from '../../streams/call-transcripts.js';
import type { StreamDefinition, StreamSettings } from '../../streams/types.js';

/** A posted call's transcript takes at most this many requests (pages) to Gong. */
export const MAX_TRANSCRIPT_REQUESTS = 4;

export interface StoredCall {
  callId: string;
  /** False when the call was left out: private (GONG_INCLUDE_PRIVATE_CALLS=false) or erased by `forget`. */
  stored: boolean;
  transcriptRequests: number;
  transcript: boolean;
}

/**
 * Stores one call an automation rule posted, as a sync would: the calls_extensive declaration
 * maps it (calls row, parties and every child table), then its transcript comes through the
 * same client (pacing, retries, daily budget) in at most 4 requests, under the sync lock.
 */
export async function storePostedCall(
  gong: Pick<App, 'database' | 'client'>,
  callData: Record<string, unknown>,
  options: { settings: StreamSettings; logger: Logger; lockRetryMs?: number; lockWaitMs?: number; signal?: AbortSignal },
): Promise<StoredCall> {
  const exec = new SqlExecutor(gong.database);
  const lock = new SyncLock(exec);
  await acquireWaiting(lock, options);
  try {
    const callId = callsExtensive.recordId(callData);
    const syncedAt = new Date().toISOString();
    const suppression = await Suppression.load(exec);
    const keep = (stream: StreamDefinition, records: unknown[]) =>
      (suppression ? suppression.filter(stream, records) : records).filter(
        (r) => options.settings.includePrivateCalls || !stream.isPrivate?.(r),
      );
    if (keep(callsExtensive, [callData]).length === 0) return { callId, stored: false, transcriptRequests: 0, transcript: false };
    const loader = new RowLoader(exec);
    const input = { settings: options.settings };
    await exec.transaction(() => loader.write(callsExtensive.tables, callsExtensive.toRows(callData, input), syncedAt));
    let transcriptRequests = 0;
    let transcript = false;
    const pages = pagesOf({
      client: gong.client,
      stream: callTranscripts,
      input: { ids: [callId], ...input },
      cursor: null,
      includePrivateCalls: true,
      signal: options.signal,
    });
    for await (const page of pages) {
      transcriptRequests++;
      const rows: Record<string, Array<Record<string, unknown>>> = {};
      for (const record of keep(callTranscripts, page.records)) {
        for (const [table, tableRows] of Object.entries(callTranscripts.toRows(record, input))) (rows[table] ??= []).push(...tableRows);
        transcript = true;
      }
      await exec.transaction(() => loader.write(callTranscripts.tables, rows, syncedAt));
      if (transcriptRequests >= MAX_TRANSCRIPT_REQUESTS) break;
    }
    return { callId, stored: true, transcriptRequests, transcript };
  } finally {
    await lock.release();
  }
}

/** A sync holding the lock finishes first: wait for it (a scheduled poll catches the call anyway if this gives up). */
async function acquireWaiting(
  lock: SyncLock,
  options: { lockRetryMs?: number; lockWaitMs?: number; signal?: AbortSignal; logger: Logger },
) {
  const deadline = Date.now() + (options.lockWaitMs ?? 10 * 60_000);
  for (let warned = false; ; ) {
    try {
      await lock.acquire('webhook');
      return;
    } catch (error) {
      if (!(error instanceof LockHeldError) || Date.now() > deadline || options.signal?.aborted) throw error;
      if (!warned) options.logger.info(`webhook: waiting for the sync that holds the lock (${error.message})`);
      warned = true;
      await new Promise((resolve) => setTimeout(resolve, options.lockRetryMs ?? 2000));
    }
  }
}
