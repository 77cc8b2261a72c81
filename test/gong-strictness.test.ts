/**
 * The simulator is as strict as Gong where Gong is strict ("Beyond the spec" and Gong's 2026 spec,
 * reference/GONG-API.md), and gong-sync copes: each test here fails when the product ignores the
 * behaviour it names (e.g. drop `reviewMethod: BOTH` from the scorecard stream and the first one
 * goes red).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import BetterSqlite3 from 'better-sqlite3';
import { startSimulator } from './helpers/simulator.js';
import { tempDir } from './helpers/cli.js';
import { column, query } from './helpers/database.js';
import { executeInProcess, syncInProcess } from './helpers/in-process.js';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';
import { pgQuery } from './helpers/postgres-database.js';
import type { GongSimulator } from '../src/simulator/server.js';
import type { ListResult } from '../src/api/gong.js';

const DAY = 86_400_000;
const AUTH = `Basic ${Buffer.from('demo-access-key:demo-access-secret').toString('base64')}`;

async function post(sim: GongSimulator, url: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${sim.url}${url}`, { method: 'POST', headers: { authorization: AUTH, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, json: JSON.parse(await response.text()) };
}

/** Answered scorecards of the account reviewed on or after `start`, as `id:method`. */
function answeredSince(sim: GongSimulator, start: string): string[] {
  const from = Date.parse(`${start}T00:00:00Z`);
  return sim.account.answeredScorecards.filter((s) => s.reviewMs >= from).map((s) => `${s.record.answeredScorecardId}:${s.record.reviewMethod}`).sort();
}

describe('answered scorecards: Gong answers manual reviews only unless asked for both', () => {
  it('the simulator, like Gong, leaves automatic reviews out when reviewMethod is absent, and refuses an unknown one', async () => {
    const sim = await startSimulator({ calls: 120, days: 60 });
    const all = sim.account.answeredScorecards;
    const manual = all.filter((s) => s.record.reviewMethod === 'MANUAL').length;
    expect(manual).toBeGreaterThan(0);
    expect(all.length - manual).toBeGreaterThan(0);
    const count = async (filter: Record<string, unknown>) => (await post(sim, '/v2/stats/activity/scorecards', { filter })).json.records.totalRecords;
    expect(await count({})).toBe(manual);
    expect(await count({ reviewMethod: 'MANUAL' })).toBe(manual);
    expect(await count({ reviewMethod: 'AUTOMATIC' })).toBe(all.length - manual);
    expect(await count({ reviewMethod: 'BOTH' })).toBe(all.length);
    expect((await post(sim, '/v2/stats/activity/scorecards', { filter: { reviewMethod: 'both' } })).status).toBe(400);
  });

  it.each(['gong', 'reference'] as const)('a sync stores manual and automatic reviews alike (%s shapes, SQLite)', async (shapes) => {
    const sim = await startSimulator({ calls: 150, days: 60, shapes });
    const db = path.join(tempDir(), 'gong.db');
    const start = new Date(Date.now() - 60 * DAY).toISOString().slice(0, 10);
    await syncInProcess(sim, db, { streams: ['stats_activity_scorecards'], env: { GONG_START_DATE: start } });
    const stored = column(db, "select answered_scorecard_id || ':' || review_method from stats_activity_scorecards order by 1");
    expect(stored.some((s) => s.endsWith(':AUTOMATIC'))).toBe(true);
    expect(stored).toEqual(answeredSince(sim, start));
    // Every answer of every review; an automatic review has no reviewer (2026 spec).
    const answers = sim.account.answeredScorecards.filter((s) => s.reviewMs >= Date.parse(`${start}T00:00:00Z`)).reduce((n, s) => n + (s.record.answers as unknown[]).length, 0);
    expect(Number(column(db, 'select count(*) from scorecard_answers')[0])).toBe(answers);
    expect(Number(column(db, "select count(*) from stats_activity_scorecards where review_method = 'AUTOMATIC' and reviewer_user_id is not null")[0])).toBe(0);
    expect(Number(column(db, 'select count(*) from stats_activity_scorecards where editor_user_id is not null')[0])).toBeGreaterThan(0);
    for (const request of sim.apiRequests('/v2/stats/activity/scorecards')) expect(request.body.filter.reviewMethod).toBe('BOTH');
  });

  it('a sync into PostgreSQL stores them too', async () => {
    const sim = await startSimulator({ calls: 120, days: 40 });
    const url = await freshPostgresDatabase('strict_reviews');
    const start = new Date(Date.now() - 40 * DAY).toISOString().slice(0, 10);
    await syncInProcess(sim, url, { streams: ['stats_activity_scorecards'], env: { GONG_START_DATE: start } });
    const rows = await pgQuery<{ k: string }>(url, "select answered_scorecard_id || ':' || review_method as k from stats_activity_scorecards order by 1");
    expect(rows.map((r) => r.k)).toEqual(answeredSince(sim, start));
  });

  it('execute and the library ask for both by default, and take another method when asked', async () => {
    const sim = await startSimulator({ calls: 120, days: 40 });
    const db = path.join(tempDir(), 'gong.db');
    const both = (await executeInProcess(sim, db, 'stats_activity_scorecards', 'list')) as ListResult;
    expect(both.pagination.totalRecords).toBe(sim.account.answeredScorecards.length);
    const automatic = (await executeInProcess(sim, db, 'stats_activity_scorecards', 'list', { filter: { reviewMethod: 'AUTOMATIC' } })) as ListResult;
    expect(automatic.records.map((r) => r.reviewMethod)).toEqual(automatic.records.map(() => 'AUTOMATIC'));
    expect(automatic.pagination.totalRecords).toBe(sim.account.answeredScorecards.filter((s) => s.record.reviewMethod === 'AUTOMATIC').length);
    expect(sim.apiRequests('/v2/stats/activity/scorecards').map((r) => r.body.filter.reviewMethod)).toEqual(['BOTH', 'AUTOMATIC']);
    await expect(executeInProcess(sim, db, 'stats_activity_scorecards', 'list', { filter: { reviewMethod: 'ALL' } })).rejects.toThrow(
      /filter.reviewMethod" must be one of AUTOMATIC, MANUAL, BOTH/,
    );
  });

  it('a database synced before the fix gets the automatic reviews on its next run, without a manual re-sync', async () => {
    const sim = await startSimulator({ calls: 150, days: 60 });
    const db = path.join(tempDir(), 'gong.db');
    const start = new Date(Date.now() - 60 * DAY).toISOString().slice(0, 10);
    await syncInProcess(sim, db, { streams: ['stats_activity_scorecards'], env: { GONG_START_DATE: start } });
    // Make it a database of the previous version: automatic reviews missing, bookmark at the end,
    // migration 2026-12-03-0007 not yet applied.
    const file = new BetterSqlite3(db);
    file.exec("delete from scorecard_answers where answered_scorecard_id in (select answered_scorecard_id from stats_activity_scorecards where review_method = 'AUTOMATIC')");
    file.exec("delete from stats_activity_scorecards where review_method = 'AUTOMATIC'");
    file.exec("delete from kysely_migration where name = '2026-12-03-0007-reread-automatic-reviews'");
    file.close();
    const bookmark = column(db, "select bookmark from _sync_state where stream = 'stats_activity_scorecards'")[0];
    expect(bookmark).toBeTruthy();
    sim.clearLog();
    await syncInProcess(sim, db, { streams: ['stats_activity_scorecards'], env: { GONG_START_DATE: start } });
    // The whole range was read again (not just the week of look-back), and nothing is missing now.
    expect(sim.apiRequests('/v2/stats/activity/scorecards')[0]!.body.filter.reviewFromDate).toBe(start);
    expect(column(db, "select answered_scorecard_id || ':' || review_method from stats_activity_scorecards order by 1")).toEqual(answeredSince(sim, start));
    expect(query(db, "select name from kysely_migration where name like '2026-12-03-0007%'")).toHaveLength(1);
  });
});
