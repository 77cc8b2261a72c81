import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { runCli, simEnv, tempDir } from './helpers/cli.js';
import { column, query } from './helpers/database.js';
import { aggregateActivity, coachingData, dayByDayActivity, interactionStats } from '../src/simulator/stats.js';
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

describe('every entity of the reference', () => {
  it('a sync of all streams loads exactly what the simulated account holds, entity by entity', async () => {
    const sim = await startSimulator({ calls: 260, days: 100 });
    const { db, start, result } = await syncAll(sim);
    expect(result.stderr).not.toMatch(/"level":"error"/);
    expect(result.code).toBe(0);
    const account = sim.account;
    const calls = account.visibleCalls();
    const today = new Date().toISOString().slice(0, 10);

    // calls_extensive fills calls too: GET /v2/calls is never needed.
    expect(sim.apiRequests('/v2/calls')).toHaveLength(0);
    expect(column(db, 'select id from calls order by id')).toEqual(calls.map((c) => c.record.id).sort());
    expect(column(db, 'select id from calls_extensive order by id')).toEqual(calls.map((c) => c.record.id).sort());
    expect(column(db, "select call_id || ':' || id from call_parties order by 1")).toEqual(
      calls.flatMap((c) => c.parties.map((p) => `${c.record.id}:${p.id}`)).sort(),
    );
    expect(Number(column(db, 'select count(*) from call_tracker_hits')[0])).toBe(calls.length * 4);
    expect(Number(column(db, 'select count(*) from call_parties where talk_time is null')[0])).toBe(0);
    const brief = query<{ brief: string }>(db, 'select brief from calls_extensive where id = ?', calls[3]!.record.id)[0]!.brief;
    expect(brief).toMatch(/^Discussed .* with \d participants\.$/);

    // Stats: per user and calendar month (aggregate, interaction), per user and day (day by day).
    const months = monthWindows(start, today);
    const aggregate = months.flatMap(([from, to]) => aggregateActivity(account, from, to).map((r) => `${r.userId}|${from}|${to}|${r.userAggregateActivityStats.callsAsHost}`));
    expect(column(db, "select user_id || '|' || from_date || '|' || to_date || '|' || calls_as_host from stats_activity_aggregate order by 1")).toEqual(aggregate.sort());
    const daily = dayByDayActivity(account, start, today).flatMap((u) => u.userDailyActivityStats.map((d) => `${u.userId}|${d.fromDate.slice(0, 10)}|${d.callsAsHost.length}`));
    expect(column(db, "select user_id || '|' || date || '|' || json_array_length(calls_as_host) from stats_activity_day_by_day order by 1")).toEqual(daily.sort());
    const interaction = months.flatMap(([from, to]) => interactionStats(account, from, to).flatMap((u) => u.personInteractionStats.map((s) => `${u.userId}|${from}|${s.name}|${s.value}`)));
    const storedInteraction = query<{ user_id: string; from_date: string; name: string; value: number }>(db, 'select user_id, from_date, name, value from stats_interaction');
    expect(storedInteraction.map((r) => `${r.user_id}|${r.from_date}|${r.name}|${r.value}`).sort()).toEqual(interaction.sort());
    for (const request of sim.apiRequests().filter((r) => r.path.startsWith('/v2/stats/') && r.body?.filter?.toDate)) {
      expect(request.body.filter.toDate <= today).toBe(true);
    }

    // Settings and library.
    expect(column(db, 'select tracker_id from settings_trackers order by 1')).toEqual(account.trackers.map((t) => String(t.trackerId)).sort());
    expect(column(db, 'select id from library_folders order by 1')).toEqual(account.folders.map((f) => String(f.folder.id)).sort());
    expect(column(db, "select folder_id || ':' || call_id from library_folder_content order by 1")).toEqual(
      account.folders.flatMap((f) => f.callIds.map((id) => `${f.folder.id}:${id}`)).sort(),
    );
    // The 130-call folder needed a second page.
    expect(sim.apiRequests('/v2/library/folder-content').filter((r) => r.query.cursor).length).toBeGreaterThan(0);

    // Coaching: every workspace x manager x month.
    const managers = account.users.filter((u) => account.users.some((r) => r.managerId === u.id));
    const coachingRequests = sim.apiRequests('/v2/coaching');
    expect(coachingRequests.length).toBe(account.workspaces.length * managers.length * months.length);
    const expectedCoaching = coachingRequests.flatMap((r) =>
      coachingData(account, r.query['manager-id']!, r.query.from!, r.query.to!).map((c) => `${r.query['workspace-id']}|${r.query['manager-id']}|${c.userId}|${r.query.from}`),
    );
    expect(column(db, "select workspace_id || '|' || manager_id || '|' || user_id || '|' || from_date from coaching order by 1")).toEqual(expectedCoaching.sort());
  });

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
    expect(column(db, `select count(*) from library_folder_content where folder_id = '${folder.folder.id}' and call_id = '${removedCall}'`)).toEqual(['0']);
    expect(column(db, `select count(*) from library_folders where id = '${removedFolder.folder.id}'`)).toEqual(['0']);
    expect(column(db, `select count(*) from library_folder_content where folder_id = '${removedFolder.folder.id}'`)).toEqual(['0']);
    expect(Number(column(db, 'select count(*) from library_folder_content')[0])).toBe(sim.account.folders.reduce((n, f) => n + f.callIds.length, 0));
  });

  it('leaves private calls out when GONG_INCLUDE_PRIVATE_CALLS=false', async () => {
    const sim = await startSimulator({ calls: 200, days: 100 });
    const { db, result } = await syncAll(sim, { GONG_INCLUDE_PRIVATE_CALLS: 'false' });
    expect(result.code).toBe(0);
    const privateIds = sim.account.visibleCalls().filter((c) => c.record.isPrivate).map((c) => c.record.id);
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
    const rejected = query<{ stream: string; reason: string; raw: string }>(db, "select stream, reason, raw from _rejected_records where stream = 'users'");
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.stream).toBe('users');
    expect(rejected[0]!.reason).toBe('record has no id');
    expect(JSON.parse(rejected[0]!.raw).emailAddress).toBe(broken.emailAddress);
    expect(result.stdout).toMatch(/users .* 1 rejected/);
  });
});
