import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator, DEMO_CREDENTIALS } from './helpers/simulator.js';
import { messagesOf, runCli, simEnv, spawnCli, tempDir } from './helpers/cli.js';
import { column, query } from './helpers/database.js';
import { GongSimulator } from '../src/simulator/server.js';
import { createGong } from '../src/api/gong.js';
import { asSent } from '../src/simulator/shapes.js';

function expectedMedia(callId: string, kind: 'audio' | 'video'): { size: number; sha256: string } {
  const size = GongSimulator.mediaSize(callId, kind);
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = GongSimulator.mediaByte(callId, i);
  return { size, sha256: createHash('sha256').update(bytes).digest('hex') };
}

describe('get, download and execute', () => {
  it('get prints one record live and upserts it; an unknown id is a clear failure', async () => {
    const sim = await startSimulator({ calls: 30 });
    const db = path.join(tempDir(), 'gong.db');
    const env = simEnv(sim, db);
    const user = sim.account.users[2]!;
    const got = await runCli(['get', 'users', user.id], env);
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toEqual(asSent(user, sim.shapes));
    expect(column(db, 'select email_address from users')).toEqual([user.emailAddress]);

    const call = sim.account.calls[4]!;
    const gotCall = await runCli(['get', 'calls', call.record.id], env);
    expect(gotCall.code).toBe(0);
    expect(JSON.parse(gotCall.stdout).id).toBe(call.record.id);
    expect(column(db, 'select id from calls')).toEqual([call.record.id]);

    const missing = await runCli(['get', 'users', '1234567890123456789'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Gong has no user with id 1234567890123456789 \(404/);
    expect((await runCli(['get', 'users', '../etc'], env)).code).toBe(2);
    expect((await runCli(['get', 'scorecards', '1'], env)).code).toBe(2);
  });

  it("download streams a call's media to disk, records it, and refuses ids that are not numeric", async () => {
    const sim = await startSimulator({ calls: 20 });
    const dir = tempDir();
    const db = path.join(dir, 'gong.db');
    const out = path.join(dir, 'media');
    const call = sim.account.calls.find((c) => c.record.media === 'Video')!;
    const result = await runCli(['download', 'video', call.record.id, '--out', out], simEnv(sim, db));
    expect(result.code).toBe(0);
    const file = path.join(out, `${call.record.id}.mp4`);
    const expected = expectedMedia(call.record.id, 'video');
    expect(fs.statSync(file).size).toBe(expected.size);
    expect(createHash('sha256').update(fs.readFileSync(file)).digest('hex')).toBe(expected.sha256);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    expect(query(db, 'select call_id, kind, bytes, sha256, content_type from call_media')).toEqual([
      { call_id: call.record.id, kind: 'video', bytes: expected.size, sha256: expected.sha256, content_type: 'video/mp4' },
    ]);
    for (const bad of ['../../etc/passwd', '12a', '']) {
      const refused = await runCli(['download', 'audio', bad, '--out', out], simEnv(sim, db));
      expect(refused.code).toBe(2);
    }
    expect((await runCli(['download', 'podcast', call.record.id], simEnv(sim, db))).code).toBe(2);
  });

  it('a download killed midway resumes with a Range request to an identical checksum', async () => {
    const sim = await startSimulator({ calls: 20 });
    const dir = tempDir();
    const db = path.join(dir, 'gong.db');
    const out = path.join(dir, 'media');
    const call = sim.account.calls[7]!;
    const part = path.join(out, `${call.record.id}.mp3.part`);
    sim.faults.mediaChunkDelayMs = 30;
    const { child, result } = spawnCli(['download', 'audio', call.record.id, '--out', out], simEnv(sim, db));
    const poll = setInterval(() => {
      if (fs.existsSync(part) && fs.statSync(part).size >= 32_768) child.kill('SIGKILL');
    }, 10);
    const killed = await result;
    clearInterval(poll);
    expect(killed.signal).toBe('SIGKILL');
    const partial = fs.statSync(part).size;
    expect(partial).toBeGreaterThan(0);
    sim.faults.mediaChunkDelayMs = 0;

    const resumed = await runCli(['download', 'audio', call.record.id, '--out', out], simEnv(sim, db));
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(new RegExp(`resumed from byte ${partial}`));
    expect(sim.requests.filter((r) => r.path.startsWith('/media/')).at(-1)!.range).toBe(`bytes=${partial}-`);
    const expected = expectedMedia(call.record.id, 'audio');
    expect(
      createHash('sha256')
        .update(fs.readFileSync(path.join(out, `${call.record.id}.mp3`)))
        .digest('hex'),
    ).toBe(expected.sha256);
    expect(fs.existsSync(part)).toBe(false);
  });

  it('the opt-in call_audio stream downloads media for calls that lack it, through dropped connections', async () => {
    const sim = await startSimulator({ calls: 12 });
    const dir = tempDir();
    const db = path.join(dir, 'gong.db');
    const env = simEnv(sim, db, { GONG_MEDIA_DIR: path.join(dir, 'media') });
    sim.faults.drop = 0.15;
    const result = await runCli(['sync', '--streams', 'calls,call_audio'], env);
    expect(result.code).toBe(0);
    const rows = query<{ call_id: string; sha256: string; bytes: number }>(
      db,
      "select call_id, sha256, bytes from call_media where kind = 'audio'",
    );
    expect(rows.map((r) => r.call_id).sort()).toEqual(sim.account.calls.map((c) => c.record.id).sort());
    for (const row of rows) expect(row.sha256).toBe(expectedMedia(row.call_id, 'audio').sha256);
    sim.faults.drop = 0;
    sim.clearLog();
    expect((await runCli(['sync', '--streams', 'call_audio'], env)).code).toBe(0);
    expect(sim.requests.filter((r) => r.path.startsWith('/media/'))).toHaveLength(0);
  });

  it('asks Gong for a fresh media URL when the one it holds has expired', async () => {
    const sim = await startSimulator({ calls: 6 });
    const dir = tempDir();
    const db = path.join(dir, 'gong.db');
    // The first answer carries URLs that expired hours ago (as if a page sat unread for a day).
    let stale = true;
    sim.recordTransform = (route, record) => {
      if (route !== '/v2/calls/extensive' || !stale || !record.media) return record;
      sim.advanceClock(-9 * 3_600_000);
      const media = { audioUrl: sim.mediaUrl(record.metaData.id, 'audio'), videoUrl: null };
      sim.advanceClock(9 * 3_600_000);
      return { ...record, media };
    };
    const env = simEnv(sim, db, { GONG_MEDIA_DIR: path.join(dir, 'media') });
    expect((await runCli(['sync', '--streams', 'calls'], env)).code).toBe(0);
    const first = sim.account.calls[0]!.record.id;
    sim.onRequest = (entry) => {
      if (entry.path.startsWith('/media/') && entry.status === 403) stale = false;
    };
    const result = await runCli(['sync', '--streams', 'call_audio'], env);
    expect(result.code).toBe(0);
    expect(sim.requests.some((r) => r.path.startsWith('/media/') && r.status === 403)).toBe(true);
    expect(query(db, "select count(*) n from call_media where kind = 'audio' and path is not null")).toEqual([{ n: 6 }]);
    expect(query<{ sha256: string }>(db, 'select sha256 from call_media where call_id = ?', first)[0]!.sha256).toBe(
      expectedMedia(first, 'audio').sha256,
    );
  });

  it("execute runs the reference's actions by their own names, and validates parameters", async () => {
    const sim = await startSimulator({ calls: 130, days: 80 });
    const db = path.join(tempDir(), 'gong.db');
    const env = simEnv(sim, db);
    // Within Gong's 90 days a request: Gong's own pages and cursor (longer ranges: test/gong-strictness.test.ts).
    const range = {
      fromDateTime: new Date(Date.now() - 85 * 86_400_000).toISOString(),
      toDateTime: new Date(Date.now() + 86_400_000).toISOString(),
    };
    const list = await runCli(['execute', 'calls', 'list', '--params', JSON.stringify(range)], env);
    expect(list.code).toBe(0);
    const page = JSON.parse(list.stdout);
    expect(page.records).toHaveLength(100);
    expect(page.pagination).toMatchObject({ totalRecords: 130, currentPageSize: 100, currentPageNumber: 0 });
    const next = JSON.parse(
      (await runCli(['execute', 'calls', 'list', '--params', JSON.stringify({ ...range, cursor: page.pagination.cursor })], env)).stdout,
    );
    expect(next.records).toHaveLength(30);
    expect(next.pagination.cursor).toBeUndefined();

    const workspace = sim.account.workspaces[0]!.id;
    const manager = sim.account.users[0]!.id;
    const coaching = await runCli(
      [
        'execute',
        'coaching',
        'list',
        '--params',
        JSON.stringify({ 'workspace-id': workspace, 'manager-id': manager, from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' }),
      ],
      env,
    );
    expect(coaching.code).toBe(0);
    // Gong's shape: one record for the manager, with the direct reports' metrics.
    const coachingRecords = JSON.parse(coaching.stdout).records;
    expect(coachingRecords).toHaveLength(1);
    expect(coachingRecords[0].manager.id).toBe(manager);
    expect(coachingRecords[0].directReportsMetrics.map((m: { report: { id: string } }) => m.report.id).sort()).toEqual(
      sim.account.users
        .filter((u) => u.managerId === manager)
        .map((u) => u.id)
        .sort(),
    );

    // The reference's answered-scorecard dates become Gong's review dates; its other filters are refused.
    sim.clearLog();
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const dayAfter = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const reviewed = await runCli(
      [
        'execute',
        'stats_activity_scorecards',
        'list',
        '--params',
        JSON.stringify({ filter: { fromDateTime: '2025-01-01T00:00:00Z', toDateTime: `${tomorrow}T08:00:00Z` } }),
      ],
      env,
    );
    expect(reviewed.code, reviewed.stderr).toBe(0);
    expect(sim.apiRequests('/v2/stats/activity/scorecards')[0]!.body).toEqual({
      filter: { reviewFromDate: '2025-01-01', reviewToDate: dayAfter, reviewMethod: 'BOTH' },
    });
    // Bare 19-digit numbers from Gong, printed as exact strings.
    const answered = JSON.parse(reviewed.stdout).records as Array<{ answeredScorecardId: string }>;
    expect(answered.length).toBeGreaterThan(0);
    const known = new Set(sim.account.answeredScorecards.map((a) => a.record.answeredScorecardId));
    for (const record of answered) expect(known.has(record.answeredScorecardId)).toBe(true);

    const cases: Array<[string[], RegExp]> = [
      [['execute', 'users', 'get'], /missing required parameter "id" \(string\)/],
      [['execute', 'users', 'list', '--params', '{"limit":5}'], /unknown parameter "limit" \(expected: cursor\)/],
      [
        ['execute', 'calls_extensive', 'list', '--params', '{"filter":{"callIds":"123"}}'],
        /parameter "filter.callIds" must be array<string>, got string/,
      ],
      [['execute', 'calls_extensive', 'list', '--params', '{"filter":{"fromDate":"x"}}'], /unknown parameter "filter.fromDate"/],
      [['execute', 'meetings', 'list'], /Unknown entity "meetings": expected one of users, calls/],
      [['execute', 'users', 'delete'], /"users" has no action "delete": expected list or get/],
      [['execute', 'users', 'list', '--params', 'not json'], /--params is not valid JSON/],
      [['execute', 'calls', 'list'], /missing required parameter "fromDateTime" \(string\); missing required parameter "toDateTime"/],
      [
        ['execute', 'stats_activity_scorecards', 'list', '--params', '{"filter":{"reviewerUserIds":["1"],"callIds":["2"]}}'],
        /unknown parameter "filter.reviewerUserIds" \(expected: filter.callFromDate, filter.callToDate, filter.reviewFromDate, filter.reviewToDate, filter.reviewedUserIds, filter.scorecardIds, filter.reviewMethod\); unknown parameter "filter.callIds"/,
      ],
      [
        ['execute', 'settings_scorecards', 'list', '--params', '{"workspaceId":"1"}'],
        /unknown parameter "workspaceId" \(Gong takes no parameters here\)/,
      ],
      [
        ['execute', 'library_folder_content', 'list', '--params', '{"folderId":"1","cursor":"x"}'],
        /unknown parameter "cursor" \(expected: folderId\)/,
      ],
      [
        ['execute', 'stats_activity_aggregate', 'list', '--params', '{"filter":{"fromDate":"2026-01-01"}}'],
        /missing required parameter "filter.toDate"/,
      ],
    ];
    for (const [args, message] of cases) {
      const failed = await runCli(args, env);
      expect(failed.code, args.join(' ')).toBe(2);
      expect(messagesOf(failed.stderr)).toMatch(message);
    }
  });

  it('the library mirrors the reference entity by entity, on the same client', async () => {
    const sim = await startSimulator({ calls: 40 });
    const gong = createGong({ baseUrl: sim.url, ...DEMO_CREDENTIALS, rateLimit: 1000 });
    try {
      const users = await gong.users.list();
      expect(users.records.map((u) => u.id).sort()).toEqual(sim.account.users.map((u) => u.id).sort());
      const user = await gong.users.get({ id: sim.account.users[1]!.id });
      expect(user.emailAddress).toBe(sim.account.users[1]!.emailAddress);
      const call = sim.account.calls[0]!;
      expect((await gong.calls.get({ id: call.record.id })).title).toBe(call.record.title);
      const extensive = await gong.callsExtensive.list({
        filter: { callIds: [call.record.id] },
        contentSelector: { exposedFields: { parties: true } },
      });
      expect(extensive.records[0]!.parties).toHaveLength(call.parties.length);
      const transcripts = await gong.callTranscripts.list({ filter: { callIds: [call.record.id] } });
      expect(transcripts.records[0]!.callId).toBe(call.record.id);
      const coaching = await gong.coaching.list({
        workspaceId: sim.account.workspaces[0]!.id,
        managerId: sim.account.users[0]!.id,
        from: '2026-01-01T00:00:00Z',
        to: '2026-02-01T00:00:00Z',
      });
      expect(coaching.records).toHaveLength(1);
      expect((coaching.records[0]!.directReportsMetrics as unknown[]).length).toBeGreaterThan(1);
      const chunks: Uint8Array[] = [];
      for await (const chunk of await gong.callAudio.download({ filter: { callIds: [call.record.id] }, range_header: 'bytes=0-99' }))
        chunks.push(chunk);
      const bytes = Buffer.concat(chunks);
      expect(bytes.length).toBe(100);
      expect([...bytes.subarray(0, 5)]).toEqual([0, 1, 2, 3, 4].map((i) => GongSimulator.mediaByte(call.record.id, i)));
      // The filters Gong's spec accepts are honoured: primaryUserIds, scorecardIds, reviewedUserIds.
      const host = call.record.primaryUserId;
      const range = { fromDateTime: '2020-01-01T00:00:00Z', toDateTime: new Date().toISOString() };
      const hosted = await gong.callsExtensive.list({ filter: { ...range, primaryUserIds: [host] } });
      expect(hosted.records.map((c) => c.metaData.id).sort()).toEqual(
        sim.account
          .visibleCalls()
          .filter((c) => c.record.primaryUserId === host)
          .map((c) => c.record.id)
          .sort(),
      );
      const answered = sim.account.answeredScorecards[0]!.record;
      const byScorecard = await gong.statsActivityScorecards.list({
        filter: { scorecardIds: [answered.scorecardId], reviewedUserIds: [answered.reviewedUserId] },
      });
      const expectedAnswered = sim.account.answeredScorecards
        .filter((s) => s.record.scorecardId === answered.scorecardId && s.record.reviewedUserId === answered.reviewedUserId)
        .map((s) => s.record.answeredScorecardId);
      expect(byScorecard.records.map((r) => r.answeredScorecardId).sort()).toEqual(expectedAnswered.sort());
      const viaExecute = await gong.execute({ entity: 'settings_trackers', action: 'list' });
      expect((viaExecute as { records: unknown[] }).records).toHaveLength(sim.account.trackers.length);
      await expect(gong.execute({ entity: 'library_folders', action: 'list' })).rejects.toThrow(/missing required parameter "workspaceId"/);
    } finally {
      await gong.close();
    }
  });
});
