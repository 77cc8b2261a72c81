import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { runCli, simEnv, tempDir, runInProcess } from './helpers/cli.js';
import { column, query } from './helpers/database.js';
import type { GongSimulator } from '../src/simulator/server.js';
import { asSent } from '../src/simulator/shapes.js';

const CORE = 'users,workspaces,calls,call_transcripts,stats_activity_scorecards';

function expectedKeys(sim: GongSimulator) {
  const visible = sim.account.visibleCalls();
  const withTranscript = visible.filter((c) => c.transcriptReady);
  const visibleIds = new Set(visible.map((c) => c.record.id));
  return {
    users: sim.account.users.map((u) => u.id).sort(),
    workspaces: sim.account.workspaces.map((w) => w.id).sort(),
    calls: visible.map((c) => c.record.id).sort(),
    transcripts: withTranscript.map((c) => c.record.id).sort(),
    sentences: withTranscript.reduce((n, c) => n + c.sentences, 0),
    scorecards: sim.account.answeredScorecards
      .filter((s) => visibleIds.has(s.callId))
      .map((s) => s.record.answeredScorecardId)
      .sort(),
  };
}

function actualKeys(db: string) {
  return {
    users: column(db, 'select id from users order by id'),
    workspaces: column(db, 'select id from workspaces order by id'),
    calls: column(db, 'select id from calls order by id'),
    transcripts: column(db, 'select call_id from call_transcripts order by call_id'),
    sentences: Number(column(db, 'select count(*) from transcript_sentences')[0]),
    scorecards: column(db, 'select answered_scorecard_id from stats_activity_scorecards order by answered_scorecard_id'),
  };
}

describe('sync against the simulated Gong API', () => {
  it('loads exactly the records Gong has on a first sync', async () => {
    const sim = await startSimulator({ calls: 320 });
    const db = path.join(tempDir(), 'gong.db');
    const result = await runInProcess(['sync', '--streams', CORE], simEnv(sim, db));
    expect(result.stderr).not.toMatch(/"level":"error"/);
    expect(result.code).toBe(0);
    expect(actualKeys(db)).toEqual(expectedKeys(sim));
    // Every answer of every answered scorecard, keyed by its question.
    const answers = sim.account.answeredScorecards.reduce((n, s) => n + (s.record.answers as unknown[]).length, 0);
    expect(Number(column(db, 'select count(*) from scorecard_answers')[0])).toBe(answers);
    // A transcript's sentences are in order, with times and speakers that join the call's parties.
    const call = sim.account.visibleCalls()[5]!;
    const sentences = query<{ text: string; start_ms: number; speaker_id: string }>(
      db,
      'select text, start_ms, speaker_id from transcript_sentences where call_id = ? order by seq',
      call.record.id,
    );
    const transcript = sim.account.transcriptOf(call).transcript;
    expect(sentences.map((s) => s.text)).toEqual(transcript.flatMap((seg) => seg.sentences.map((s) => s.text)));
    expect(new Set(sentences.map((s) => s.speaker_id))).toEqual(new Set(transcript.map((seg) => seg.speakerId)));
    // The whole record is kept as JSON.
    const raw = JSON.parse(column(db, `select raw from calls where id = '${call.record.id}'`)[0]!);
    expect(raw).toEqual(asSent(call.record, sim.shapes));
    expect(result.stdout).toMatch(/succeeded: \d+ rows written/);
  });

  it('second sync fetches new calls, late calls inside the look-back and late transcripts, with only the requests they need', async () => {
    const sim = await startSimulator({ calls: 250 });
    const pending = sim.account.addCalls(4, { transcriptReady: false });
    const late = sim.account.addLateCalls(3, { ageDays: 2 });
    const db = path.join(tempDir(), 'gong.db');
    const env = simEnv(sim, db);
    expect((await runInProcess(['sync', '--streams', CORE], env)).code).toBe(0);
    expect(column(db, 'select count(*) from calls')[0]).toBe('254');
    expect(column(db, 'select count(*) from call_transcripts')[0]).toBe('250');

    const fresh = sim.account.addCalls(6);
    sim.account.releaseLateCalls();
    sim.account.releaseTranscripts();
    sim.clearLog();
    const second = await runInProcess(['sync', '--streams', CORE], env);
    expect(second.code).toBe(0);
    expect(actualKeys(db)).toEqual(expectedKeys(sim));
    const ids = new Set(column(db, 'select call_id from call_transcripts'));
    for (const call of [...pending, ...late, ...fresh]) expect(ids.has(call.record.id)).toBe(true);

    // One page of calls from the bookmark minus the 7-day look-back, one transcript batch, and
    // one request per small stream (workspaces, refreshed daily, is skipped): nothing re-reads the year.
    const seen = sim.apiRequests().map((r) => `${r.method} ${r.path}`);
    expect(seen.sort()).toEqual(
      ['GET /v2/calls', 'GET /v2/users', 'POST /v2/calls/transcript', 'POST /v2/stats/activity/scorecards'].sort(),
    );
    const callsRequest = sim.apiRequests('/v2/calls')[0]!;
    const lookbackDays = (Date.now() - Date.parse(callsRequest.query.fromDateTime!)) / 86_400_000;
    expect(lookbackDays).toBeGreaterThan(6.9);
    expect(lookbackDays).toBeLessThan(7.2);
    const askedFor = sim.apiRequests('/v2/calls/transcript')[0]!.body.filter.callIds as string[];
    expect(askedFor.length).toBeLessThanOrEqual(100);
    for (const call of [...pending, ...late, ...fresh]) expect(askedFor).toContain(call.record.id);
  });

  it('stores 19-20 digit ids that Gong sends as bare JSON numbers digit for digit', async () => {
    const sim = await startSimulator({ calls: 20 });
    const db = path.join(tempDir(), 'gong.db');
    const result = await runInProcess(['sync', '--streams', 'settings_scorecards'], simEnv(sim, db));
    expect(result.code).toBe(0);
    const expected = sim.account.scorecardSettings.map((s) => String(s.scorecardId)).sort();
    expect(expected.every((id) => id.length === 19 && !Number.isSafeInteger(Number(id)))).toBe(true);
    expect(column(db, 'select scorecard_id from settings_scorecards order by scorecard_id')).toEqual(expected);
    const questionIds = sim.account.scorecardSettings
      .flatMap((s) => (s.questions as Array<{ questionId: string }>).map((q) => q.questionId))
      .sort();
    expect(column(db, 'select question_id from scorecard_questions order by question_id')).toEqual(questionIds);
    expect(query<{ t: string }>(db, 'select typeof(scorecard_id) t from settings_scorecards')[0]!.t).toBe('text');
  });

  it('fails fast on bad credentials, names the 401 and never shows or stores the secret', async () => {
    const sim = await startSimulator({ calls: 20 });
    const db = path.join(tempDir(), 'gong.db');
    const secret = 'wrong-secret-7f3a9c2e';
    const result = await runCli(['sync'], simEnv(sim, db, { GONG_ACCESS_KEY_SECRET: secret }));
    // Rejected credentials are a configuration error (the connection check before the sync).
    expect(result.code).toBe(2);
    expect(result.ms).toBeLessThan(10_000);
    expect(sim.apiRequests().length).toBeLessThanOrEqual(2);
    expect(result.stderr).toMatch(/Gong rejected the credentials \(401\) for http:\/\/127\.0\.0\.1:\d+: check GONG_ACCESS_KEY/);
    const encoded = Buffer.from(`demo-access-key:${secret}`).toString('base64');
    for (const text of [result.stdout, result.stderr]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(encoded);
    }
    for (const file of fs.readdirSync(path.dirname(db))) {
      const bytes = fs.readFileSync(path.join(path.dirname(db), file));
      expect(bytes.includes(secret)).toBe(false);
      expect(bytes.includes(encoded)).toBe(false);
    }
  });

  it('stops with exit 3 when the daily budget is spent, and the next run continues', async () => {
    const sim = await startSimulator({ calls: 420 });
    const db = path.join(tempDir(), 'gong.db');
    const first = await runInProcess(['sync', '--streams', CORE], simEnv(sim, db, { GONG_DAILY_BUDGET: '4' }));
    expect(first.code).toBe(3);
    expect(first.stderr).toMatch(/Daily request budget spent: 4 of 4/);
    expect(sim.apiRequests().length).toBe(4);
    expect(query(db, 'select outcome from _runs')).toEqual([{ outcome: 'stopped' }]);
    const second = await runInProcess(['sync', '--streams', CORE], simEnv(sim, db, { GONG_DAILY_BUDGET: '1000' }));
    expect(second.code).toBe(0);
    expect(actualKeys(db)).toEqual(expectedKeys(sim));
  });
});
