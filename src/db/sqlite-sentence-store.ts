import { GongSyncError } from '../errors.js';
import type { SqlBackend } from './sql-executor.js';

/**
 * SQLite's compact layout of transcript sentences (migration 2026-12-03-0030): the rows live in
 * `transcript_sentence_rows`, keyed by `call_transcripts.rowid << 20 | seq` with no call_id and no
 * second index, and `transcript_sentences` is a view over it with INSTEAD OF triggers. This module
 * writes a loader page's sentences the fast way: one multi-row insert per 100 rows plus the same
 * rows' full-text entries, instead of a trigger per row.
 *
 * The keys depend on call_transcripts' rowids: a migration that rebuilds call_transcripts must copy
 * them (`insert into new (rowid, ...) select rowid, ... from old`) and recreate its trigger
 * call_transcripts_sentences_ad; VACUUM keeps them (test/sentence-store.test.ts checks it).
 */
export const SENTENCES = 'transcript_sentences';
export const SENTENCE_ROWS = 'transcript_sentence_rows';
export const SENTENCE_TOPICS = 'transcript_topics';
/** Bits of the key that hold seq: up to 1,048,576 sentences a transcript. */
const SEQ_SPAN = 2 ** 20;
/** Transcript rowids up to this keep the key a safe JavaScript integer (8.6 billion transcripts). */
const LARGEST_TRANSCRIPT_ROWID = Math.floor(Number.MAX_SAFE_INTEGER / SEQ_SPAN);
const STORED = ['segment_index', 'speaker_id', 'topic', 'start_ms', 'end_ms', 'text'] as const;
/** The stored column of a view column: a topic is stored as its number in transcript_topics. */
const STORED_AS: Record<string, string> = { topic: 'topic_id' };
const storedName = (column: string) => STORED_AS[column] ?? column;
const ROWS_PER_STATEMENT = 100;
const CALLS_PER_LOOKUP = 500;

/** Columns of the view whose type SQLite cannot name from its expression. */
export const SENTENCE_COLUMN_TYPES: Record<string, string> = { seq: 'integer', speaker_id: 'text', topic: 'text' };

/** Whether the database has the compact layout (cached once seen: a migration never undoes it). */
export class SentenceStore {
  private known = false;

  constructor(private readonly backend: SqlBackend) {}

  async present(): Promise<boolean> {
    if (this.known) return true;
    const rows = await this.backend.all(`select 1 from sqlite_master where type = 'table' and name = ?`, [SENTENCE_ROWS]);
    this.known = rows.length > 0;
    return this.known;
  }

  /**
   * Inserts or updates sentences by (call_id, seq), `columns` naming each row's values (a
   * `synced_at` is accepted and not stored: the transcript's row carries the stamp). Every
   * sentence's call_transcripts row must exist already: a sentence without one fails the page.
   */
  async upsert(columns: string[], rows: unknown[][]): Promise<void> {
    const at = (name: string) => columns.indexOf(name);
    const unknown = columns.filter(
      (c) => c !== 'call_id' && c !== 'seq' && c !== 'synced_at' && !(STORED as readonly string[]).includes(c),
    );
    if (at('call_id') < 0 || at('seq') < 0 || unknown.length > 0) {
      throw new Error(`${SENTENCES} rows need call_id and seq${unknown.length ? ` and have no column ${unknown.join(', ')}` : ''}`);
    }
    const given = STORED.filter((c) => at(c) >= 0);
    const positions = given.map((c) => at(c));
    const [callAt, seqAt, speakerAt, topicAt] = [at('call_id'), at('seq'), given.indexOf('speaker_id'), given.indexOf('topic')];
    const transcripts = await this.transcriptsOf([...new Set(rows.map((r) => String(r[callAt])))]);
    const topics = topicAt >= 0 ? await this.topicNumbers(rows.map((r) => r[at('topic')])) : undefined;
    const speakers = new Map<unknown, unknown>();
    // The last row of each key, in first position (what a multi-row upsert does).
    const byKey = new Map<number, { key: number; values: unknown[]; fresh: boolean }>();
    for (const row of rows) {
      const callId = String(row[callAt]);
      const transcript = transcripts.get(callId);
      if (!transcript) {
        throw new GongSyncError(
          `Transcript sentences of call ${callId} arrived without its call_transcripts row; nothing of this page was written.`,
        );
      }
      const seq = row[seqAt];
      if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0 || seq >= SEQ_SPAN) {
        throw new GongSyncError(`Transcript sentence ${String(seq)} of call ${callId} has a seq outside 0 to ${SEQ_SPAN - 1}.`);
      }
      const key = transcript.rowid * SEQ_SPAN + seq;
      const values = positions.map((p) => row[p]);
      if (speakerAt >= 0) {
        const speaker = values[speakerAt];
        let compact = speakers.get(speaker);
        if (compact === undefined) speakers.set(speaker, (compact = storedSpeaker(speaker)));
        values[speakerAt] = compact;
      }
      if (topics)
        values[topicAt] = values[topicAt] === null || values[topicAt] === undefined ? null : topics.get(values[topicAt] as string);
      byKey.set(key, { key, values, fresh: !transcript.filled });
    }
    const all = [...byKey.values()];
    await this.insertFresh(
      given,
      all.filter((r) => r.fresh),
    );
    for (const row of all) if (!row.fresh) await this.upsertOne(given, row.key, row.values);
  }

  /** Each topic's number in transcript_topics, new topics added (in the page's transaction: a rollback takes them back too). */
  private async topicNumbers(values: unknown[]): Promise<Map<string, number>> {
    const names = new Set<string>();
    for (const value of values) {
      if (value === null || value === undefined) continue;
      if (typeof value !== 'string') throw new Error(`${SENTENCES}.topic must be text, not ${typeof value}`);
      names.add(value);
    }
    const out = new Map<string, number>();
    if (names.size === 0) return out;
    const list = JSON.stringify([...names]);
    await this.backend.run(
      `insert into ${SENTENCE_TOPICS} (name) select value from json_each(?) where value not in (select name from ${SENTENCE_TOPICS})`,
      [list],
      { reuse: true },
    );
    const found = await this.backend.all<{ id: number; name: string }>(
      `select id, name from ${SENTENCE_TOPICS} where name in (select value from json_each(?))`,
      [list],
    );
    for (const t of found) out.set(t.name, t.id);
    return out;
  }

  /** Each call's transcript rowid, and whether it has sentences already (a fresh transcript's are inserted without looking). */
  private async transcriptsOf(callIds: string[]): Promise<Map<string, { rowid: number; filled: boolean }>> {
    const out = new Map<string, { rowid: number; filled: boolean }>();
    for (let i = 0; i < callIds.length; i += CALLS_PER_LOOKUP) {
      const found = await this.backend.all<{ call_id: string; rowid: number; filled: number }>(
        `select t.call_id, t.rowid as rowid,
            exists (select 1 from ${SENTENCE_ROWS} r where r.id between (t.rowid << 20) and (t.rowid << 20) + ${SEQ_SPAN - 1}) as filled
          from call_transcripts t where t.call_id in (select value from json_each(?))`,
        [JSON.stringify(callIds.slice(i, i + CALLS_PER_LOOKUP))],
      );
      for (const t of found) {
        if (t.rowid > LARGEST_TRANSCRIPT_ROWID)
          throw new GongSyncError(`call_transcripts rowid ${t.rowid} is beyond what sentence keys can hold.`);
        out.set(t.call_id, { rowid: t.rowid, filled: t.filled === 1 });
      }
    }
    return out;
  }

  /** New sentences of transcripts that had none: plain multi-row inserts, and their full-text entries. */
  private async insertFresh(given: readonly string[], rows: { key: number; values: unknown[] }[]): Promise<void> {
    const text = given.indexOf('text');
    let index = 0;
    while (index < rows.length) {
      // Full statements, then the rest one row at a time: few distinct statements to prepare.
      const count = rows.length - index >= ROWS_PER_STATEMENT ? ROWS_PER_STATEMENT : 1;
      const params: unknown[] = [];
      const indexed: unknown[] = [];
      for (let r = index; r < index + count; r++) {
        params.push(rows[r]!.key, ...rows[r]!.values);
        indexed.push(rows[r]!.key, text >= 0 ? rows[r]!.values[text] : null);
      }
      await this.backend.run(insertSql(given, count), params, { reuse: true });
      // Every row gets its entry, an empty text too: the index counts rows, and a delete takes one away.
      await this.backend.run(indexSql(count), indexed, { reuse: true });
      index += count;
    }
  }

  /** A sentence of a transcript that has some: updated in place (its trigger re-indexes the text), or inserted and indexed. */
  private async upsertOne(given: readonly string[], key: number, values: unknown[]): Promise<void> {
    if (given.length > 0) {
      const updated = await this.backend.run(
        `update ${SENTENCE_ROWS} set ${given.map((c) => `"${storedName(c)}" = ?`).join(', ')} where id = ?`,
        [...values, key],
        { reuse: true },
      );
      if (updated.changes > 0) return;
    } else if ((await this.backend.all(`select 1 from ${SENTENCE_ROWS} where id = ?`, [key])).length > 0) return;
    await this.backend.run(insertSql(given, 1), [key, ...values], { reuse: true });
    const text = given.indexOf('text');
    await this.backend.run(indexSql(1), [key, text >= 0 ? values[text] : null], { reuse: true });
  }
}

const sqlTexts = new Map<string, string>();

function insertSql(given: readonly string[], count: number): string {
  const name = `insert|${given.join(',')}|${count}`;
  let text = sqlTexts.get(name);
  if (!text) {
    const row = `(${['?', ...given.map(() => '?')].join(', ')})`;
    text = `insert into ${SENTENCE_ROWS} (id${given.map((c) => `, "${storedName(c)}"`).join('')}) values ${Array(count).fill(row).join(', ')}`;
    sqlTexts.set(name, text);
  }
  return text;
}

function indexSql(count: number): string {
  const name = `index|${count}`;
  let text = sqlTexts.get(name);
  if (!text) {
    text = `insert into transcript_search (rowid, text) values ${Array(count).fill('(?, ?)').join(', ')}`;
    sqlTexts.set(name, text);
  }
  return text;
}

/** A speaker id of digits (at most 18, no leading zero) as an integer: 8 bytes instead of 16 to 19; the view reads it back as the same text. */
function storedSpeaker(value: unknown): unknown {
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,17}$/.test(value)) return value;
  // A BigInt binds as an integer (a JavaScript number binds as a real, which this column would keep).
  return BigInt(value);
}
