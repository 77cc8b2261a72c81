import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { runCli, simEnv, tempDir } from './helpers/cli.js';
import { column, query } from './helpers/database.js';
import { aggregateActivity, coachingData, dayByDayActivity, interactionStats } from '../src/simulator/stats.js';
import { clipsOf, folderEntry, gongCoaching, shapesFromEnv } from '../src/simulator/shapes.js';
import { DEFAULT_EXPOSED_FIELDS } from '../streams/calls-extensive.js';
import { CALL_OUTCOMES } from '../src/simulator/dataset.js';
import { streams } from '../streams/index.js';
import type { GongSimulator } from '../src/simulator/server.js';

const DAY = 86_400_000;

/** The calendar-month windows a first sync plans from `start` to today (UTC). */
function monthWindows(start: string, today: string): Array<[string, string]> {
  const windows: Array<[string, string]> = [];
  let from = `${start.slice(0, 7)}-01`;
  while (from < today) {
    const d = new Date(`${from}T00:00:00Z`);
    const next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10);
    windows.push([from, next < today ? next : today]);
    from = next;
  }
  return windows;
}

async function syncAll(sim: GongSimulator, extra: Record<string, string> = {}) {
  const db = path.join(tempDir(), 'gong.db');
  const start = new Date(Date.now() - 100 * DAY).toISOString().slice(0, 10);
  const result = await runCli(['sync'], simEnv(sim, db, { GONG_START_DATE: start, ...extra }));
  return { db, start, result };
}

const SHAPES = ['gong', 'reference'] as const;

/** Child tables of the analyst model: test/analyst-model.test.ts compares them record by record. */
const CHECKED_IN_ANALYST_MODEL_TEST = new Set([
  'call_topics',
  'call_structure',
  'call_tracker_occurrences',
  'call_interaction_stats',
  'call_video_stats',
  'call_speakers',
  'call_context_objects',
  'call_context_fields',
  'call_party_context_fields',
  'call_comments',
  'call_key_points',
  'call_highlights',
  'call_outline_items',
  'call_action_items',
  'user_email_aliases',
  'user_spoken_languages',
  'user_personal_meeting_urls',
  'tracker_keywords',
  'scorecard_answer_options',
  'activity_day_calls',
]);

/** Every table a stream declares (call media is downloads, covered in live-actions). */
const STREAM_TABLES = [...new Set(streams.flatMap((s) => s.tables.map((t) => t.name)))].filter(
  (t) => t !== 'call_media' && !CHECKED_IN_ANALYST_MODEL_TEST.has(t),
);

describe.each(SHAPES)("a full sync against a Gong answering in %s's shapes", (shapes) => {
  it('loads exactly what the simulated account holds, in every table, and rejects no record', async () => {
    const sim = await startSimulator({ calls: 180, days: 100, shapes });
    const { db, start, result } = await syncAll(sim);
    expect(result.stderr).not.toMatch(/"level":"error"/);
    expect(result.code, result.stderr).toBe(0);
    expect(query(db, 'select stream, record_id, reason from _rejected_records')).toEqual([]);
    const account = sim.account;
    const calls = account.visibleCalls();
    const today = new Date().toISOString().slice(0, 10);
    const checked = new Set<string>();
    const rows = (table: string, sql: string) => {
      checked.add(table);
      return column(db, sql);
    };

    expect(rows('users', 'select id from users order by 1')).toEqual(account.users.map((u) => u.id).sort());
    expect(rows('workspaces', 'select id from workspaces order by 1')).toEqual(account.workspaces.map((w) => w.id).sort());
    // calls_extensive fills calls too: GET /v2/calls is never needed.
    expect(sim.apiRequests('/v2/calls')).toHaveLength(0);
    expect(rows('calls', 'select id from calls order by id')).toEqual(calls.map((c) => c.record.id).sort());
    expect(rows('calls_extensive', 'select id from calls_extensive order by id')).toEqual(calls.map((c) => c.record.id).sort());

    // Talk time for every speaking party, joined by the participant id (Gong) or speakerId (reference).
    const talk = calls.flatMap((c) => {
      const speakers = (account.extensiveOf(c, DEFAULT_EXPOSED_FIELDS, undefined).interaction as { speakers: Array<{ talkTime: number }> })
        .speakers;
      return c.parties.map((p, i) => `${c.record.id}:${p.id}:${speakers[i]!.talkTime}`);
    });
    checked.add('call_parties');
    const storedTalk = query<{ call_id: string; id: string; talk_time: number }>(db, 'select call_id, id, talk_time from call_parties');
    expect(storedTalk.map((r) => `${r.call_id}:${r.id}:${r.talk_time}`).sort()).toEqual(talk.sort());
    expect(Number(column(db, 'select count(*) from call_parties where talk_time is null')[0])).toBe(0);
    expect(Number(rows('call_trackers', 'select count(*) from call_trackers')[0])).toBe(calls.length * 4);

    const transcribed = calls.filter((c) => c.transcriptReady);
    expect(rows('call_transcripts', 'select call_id from call_transcripts order by 1')).toEqual(transcribed.map((c) => c.record.id).sort());
    expect(Number(rows('transcript_sentences', 'select count(*) from transcript_sentences')[0])).toBe(
      transcribed.reduce((n, c) => n + c.sentences, 0),
    );

    // Stats: per user and calendar month (aggregate, interaction), per user and day (day by day).
    const months = monthWindows(start, today);
    const aggregate = months.flatMap(([from, to]) =>
      aggregateActivity(account, from, to).map((r) => `${r.userId}|${from}|${to}|${r.userAggregateActivityStats.callsAsHost}`),
    );
    expect(
      rows(
        'stats_activity_aggregate',
        "select user_id || '|' || from_date || '|' || to_date || '|' || calls_as_host from stats_activity_aggregate order by 1",
      ),
    ).toEqual(aggregate.sort());
    const daily = dayByDayActivity(account, start, today).flatMap((u) =>
      u.userDailyActivityStats.map((d) => `${u.userId}|${d.fromDate.slice(0, 10)}|${d.callsAsHost.length}`),
    );
    expect(
      rows(
        'stats_activity_day_by_day',
        "select user_id || '|' || date || '|' || json_array_length(calls_as_host) from stats_activity_day_by_day order by 1",
      ),
    ).toEqual(daily.sort());
    const interaction = months.flatMap(([from, to]) =>
      interactionStats(account, from, to).flatMap((u) => u.personInteractionStats.map((s) => `${u.userId}|${from}|${s.name}|${s.value}`)),
    );
    checked.add('stats_interaction');
    const storedInteraction = query<{ user_id: string; from_date: string; name: string; value: number }>(
      db,
      'select user_id, from_date, name, value from stats_interaction',
    );
    expect(storedInteraction.map((r) => `${r.user_id}|${r.from_date}|${r.name}|${r.value}`).sort()).toEqual(interaction.sort());
    for (const request of sim.apiRequests().filter((r) => r.path.startsWith('/v2/stats/') && r.body?.filter?.toDate)) {
      expect(request.body.filter.toDate <= today).toBe(true);
    }

    // Scorecards: ids sent as bare 19-digit numbers (Gong) or strings (reference) stay exact TEXT.
    const settings = account.scorecardSettings;
    expect(
      rows(
        'settings_scorecards',
        "select scorecard_id || ':' || coalesce(workspace_id, '-') || ':' || updater_user_id from settings_scorecards order by 1",
      ),
    ).toEqual(settings.map((s) => `${s.scorecardId}:${s.workspaceId ?? '-'}:${s.updaterUserId}`).sort());
    expect(
      rows(
        'scorecard_questions',
        "select scorecard_id || ':' || question_id || ':' || coalesce(min_range, '') from scorecard_questions order by 1",
      ),
    ).toEqual(
      settings
        .flatMap((s) =>
          (s.questions as Array<{ questionId: string; minRange: string | null }>).map(
            (q) => `${s.scorecardId}:${q.questionId}:${q.minRange ?? ''}`,
          ),
        )
        .sort(),
    );
    const startMs = Date.parse(`${start}T00:00:00Z`);
    const answered = account.answeredScorecards.filter((s) => s.reviewMs >= startMs && account.getCall(s.callId)!.visible);
    expect(answered.every((s) => !Number.isSafeInteger(Number(s.record.answeredScorecardId)))).toBe(true);
    expect(
      rows(
        'stats_activity_scorecards',
        "select answered_scorecard_id || ':' || call_id || ':' || reviewed_user_id || ':' || typeof(answered_scorecard_id) from stats_activity_scorecards order by 1",
      ),
    ).toEqual(answered.map((s) => `${s.record.answeredScorecardId}:${s.callId}:${s.record.reviewedUserId}:text`).sort());
    expect(Number(rows('scorecard_answers', 'select count(*) from scorecard_answers')[0])).toBe(
      answered.reduce((n, s) => n + (s.record.answers as unknown[]).length, 0),
    );
    // The score views use: Gong's shape has no overallScore, so the overall question's answer counts.
    const expectedScore = (s: (typeof answered)[number]) =>
      shapes === 'reference'
        ? Number(s.record.overallScore)
        : Number((s.record.answers as Array<{ isOverall: boolean; score: number }>).find((a) => a.isOverall)!.score);
    const scores = query<{ id: string; score: number }>(db, 'select answered_scorecard_id id, score from answered_scorecard_scores');
    expect(scores.map((r) => `${r.id}:${r.score}`).sort()).toEqual(
      answered.map((s) => `${s.record.answeredScorecardId}:${expectedScore(s)}`).sort(),
    );
    const withScore = query<{ n: number }>(db, 'select count(*) n from call_summary where scorecards > 0 and average_score is not null')[0]!
      .n;
    const storedCalls = new Set(calls.map((c) => c.record.id));
    expect(withScore).toBe(new Set(answered.filter((s) => storedCalls.has(s.callId)).map((s) => s.callId)).size);
    expect(
      query<{ n: number }>(db, 'select count(*) n from rep_weekly_activity where scorecards_received > 0 and average_score is null')[0]!.n,
    ).toBe(0);

    // Settings and library.
    expect(
      rows('settings_trackers', "select tracker_id || ':' || coalesce(said_in_call_parts, '-') from settings_trackers order by 1"),
    ).toEqual(account.trackers.map((t) => `${t.trackerId}:${shapes === 'gong' ? JSON.stringify(t.saidInCallParts) : '-'}`).sort());
    expect(rows('library_folders', 'select id from library_folders order by 1')).toEqual(
      account.folders.map((f) => String(f.folder.id)).sort(),
    );
    // Gong's shape: one row per clip (a call filed twice is two rows); the reference's: one per call.
    const entries = account.folders.flatMap((f) =>
      shapes === 'gong'
        ? clipsOf(f.callIds).map(({ id, clip }) => {
            const e = folderEntry(String(f.folder.id), account.getCall(id)!, account.users, clip);
            return [f.folder.id, id, e.note ?? '', e.addedBy, e.created, e.snippet?.fromSec ?? '', e.snippet?.toSec ?? ''].join('|');
          })
        : [...new Set(f.callIds)].map((id) => [f.folder.id, id, '', '', '', '', ''].join('|')),
    );
    expect(account.folders.some((f) => new Set(f.callIds).size < f.callIds.length)).toBe(true);
    expect(
      rows(
        'library_folder_content',
        "select folder_id || '|' || call_id || '|' || coalesce(note, '') || '|' || coalesce(added_by, '') || '|' || coalesce(created, '') || '|' || coalesce(snippet_from_sec, '') || '|' || coalesce(snippet_to_sec, '') from library_folder_content order by 1",
      ),
    ).toEqual(entries.sort());
    // Gong answers a folder in one piece; the reference's shape pages the 130-call folder.
    expect(sim.apiRequests('/v2/library/folder-content').filter((r) => r.query.cursor).length > 0).toBe(shapes === 'reference');

    // Coaching: every workspace x manager x month; a row per direct report (and the manager in the reference's shape).
    const managers = account.users.filter((u) => account.users.some((r) => r.managerId === u.id));
    const coachingRequests = sim.apiRequests('/v2/coaching');
    expect(coachingRequests.length).toBe(account.workspaces.length * managers.length * months.length);
    const expectedCoaching: string[] = [];
    const expectedMetrics: string[] = [];
    for (const r of coachingRequests) {
      const { 'workspace-id': workspaceId, 'manager-id': managerId, from, to } = r.query as Record<string, string>;
      const key = (userId: string) => `${workspaceId}|${managerId}|${userId}|${from}`;
      if (shapes === 'gong') {
        for (const item of gongCoaching(account, managerId, from, to)[0]!.directReportsMetrics) {
          expectedCoaching.push(key(item.report.id));
          for (const [name, ids] of Object.entries(item.metrics))
            expectedMetrics.push(`${key(item.report.id)}|${name}|${ids.length}|${JSON.stringify(ids)}`);
        }
      } else {
        for (const c of coachingData(account, managerId, from, to)) {
          expectedCoaching.push(key(c.userId));
          for (const [name, count] of Object.entries(c.coachingMetrics)) expectedMetrics.push(`${key(c.userId)}|${name}|${count}|`);
        }
      }
    }
    expect(
      rows('coaching', "select workspace_id || '|' || manager_id || '|' || user_id || '|' || from_date from coaching order by 1"),
    ).toEqual(expectedCoaching.sort());
    expect(
      rows(
        'coaching_metrics',
        "select workspace_id || '|' || manager_id || '|' || user_id || '|' || from_date || '|' || metric || '|' || call_count || '|' || coalesce(call_ids, '') from coaching_metrics order by 1",
      ),
    ).toEqual(expectedMetrics.sort());
    // Every manager with reports has coaching rows in every workspace.
    expect(column(db, "select distinct workspace_id || ':' || manager_id from coaching order by 1")).toEqual(
      account.workspaces.flatMap((w) => managers.map((m) => `${w.id}:${m.id}`)).sort(),
    );
    // The reference's five counts stay columns when a metric of that name arrives.
    expect(Number(column(db, 'select count(*) from coaching where calls_listened is null')[0])).toBe(0);

    // Call outcome definitions, all of them (Gong's 2026 spec; the same in both shapes).
    expect(
      rows(
        'call_outcomes',
        "select call_outcome || ':' || display_order || ':' || connect_status || ':' || sentiment from call_outcomes order by 1",
      ),
    ).toEqual(CALL_OUTCOMES.map((o) => `${o.callOutcome}:${o.displayOrder}:${o.connectStatus}:${o.sentiment}`).sort());

    expect([...checked].sort()).toEqual([...STREAM_TABLES].sort());
  });
});

describe('choosing the simulator shapes', () => {
  it("answers in Gong's shapes unless GONG_SIMULATOR_SHAPES (or the shapes option) says reference", () => {
    expect(shapesFromEnv({})).toBe('gong');
    expect(shapesFromEnv({ GONG_SIMULATOR_SHAPES: 'reference' })).toBe('reference');
    expect(shapesFromEnv({ GONG_SIMULATOR_SHAPES: ' Gong ' })).toBe('gong');
    expect(() => shapesFromEnv({ GONG_SIMULATOR_SHAPES: 'airbyte' })).toThrow(
      /GONG_SIMULATOR_SHAPES must be "gong" or "reference", not "airbyte"/,
    );
  });

  it('gong-sync demo answers in the reference shapes when GONG_SIMULATOR_SHAPES=reference', async () => {
    const db = path.join(tempDir(), 'reference.db');
    const result = await runCli(['demo', '--calls', '30', '--db', db], { GONG_SIMULATOR_SHAPES: 'reference', GONG_LOG_FORMAT: 'json' });
    expect(result.code, result.stderr).toBe(0);
    // Only Gong's shape carries folder notes; only the reference's has the manager's own coaching row.
    expect(column(db, 'select count(*) from library_folder_content where added_by is not null')).toEqual(['0']);
    expect(Number(column(db, 'select count(*) from library_folder_content')[0])).toBeGreaterThan(0);
    expect(Number(column(db, 'select count(*) from coaching where is_manager = 1')[0])).toBeGreaterThan(0);
  });
});

describe('every entity of the reference', () => {
  it('re-reads the current month of stats in place, and removes library rows Gong no longer has', async () => {
    const sim = await startSimulator({ calls: 150, days: 100 });
    const { db, start } = await syncAll(sim);
    const before = Number(column(db, 'select count(*) from stats_activity_aggregate')[0]);
    const folder = sim.account.folders[0]!;
    const removedCall = folder.callIds.pop()!;
    const removedFolder = sim.account.folders.pop()!;
    sim.clearLog();
    const env = simEnv(sim, db, { GONG_START_DATE: start });
    const again = await runCli(['sync'], env);
    expect(again.code).toBe(0);
    // Slow-changing streams were refreshed minutes ago: skipped.
    expect(sim.apiRequests('/v2/library/folders')).toHaveLength(0);
    expect(sim.apiRequests('/v2/settings/trackers')).toHaveLength(0);
    // The same month windows, replaced, not added to.
    expect(Number(column(db, 'select count(*) from stats_activity_aggregate')[0])).toBe(before);

    const forced = await runCli(['sync', '--force-refresh', '--streams', 'library_folders,library_folder_content'], env);
    expect(forced.code).toBe(0);
    expect(
      column(db, `select count(*) from library_folder_content where folder_id = '${folder.folder.id}' and call_id = '${removedCall}'`),
    ).toEqual(['0']);
    expect(column(db, `select count(*) from library_folders where id = '${removedFolder.folder.id}'`)).toEqual(['0']);
    expect(column(db, `select count(*) from library_folder_content where folder_id = '${removedFolder.folder.id}'`)).toEqual(['0']);
    expect(Number(column(db, 'select count(*) from library_folder_content')[0])).toBe(
      sim.account.folders.reduce((n, f) => n + f.callIds.length, 0),
    );
  });

  it('leaves private calls out when GONG_INCLUDE_PRIVATE_CALLS=false', async () => {
    const sim = await startSimulator({ calls: 200, days: 100 });
    const { db, result } = await syncAll(sim, { GONG_INCLUDE_PRIVATE_CALLS: 'false' });
    expect(result.code).toBe(0);
    const privateIds = sim.account
      .visibleCalls()
      .filter((c) => c.record.isPrivate)
      .map((c) => c.record.id);
    expect(privateIds.length).toBeGreaterThan(0);
    const stored = new Set(column(db, 'select id from calls'));
    const transcripts = new Set(column(db, 'select call_id from call_transcripts'));
    for (const id of privateIds) {
      expect(stored.has(id)).toBe(false);
      expect(transcripts.has(id)).toBe(false);
    }
    expect(stored.size).toBe(200 - privateIds.length);
  });

  it('rejects a record it cannot store, reports its id, and stores the others', async () => {
    const sim = await startSimulator({ calls: 50, days: 30 });
    const broken = sim.account.users[3]!;
    (broken as { id: unknown }).id = null;
    const { db, result } = await syncAll(sim);
    expect(result.code).toBe(0);
    expect(Number(column(db, 'select count(*) from users')[0])).toBe(sim.account.users.length - 1);
    // The same broken user also shows up in other streams' records (stats); users reports it once.
    const rejected = query<{ stream: string; reason: string; raw: string }>(
      db,
      "select stream, reason, raw from _rejected_records where stream = 'users'",
    );
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.stream).toBe('users');
    expect(rejected[0]!.reason).toBe('record has no id');
    expect(JSON.parse(rejected[0]!.raw).emailAddress).toBe(broken.emailAddress);
    expect(result.stdout).toMatch(/users .* 1 rejected/);
  });
});
