import fs from 'node:fs';
import { expect } from 'vitest';
import type { GongSimulator } from '../../src/simulator/server.js';
import { query } from './database.js';

/**
 * What a database must satisfy after any kill or stop: SQLite's own integrity, and state that
 * never claims more than the committed rows hold.
 */
export function expectConsistentState(db: string, sim: GongSimulator): void {
  // Killed before it created (or migrated) its database: nothing was claimed yet.
  if (!fs.existsSync(db)) return;
  expect(query(db, 'pragma integrity_check')).toEqual([{ integrity_check: 'ok' }]);
  const tables = new Set(query<{ name: string }>(db, "select name from sqlite_master where type = 'table'").map((r) => r.name));
  if (!tables.has('_sync_state') || !tables.has('calls')) return;
  const states = query<{ stream: string; bookmark: string | null; checkpoint: string | null }>(
    db,
    "select stream, bookmark, checkpoint from _sync_state where scope = 'incremental'",
  );
  const storedCalls = new Set(query<{ id: string }>(db, 'select id from calls').map((r) => r.id));
  for (const state of states) {
    // A call stream's bookmark says every call that started before it is stored.
    if ((state.stream === 'calls' || state.stream === 'calls_extensive') && state.bookmark) {
      const bound = Date.parse(state.bookmark);
      // Read newest first, a first sync's older history may still be unread: the checkpoint names it.
      const history = state.checkpoint ? (JSON.parse(state.checkpoint) as { history?: { from: string; to: string } }).history : undefined;
      const unread = (ms: number) => history !== undefined && ms >= Date.parse(history.from) && ms < Date.parse(history.to);
      const missing = sim.account
        .visibleCalls()
        .filter((c) => c.startedMs < bound && !unread(c.startedMs) && !storedCalls.has(c.record.id));
      expect(
        missing.map((c) => c.record.id),
        `${state.stream} bookmark ${state.bookmark}`,
      ).toEqual([]);
    }
    // A transcript checkpoint says every call up to its id, as of the pass start, has its transcript.
    if (state.stream === 'call_transcripts' && state.checkpoint) {
      const checkpoint = JSON.parse(state.checkpoint) as { afterId?: string; passStartedAt?: string };
      if (checkpoint.afterId) {
        const without = query<{ id: string }>(
          db,
          'select c.id from calls c where c.id <= ? and c.synced_at <= ? and not exists (select 1 from call_transcripts t where t.call_id = c.id)',
          checkpoint.afterId,
          checkpoint.passStartedAt,
        ).filter((r) => sim.account.getCall(r.id)?.transcriptReady);
        expect(without, `transcripts checkpoint ${checkpoint.afterId}`).toEqual([]);
      }
    }
  }
}
