import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { syncInProcess } from './helpers/in-process.js';
import { tempDir } from './helpers/cli.js';
import { connectDatabase, migrateToLatest } from '../src/db/database.js';
import { SqlExecutor } from '../src/db/sql-executor.js';
import { migrations } from '../migrations/index.js';
import { findStream } from '../streams/index.js';
import type { GongSimulator } from '../src/simulator/server.js';

const STREAMS = ['users', 'calls', 'call_transcripts'];
type Sentence = { seq: number; segment_index: number; speaker_id: string; topic: string; start_ms: number; end_ms: number; text: string };

/** What Gong sends for a call, as sentence rows in order. */
function sentOf(sim: GongSimulator, callId: string): Sentence[] {
  const out: Sentence[] = [];
  sim.account.transcriptOf(sim.account.getCall(callId)!).transcript.forEach((segment, segment_index) => {
    for (const s of segment.sentences) {
      out.push({
        seq: out.length,
        segment_index,
        speaker_id: segment.speakerId,
        topic: segment.topic,
        start_ms: s.start,
        end_ms: s.end,
        text: s.text,
      });
    }
  });
  return out;
}

function storedOf(db: BetterSqlite3.Database, callId: string): Sentence[] {
  return db
    .prepare(
      'select seq, segment_index, speaker_id, topic, start_ms, end_ms, text from transcript_sentences where call_id = ? order by seq',
    )
    .all(callId) as Sentence[];
}

/** FTS5's own check that the index holds exactly the stored sentences' words (throws otherwise). */
function checkFullText(db: BetterSqlite3.Database): void {
  db.exec(`insert into transcript_search(transcript_search, rank) values ('integrity-check', 1)`);
}

function transcriptCallIds(db: BetterSqlite3.Database): string[] {
  return db.prepare('select call_id from call_transcripts order by call_id').pluck().all() as string[];
}

describe('transcript sentences, stored compactly on SQLite', () => {
  it('hold exactly what Gong sent, in order, in one integer-keyed table without a second index, found by call through the key', async () => {
    const sim = await startSimulator({ calls: 25, days: 20 });
    const file = path.join(tempDir(), 'gong.db');
    await syncInProcess(sim, file, { streams: STREAMS });
    const db = new BetterSqlite3(file);
    try {
      const ids = transcriptCallIds(db);
      expect(ids.length).toBeGreaterThan(10);
      for (const id of ids) expect(storedOf(db, id)).toEqual(sentOf(sim, id));
      const total = ids.reduce((n, id) => n + sentOf(sim, id).length, 0);
      expect(db.prepare('select count(*) from transcript_sentences').pluck().get()).toBe(total);
      // The layout: no call_id, no stamp, no index but the integer key; the view finds a call by its transcript's key range.
      const columns = db.prepare(`select name from pragma_table_info('transcript_sentence_rows')`).pluck().all();
      expect(columns).toEqual(['id', 'segment_index', 'speaker_id', 'topic_id', 'start_ms', 'end_ms', 'text']);
      // Each topic name once.
      expect(db.prepare('select count(*) = count(distinct name) from transcript_topics').pluck().get()).toBe(1);
      expect(
        db.prepare(`select count(*) from sqlite_master where type = 'index' and tbl_name = 'transcript_sentence_rows'`).pluck().get(),
      ).toBe(0);
      const plan = (db.prepare('explain query plan select * from transcript_sentences where call_id = ?').all('x') as { detail: string }[])
        .map((r) => r.detail)
        .join('\n');
      expect(plan).toMatch(/SEARCH t USING COVERING INDEX sqlite_autoindex_call_transcripts_1 \(call_id=\?\)/);
      expect(plan).toMatch(/SEARCH r USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
      // Keys follow the transcripts' order: each transcript's sentences are one run of keys at the end when written.
      const keys = db.prepare('select id from transcript_sentence_rows').pluck().all() as number[];
      expect(keys).toEqual([...keys].sort((a, b) => a - b));
      checkFullText(db);
    } finally {
      db.close();
    }
  }, 60_000);

  it('a transcript read again shorter leaves no stale sentence, and its full-text entries stay exact', async () => {
    const sim = await startSimulator({ calls: 12, days: 5 });
    const file = path.join(tempDir(), 'gong.db');
    await syncInProcess(sim, file, { streams: STREAMS });
    const app = new BetterSqlite3(file);
    const [shorter, longer] = transcriptCallIds(app);
    const before = storedOf(app, shorter!);
    app.close();
    // Gong now has a shorter transcript for one call and a longer one for another; a re-read replaces both.
    sim.account.getCall(shorter!)!.sentences = 3;
    sim.account.getCall(longer!)!.sentences += 7;
    const database = await connectDatabase(file);
    try {
      const exec = new SqlExecutor(database);
      const stream = findStream('call_transcripts')!;
      await exec.transaction(async () => {
        const { RowLoader } = await import('../src/loader.js');
        const loader = new RowLoader(exec);
        for (const id of [shorter!, longer!]) {
          await loader.write(
            stream.tables,
            stream.toRows(sim.account.transcriptOf(sim.account.getCall(id)!) as never),
            new Date().toISOString(),
          );
        }
      });
    } finally {
      await database.close();
    }
    const db = new BetterSqlite3(file);
    try {
      expect(storedOf(db, shorter!)).toEqual(sentOf(sim, shorter!));
      expect(storedOf(db, shorter!)).toHaveLength(3);
      expect(before.length).toBeGreaterThan(3);
      expect(storedOf(db, longer!)).toEqual(sentOf(sim, longer!));
      checkFullText(db);
      // A word only the dropped sentences said is no longer found for that call.
      const gone = before.slice(3).map((s) => s.text);
      const stillFound = db
        .prepare(
          `select count(*) from transcript_search f join transcript_sentences s on s.text = f.text
            where transcript_search match ? and s.call_id = ?`,
        )
        .pluck()
        .get(`"${gone[0]!.replace(/"/g, '""')}"`, shorter!) as number;
      expect(stillFound).toBe(0);
      // Writers through the view keep working: an update moves the text in the index, a delete takes it out.
      db.prepare(
        `update transcript_sentences set text = 'zebracodeword here', topic = 'A topic never seen' where call_id = ? and seq = 1`,
      ).run(shorter!);
      expect(storedOf(db, shorter!)[1]!.topic).toBe('A topic never seen');
      expect(db.prepare(`select count(*) from transcript_search where transcript_search match 'zebracodeword'`).pluck().get()).toBe(1);
      db.prepare(`delete from transcript_sentences where call_id = ? and seq = 1`).run(shorter!);
      expect(db.prepare(`select count(*) from transcript_search where transcript_search match 'zebracodeword'`).pluck().get()).toBe(0);
      expect(storedOf(db, shorter!).map((s) => s.seq)).toEqual([0, 2]);
      checkFullText(db);
    } finally {
      db.close();
    }
  }, 60_000);

  it('a deleted transcript takes its sentences along, a new transcript never shows another call’s, and a sentence without its transcript fails loudly', async () => {
    const sim = await startSimulator({ calls: 8, days: 5 });
    const file = path.join(tempDir(), 'gong.db');
    await syncInProcess(sim, file, { streams: STREAMS });
    let db = new BetterSqlite3(file);
    // The newest transcript row: SQLite hands its rowid out again to the next row inserted.
    const last = db.prepare('select call_id, rowid as rowid from call_transcripts order by rowid desc limit 1').get() as {
      call_id: string;
      rowid: number;
    };
    db.prepare('delete from call_transcripts where call_id = ?').run(last.call_id);
    expect(db.prepare('select count(*) from transcript_sentence_rows where id >> 20 = ?').pluck().get(last.rowid)).toBe(0);
    expect(storedOf(db, last.call_id)).toEqual([]);
    checkFullText(db);
    // A sentence may not arrive before (or without) its transcript, through the view or the adapter.
    expect(() => db.prepare(`insert into transcript_sentences (call_id, seq, text) values ('no-such-call', 0, 'lost')`).run()).toThrow(
      /no call_transcripts row/,
    );
    db.close();
    const database = await connectDatabase(file);
    try {
      await expect(
        new SqlExecutor(database).transaction(() =>
          database.adapter.upsert('transcript_sentences', ['call_id', 'seq'], ['call_id', 'seq', 'text'], [['no-such-call', 0, 'lost']]),
        ),
      ).rejects.toThrow(/call no-such-call arrived without its call_transcripts row/);
    } finally {
      await database.close();
    }
    // A new call's transcript gets the freed rowid: it shows its own sentences only.
    const [added] = sim.account.addCalls(1, { withinHours: 1 });
    await syncInProcess(sim, file, { streams: STREAMS });
    db = new BetterSqlite3(file);
    try {
      // Gong still has the deleted transcript: it is read again beside the new call's, one of them under the freed rowid.
      expect(db.prepare('select count(*) from call_transcripts where rowid = ?').pluck().get(last.rowid)).toBe(1);
      expect(storedOf(db, added!.record.id)).toEqual(sentOf(sim, added!.record.id));
      for (const id of transcriptCallIds(db)) expect(storedOf(db, id)).toEqual(sentOf(sim, id));
      checkFullText(db);
      // VACUUM keeps rowids (the keys depend on call_transcripts' rowids).
      db.exec('vacuum');
      for (const id of transcriptCallIds(db)) expect(storedOf(db, id)).toEqual(sentOf(sim, id));
    } finally {
      db.close();
    }
  }, 60_000);

  it('a database of the previous version migrates with every sentence, and search finds them', async () => {
    const sim = await startSimulator({ calls: 10, days: 5 });
    const file = path.join(tempDir(), 'old.db');
    const old = await connectDatabase(file);
    await migrateToLatest(old, undefined, Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '2026-12-03-0030')));
    await old.close();
    // Rows as the previous version wrote them (its table, its stamp, its full-text index).
    const stream = findStream('call_transcripts')!;
    const ids = sim.account
      .visibleCalls()
      .filter((c) => c.transcriptReady)
      .map((c) => c.record.id);
    let db = new BetterSqlite3(file);
    const stamp = '2026-12-01T00:00:00Z';
    for (const id of ids) {
      const rows = stream.toRows(sim.account.transcriptOf(sim.account.getCall(id)!) as never);
      const t = rows.call_transcripts![0]!;
      db.prepare(
        'insert into call_transcripts (call_id, segment_count, sentence_count, speaker_count, raw, synced_at) values (?, ?, ?, ?, ?, ?)',
      ).run(t.call_id, t.segment_count, t.sentence_count, t.speaker_count, t.raw, stamp);
      const insert = db.prepare(
        'insert into transcript_sentences (call_id, seq, segment_index, speaker_id, topic, start_ms, end_ms, text, synced_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const s of rows.transcript_sentences!) {
        const r = insert.run(s.call_id, s.seq, s.segment_index, s.speaker_id, s.topic, s.start_ms, s.end_ms, s.text, stamp);
        db.prepare('insert into transcript_search (rowid, text) values (?, ?)').run(r.lastInsertRowid, s.text);
      }
    }
    expect(db.prepare(`select type from sqlite_master where name = 'transcript_sentences'`).pluck().get()).toBe('table');
    db.close();
    const database = await connectDatabase(file);
    try {
      // Stopped at its very end (after every step of the rebuild), the migration leaves the previous layout whole.
      const compact = migrations['2026-12-03-0030-compact-transcript-sentences']!;
      const stopped = {
        ...migrations,
        '2026-12-03-0030-compact-transcript-sentences': {
          up: async (kysely: Parameters<typeof compact.up>[0]) => {
            await compact.up(kysely);
            throw new Error('stopped here');
          },
        },
      };
      await expect(migrateToLatest(database, undefined, stopped)).rejects.toThrow(
        /0030-compact-transcript-sentences failed .*stopped here/,
      );
      const still = new BetterSqlite3(file, { readonly: true });
      expect(still.prepare(`select type from sqlite_master where name = 'transcript_sentences'`).pluck().get()).toBe('table');
      expect(still.prepare('select count(*) from transcript_sentences').pluck().get()).toBe(
        ids.reduce((n, id) => n + sentOf(sim, id).length, 0),
      );
      still.close();
      const { applied } = await migrateToLatest(database);
      expect(applied).toContain('2026-12-03-0030-compact-transcript-sentences');
      const word = sentOf(sim, ids[0]!)[0]!.text.split(' ')[0]!;
      const found = await database.adapter.searchTranscripts({ query: word, callId: ids[0]!, limit: 1000, offset: 0 });
      const expected = sentOf(sim, ids[0]!).filter((s) => new RegExp(`\\b${word}\\b`, 'i').test(s.text));
      expect(found.map((f) => [f.callId, f.startMs, f.text, f.speakerId]).sort()).toEqual(
        expected.map((s) => [ids[0], s.start_ms, s.text, s.speaker_id]).sort(),
      );
      const tables = await database.adapter.listTables();
      const sentences = tables.find((t) => t.name === 'transcript_sentences')!;
      expect(sentences.type).toBe('table');
      expect(sentences.columns.map((c) => `${c.name}:${c.kind}`)).toContain('seq:integer');
      expect(tables.some((t) => t.name === 'transcript_sentence_rows' || t.name === 'transcript_topics')).toBe(false);
    } finally {
      await database.close();
    }
    db = new BetterSqlite3(file);
    try {
      expect(db.prepare(`select type from sqlite_master where name = 'transcript_sentences'`).pluck().get()).toBe('view');
      for (const id of ids) expect(storedOf(db, id)).toEqual(sentOf(sim, id));
      // The views over transcript_sentences still answer.
      expect(db.prepare('select count(*) from transcript_lines').pluck().get()).toBe(ids.reduce((n, id) => n + sentOf(sim, id).length, 0));
      checkFullText(db);
    } finally {
      db.close();
    }
    // And the next sync writes into the new layout.
    await syncInProcess(sim, file, { streams: STREAMS });
    db = new BetterSqlite3(file);
    try {
      for (const id of transcriptCallIds(db)) expect(storedOf(db, id)).toEqual(sentOf(sim, id));
      checkFullText(db);
    } finally {
      db.close();
    }
  }, 60_000);
});
