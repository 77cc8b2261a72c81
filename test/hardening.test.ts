import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { runCli, runInProcess, simEnv, spawnCli, tempDir } from './helpers/cli.js';
import { contentOf, query } from './helpers/database.js';
import { expectConsistentState } from './helpers/invariants.js';
import { SYNCED_STREAMS, SYNCED_TABLES } from './helpers/streams.js';

const STREAMS = SYNCED_STREAMS;
const TABLES = SYNCED_TABLES;
// The crash campaigns (random SIGKILL/SIGTERM) are in crash-kills.test.ts.
describe('interrupted runs', () => {
  it('a run left "running" by a killed process shows as interrupted in status and is closed as interrupted by the next run', async () => {
    const sim = await startSimulator({ calls: 300, faults: { latencyMs: 20 } });
    const db = path.join(tempDir(), 'gong.db');
    const env = simEnv(sim, db);
    const { child, result } = spawnCli(['sync', '--streams', STREAMS], env);
    let seen = 0;
    sim.onRequest = (entry) => {
      if (entry.path.startsWith('/v2/') && ++seen === 3) child.kill('SIGKILL');
    };
    expect((await result).signal).toBe('SIGKILL');
    sim.onRequest = undefined;
    expect(query(db, 'select outcome from _runs')).toEqual([{ outcome: 'running' }]);
    const status = await runInProcess(['status', '--json'], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).runs[0]).toMatchObject({
      outcome: 'interrupted',
      message: expect.stringMatching(/process ended before closing this run/),
    });
    expect((await runInProcess(['sync', '--streams', STREAMS], env)).code).toBe(0);
    expect(query(db, 'select outcome from _runs order by id')).toEqual([{ outcome: 'interrupted' }, { outcome: 'succeeded' }]);
  }, 120_000);
});

/** Faults a server can throw at a run: the run's handling is the subject, so it runs in process. */
describe('fault matrix', () => {
  type Case = { name: string; faults?: Record<string, number | boolean>; env?: Record<string, string>; expect: 0 | 3 };
  const cases: Case[] = [
    { name: '503 bursts', faults: { error503: 0.3 }, expect: 0 },
    { name: '429 storm, short Retry-After', faults: { throttleNext: 6, throttleRetryAfterSeconds: 1 }, expect: 0 },
    { name: '429 with a Retry-After of hours', faults: { throttleNext: 1, throttleRetryAfterSeconds: 7200 }, expect: 3 },
    { name: 'dropped connections', faults: { drop: 0.15 }, expect: 0 },
    { name: 'responses that hang', faults: { hang: 0.1 }, env: { GONG_REQUEST_TIMEOUT_MS: '300' }, expect: 0 },
    { name: 'truncated JSON', faults: { truncate: 0.2 }, expect: 0 },
    { name: 'HTML error pages with status 200', faults: { html200: 0.2 }, expect: 0 },
    { name: 'an expired cursor mid-window', faults: { expireNextCursor: true }, expect: 0 },
    { name: 'the daily budget running out mid-window', env: { GONG_DAILY_BUDGET: '6' }, expect: 3 },
    { name: '503 on every attempt', faults: { error503: 1 }, env: { GONG_RETRY_BASE_MS: '5' }, expect: 0 },
  ];

  it.each(cases)('$name: ends complete and correct, or stopped with exit 3 and a resumable state', async (testCase) => {
    const sim = await startSimulator({ calls: 450 });
    const dir = tempDir();
    const reference = path.join(dir, 'reference.db');
    expect((await runInProcess(['sync', '--streams', STREAMS], simEnv(sim, reference))).code).toBe(0);
    const db = path.join(dir, 'faulty.db');
    Object.assign(sim.faults, testCase.faults ?? {});
    const result = await runInProcess(['sync', '--streams', STREAMS], simEnv(sim, db, testCase.env ?? {}));
    expectConsistentState(db, sim);
    if (testCase.name === '503 on every attempt') {
      // Retries are bounded: the run fails with a message, and the next one completes. (The connection
      // check that sync runs first meets the 503s and stops the run within three requests.)
      expect([1, 2], result.stderr.slice(-800)).toContain(result.code);
      expect(result.stderr).toMatch(/Gong kept failing for .* after 6 attempts \(last: HTTP 503\)|answered 503 to GET \/v2\/workspaces/);
    } else {
      expect(result.code, result.stderr.slice(-800)).toBe(testCase.expect);
    }
    if (result.code === 3) expect(query(db, 'select outcome from _runs')).toEqual([{ outcome: 'stopped' }]);
    Object.assign(sim.faults, { error503: 0, drop: 0, hang: 0, truncate: 0, html200: 0, throttleNext: 0, expireNextCursor: false });
    if (result.code !== 0) expect((await runInProcess(['sync', '--streams', STREAMS], simEnv(sim, db))).code).toBe(0);
    expect(contentOf(db, TABLES)).toEqual(contentOf(reference, TABLES));
  });
});

describe('bad records', () => {
  it('keeps unknown fields in raw, survives nulls, wrong types, unicode and huge text, and reports what it cannot store', async () => {
    const sim = await startSimulator({ calls: 60 });
    const calls = sim.account.calls;
    const [unknownFields, wrongTypes, nulls, unicode, broken, longText] = calls;
    const hugeSentence = 'pricing '.repeat(40_000).trim();
    sim.recordTransform = (route, record) => {
      if (route === '/v2/calls/extensive') {
        const id = record.metaData.id;
        if (id === unknownFields!.record.id)
          return { ...record, futureSection: { nested: [1, 2, 3] }, metaData: { ...record.metaData, newField: 'x' } };
        if (id === wrongTypes!.record.id)
          return {
            ...record,
            metaData: { ...record.metaData, duration: 'about an hour', isPrivate: 'no' },
            parties: 'nobody',
            content: [],
          };
        if (id === nulls!.record.id)
          return {
            ...record,
            metaData: { ...record.metaData, title: null, started: null, workspaceId: null },
            parties: null,
            interaction: null,
          };
        if (id === unicode!.record.id)
          return { ...record, metaData: { ...record.metaData, title: 'Überprüfung — 日本語の通話 🚀 \u0000 end' } };
        if (id === broken!.record.id) return { ...record, metaData: null };
      }
      if (route === '/v2/calls/transcript') {
        if (record.callId === longText!.record.id) {
          return {
            ...record,
            transcript: [
              { speakerId: 1234, topic: null, sentences: [{ start: '0', end: null, text: hugeSentence }, null, { text: 42 }] },
              'junk',
            ],
          };
        }
        if (record.callId === unicode!.record.id)
          return { ...record, transcript: [{ speakerId: 's', sentences: [{ start: 0, end: 1, text: 'Grüße 👋 — ¿qué tal? 你好' }] }] };
      }
      return record;
    };
    const db = path.join(tempDir(), 'gong.db');
    const result = await runInProcess(['sync', '--streams', 'calls_extensive,call_transcripts'], simEnv(sim, db));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/calls_extensive .* 1 rejected/);
    expect(query(db, 'select stream, record_id, reason from _rejected_records')).toEqual([
      { stream: 'calls_extensive', record_id: '?', reason: 'record has no metaData.id' },
    ]);
    expect(query(db, 'select count(*) n from calls')).toEqual([{ n: 59 }]);

    const raw = (id: string) => JSON.parse(query<{ raw: string }>(db, 'select raw from calls_extensive where id = ?', id)[0]!.raw);
    expect(raw(unknownFields!.record.id).futureSection).toEqual({ nested: [1, 2, 3] });
    // metaData is the calls row's record (calls_extensive.raw leaves it to that row, which holds it whole).
    const callRaw = JSON.parse(query<{ raw: string }>(db, 'select raw from calls where id = ?', unknownFields!.record.id)[0]!.raw);
    expect(callRaw.newField).toBe('x');
    expect(query(db, 'select duration, is_private from calls where id = ?', wrongTypes!.record.id)).toEqual([
      { duration: null, is_private: null },
    ]);
    const wrongRaw = JSON.parse(query<{ raw: string }>(db, 'select raw from calls where id = ?', wrongTypes!.record.id)[0]!.raw);
    expect(wrongRaw.duration).toBe('about an hour');
    expect(query(db, 'select count(*) n from call_parties where call_id = ?', wrongTypes!.record.id)).toEqual([{ n: 0 }]);
    expect(query(db, 'select title, started from calls where id = ?', nulls!.record.id)).toEqual([{ title: null, started: null }]);
    expect(query(db, 'select title from calls where id = ?', unicode!.record.id)).toEqual([
      { title: 'Überprüfung — 日本語の通話 🚀 \u0000 end' },
    ]);
    expect(query(db, 'select text from transcript_sentences where call_id = ?', unicode!.record.id)).toEqual([
      { text: 'Grüße 👋 — ¿qué tal? 你好' },
    ]);
    const long = query<{ text: string; speaker_id: string; start_ms: number }>(
      db,
      'select text, speaker_id, start_ms from transcript_sentences where call_id = ? order by seq',
      longText!.record.id,
    );
    expect(long.map((s) => s.text)).toEqual([hugeSentence, null, '42']);
    expect(long[0]!.speaker_id).toBe('1234');
    expect(long[0]!.start_ms).toBe(0);
    const found = query(db, "select count(*) n from transcript_search where transcript_search match 'Grüße'");
    expect(found).toEqual([{ n: 1 }]);
  });
});

describe('security', () => {
  it('never prints, logs or stores a secret, in success or failure, text or JSON logs', async () => {
    const secret = 'sEcReT-3f9a1c77d2';
    const token = 'tOkEn-88b1e0c4aa97';
    const sim = await startSimulator({ calls: 30, accessKey: 'key-1', accessKeySecret: secret, token });
    const dir = tempDir();
    const db = path.join(dir, 'gong.db');
    const basic = { GONG_ACCESS_KEY: 'key-1', GONG_ACCESS_KEY_SECRET: secret, GONG_MEDIA_DIR: path.join(dir, 'media') };
    const bearer = { GONG_ACCESS_KEY: undefined, GONG_ACCESS_KEY_SECRET: undefined, GONG_ACCESS_TOKEN: token };
    const outputs: string[] = [];
    const run = async (args: string[], extra: Record<string, string | undefined>) => {
      const result = await runCli(args, simEnv(sim, db, extra));
      outputs.push(result.stdout, result.stderr);
      return result;
    };
    expect((await run(['sync', '--streams', 'users,calls,call_audio'], { ...basic, GONG_LOG_FORMAT: 'text' })).code).toBe(0);
    expect((await run(['sync', '--streams', 'users'], { ...bearer, GONG_LOG_FORMAT: 'json' })).code).toBe(0);
    sim.faults.error503 = 1;
    expect((await run(['sync', '--streams', 'users'], { ...basic, GONG_RETRY_BASE_MS: '5' })).code).toBe(1);
    sim.faults.error503 = 0;
    expect((await run(['sync'], { ...basic, GONG_ACCESS_KEY_SECRET: `${secret}-wrong` })).code).toBe(1);
    expect((await run(['sync'], { ...bearer, GONG_ACCESS_TOKEN: `${token}-wrong` })).code).toBe(1);
    expect((await run(['get', 'users', sim.account.users[0]!.id], basic)).code).toBe(0);
    expect((await run(['status', '--json'], basic)).code).toBe(0);
    const needles = [secret, token, Buffer.from(`key-1:${secret}`).toString('base64')];
    for (const text of outputs) for (const needle of needles) expect(text).not.toContain(needle);
    const files = fs
      .readdirSync(dir, { recursive: true })
      .map((f) => path.join(dir, String(f)))
      .filter((f) => fs.statSync(f).isFile());
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      for (const needle of needles) expect(bytes.includes(needle), file).toBe(false);
    }
  });

  it('creates the database and media readable by the owner only', async () => {
    const sim = await startSimulator({ calls: 5 });
    const dir = tempDir();
    const db = path.join(dir, 'gong.db');
    expect(
      (await runCli(['sync', '--streams', 'calls,call_video'], simEnv(sim, db, { GONG_MEDIA_DIR: path.join(dir, 'media') }))).code,
    ).toBe(0);
    const created = fs.readdirSync(dir, { recursive: true }).map((f) => path.join(dir, String(f)));
    expect(created.some((f) => f.endsWith('.mp4'))).toBe(true);
    for (const file of created) {
      const mode = fs.statSync(file).mode & 0o777;
      expect(mode & 0o077, `${file} is ${mode.toString(8)}`).toBe(0);
    }
  });

  it('never turns TLS verification off, and the simulator listens on 127.0.0.1 only', async () => {
    const sources = ['src', 'streams', 'state', 'migrations', 'bin'].flatMap((folder) =>
      fs
        .readdirSync(folder, { recursive: true })
        .map((f) => path.join(folder, String(f)))
        .filter((f) => /\.(ts|js)$/.test(f)),
    );
    for (const file of sources) {
      const text = fs.readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/rejectUnauthorized|NODE_TLS_REJECT_UNAUTHORIZED|checkServerIdentity/);
    }
    const sim = await startSimulator({ calls: 1 });
    expect(new URL(sim.url).hostname).toBe('127.0.0.1');
  });
});

describe('concurrency', () => {
  it('while a sync writes, readers answer at once, writers wait or exit 3, and nothing corrupts', async () => {
    const sim = await startSimulator({ calls: 800, faults: { latencyMs: 80 } });
    const dir = tempDir();
    const reference = path.join(dir, 'reference.db');
    expect((await runInProcess(['sync', '--streams', STREAMS], simEnv(sim, reference))).code).toBe(0);
    const db = path.join(dir, 'gong.db');
    const env = simEnv(sim, db);
    expect((await runInProcess(['migrate'], env)).code).toBe(0);
    const writer = spawnCli(['sync', '--streams', STREAMS], env);
    let writerDone = false;
    void writer.result.then(() => (writerDone = true));
    const others: Array<{ args: string[]; code: number | null; ms: number }> = [];
    while (!writerDone && others.length < 12) {
      for (const args of [
        ['status', '--json'],
        ['query', 'select count(*) from calls'],
        ['sync', '--streams', 'users'],
        ['get', 'users', sim.account.users[0]!.id],
      ]) {
        const result = await runCli(args, env);
        others.push({ args, code: result.code, ms: result.ms });
      }
    }
    expect((await writer.result).code).toBe(0);
    for (const other of others) {
      const expected = other.args[0] === 'sync' ? [0, 3] : [0];
      expect(expected, `${other.args.join(' ')} -> ${other.code}`).toContain(other.code);
      expect(other.ms).toBeLessThan(15_000);
    }
    expect(others.some((o) => o.args[0] === 'sync' && o.code === 3)).toBe(true);
    expectConsistentState(db, sim);
    expect(contentOf(db, TABLES)).toEqual(contentOf(reference, TABLES));
  });
});
