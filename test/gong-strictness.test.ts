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
import { simEnv, tempDir } from './helpers/cli.js';
import { createMcpApp } from '../src/mcp/mcp-app.js';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/logger.js';
import { column, query } from './helpers/database.js';
import { executeInProcess, syncInProcess } from './helpers/in-process.js';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';
import { pgQuery } from './helpers/postgres-database.js';
import type { GongSimulator } from '../src/simulator/server.js';
import type { ListResult } from '../src/api/gong.js';
import { clipsOf, folderEntry } from '../src/simulator/shapes.js';
import { CALL_OUTCOMES } from '../src/simulator/dataset.js';
import { DEFAULT_EXPOSED_FIELDS } from '../streams/calls-extensive.js';

const DAY = 86_400_000;
const AUTH = `Basic ${Buffer.from('demo-access-key:demo-access-secret').toString('base64')}`;

async function post(sim: GongSimulator, url: string, body: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${sim.url}${url}`, {
    method: 'POST',
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: JSON.parse(await response.text()) };
}

/** Answered scorecards of the account reviewed on or after `start`, as `id:method`. */
function answeredSince(sim: GongSimulator, start: string): string[] {
  const from = Date.parse(`${start}T00:00:00Z`);
  return sim.account.answeredScorecards
    .filter((s) => s.reviewMs >= from)
    .map((s) => `${s.record.answeredScorecardId}:${s.record.reviewMethod}`)
    .sort();
}

describe('answered scorecards: Gong answers manual reviews only unless asked for both', () => {
  it('the simulator, like Gong, leaves automatic reviews out when reviewMethod is absent, and refuses an unknown one', async () => {
    const sim = await startSimulator({ calls: 120, days: 60 });
    const all = sim.account.answeredScorecards;
    const manual = all.filter((s) => s.record.reviewMethod === 'MANUAL').length;
    expect(manual).toBeGreaterThan(0);
    expect(all.length - manual).toBeGreaterThan(0);
    const count = async (filter: Record<string, unknown>) =>
      (await post(sim, '/v2/stats/activity/scorecards', { filter })).json.records.totalRecords;
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
    const answers = sim.account.answeredScorecards
      .filter((s) => s.reviewMs >= Date.parse(`${start}T00:00:00Z`))
      .reduce((n, s) => n + (s.record.answers as unknown[]).length, 0);
    expect(Number(column(db, 'select count(*) from scorecard_answers')[0])).toBe(answers);
    expect(
      Number(
        column(db, "select count(*) from stats_activity_scorecards where review_method = 'AUTOMATIC' and reviewer_user_id is not null")[0],
      ),
    ).toBe(0);
    expect(Number(column(db, 'select count(*) from stats_activity_scorecards where editor_user_id is not null')[0])).toBeGreaterThan(0);
    for (const request of sim.apiRequests('/v2/stats/activity/scorecards')) expect(request.body.filter.reviewMethod).toBe('BOTH');
  });

  it('a sync into PostgreSQL stores them too', async () => {
    const sim = await startSimulator({ calls: 120, days: 40 });
    const url = await freshPostgresDatabase('strict_reviews');
    const start = new Date(Date.now() - 40 * DAY).toISOString().slice(0, 10);
    await syncInProcess(sim, url, { streams: ['stats_activity_scorecards'], env: { GONG_START_DATE: start } });
    const rows = await pgQuery<{ k: string }>(
      url,
      "select answered_scorecard_id || ':' || review_method as k from stats_activity_scorecards order by 1",
    );
    expect(rows.map((r) => r.k)).toEqual(answeredSince(sim, start));
  });

  it('execute and the library ask for both by default, and take another method when asked', async () => {
    const sim = await startSimulator({ calls: 120, days: 40 });
    const db = path.join(tempDir(), 'gong.db');
    const both = (await executeInProcess(sim, db, 'stats_activity_scorecards', 'list')) as ListResult;
    expect(both.pagination.totalRecords).toBe(sim.account.answeredScorecards.length);
    const automatic = (await executeInProcess(sim, db, 'stats_activity_scorecards', 'list', {
      filter: { reviewMethod: 'AUTOMATIC' },
    })) as ListResult;
    expect(automatic.records.map((r) => r.reviewMethod)).toEqual(automatic.records.map(() => 'AUTOMATIC'));
    expect(automatic.pagination.totalRecords).toBe(
      sim.account.answeredScorecards.filter((s) => s.record.reviewMethod === 'AUTOMATIC').length,
    );
    await executeInProcess(sim, db, 'stats_activity_scorecards', 'list', { filter: { reviewMethod: null } });
    expect(sim.apiRequests('/v2/stats/activity/scorecards').map((r) => r.body.filter.reviewMethod)).toEqual(['BOTH', 'AUTOMATIC', 'BOTH']);
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
    file.exec(
      "delete from scorecard_answers where answered_scorecard_id in (select answered_scorecard_id from stats_activity_scorecards where review_method = 'AUTOMATIC')",
    );
    file.exec("delete from stats_activity_scorecards where review_method = 'AUTOMATIC'");
    file.exec("delete from kysely_migration where name = '2026-12-03-0007-reread-automatic-reviews'");
    file.close();
    const bookmark = column(db, "select bookmark from _sync_state where stream = 'stats_activity_scorecards'")[0];
    expect(bookmark).toBeTruthy();
    sim.clearLog();
    await syncInProcess(sim, db, { streams: ['stats_activity_scorecards'], env: { GONG_START_DATE: start } });
    // The whole range was read again (not just the week of look-back; newest window first), and nothing is missing now.
    const froms = sim.apiRequests('/v2/stats/activity/scorecards').map((r) => String(r.body.filter.reviewFromDate));
    expect(froms.sort()[0]).toBe(start);
    expect(column(db, "select answered_scorecard_id || ':' || review_method from stats_activity_scorecards order by 1")).toEqual(
      answeredSince(sim, start),
    );
    expect(query(db, "select name from kysely_migration where name like '2026-12-03-0007%'")).toHaveLength(1);
  });
});

/** Every call-list request's span in days, and whether it had both bounds. */
function spans(sim: GongSimulator, path: '/v2/calls' | '/v2/calls/extensive'): number[] {
  return sim.apiRequests(path).map((r) => {
    const bounds = path === '/v2/calls' ? r.query : (r.body?.filter ?? {});
    expect(bounds.fromDateTime, `${path} without fromDateTime`).toBeDefined();
    expect(bounds.toDateTime, `${path} without toDateTime`).toBeDefined();
    return (Date.parse(bounds.toDateTime) - Date.parse(bounds.fromDateTime)) / DAY;
  });
}

describe('call lists: at most 90 days a request, both bounds always', () => {
  it('the simulator, like Gong, refuses GET /v2/calls over 90 days or without both bounds', async () => {
    const sim = await startSimulator({ calls: 20, days: 200 });
    const get = async (query: Record<string, string>) =>
      (await fetch(`${sim.url}/v2/calls?${new URLSearchParams(query)}`, { headers: { authorization: AUTH } })).status;
    const now = Date.now();
    expect(await get({ fromDateTime: new Date(now - 90 * DAY).toISOString(), toDateTime: new Date(now).toISOString() })).toBe(200);
    expect(await get({ fromDateTime: new Date(now - 91 * DAY).toISOString(), toDateTime: new Date(now).toISOString() })).toBe(400);
    expect(await get({ fromDateTime: new Date(now - 10 * DAY).toISOString() })).toBe(400);
    expect(await get({ toDateTime: new Date(now).toISOString() })).toBe(400);
  });

  it.each(['calls', 'calls_extensive'] as const)(
    'a first sync of 200 days reads %s in windows of at most 90 days and stores every call',
    async (stream) => {
      const sim = await startSimulator({ calls: 160, days: 200 });
      const db = path.join(tempDir(), 'gong.db');
      const start = new Date(Date.now() - 200 * DAY).toISOString().slice(0, 10);
      await syncInProcess(sim, db, { streams: [stream], env: { GONG_START_DATE: start } });
      const days = spans(sim, stream === 'calls' ? '/v2/calls' : '/v2/calls/extensive');
      expect(days.length).toBeGreaterThanOrEqual(3);
      for (const d of days) expect(d).toBeLessThanOrEqual(90);
      expect(column(db, 'select id from calls order by id')).toEqual(
        sim.account
          .visibleCalls()
          .map((c) => c.record.id)
          .sort(),
      );
    },
  );

  it('execute calls list over the last 365 days answers every call of that year, in order, from requests of at most 90 days', async () => {
    const sim = await startSimulator({ calls: 260, days: 365 });
    const db = path.join(tempDir(), 'gong.db');
    const to = new Date().toISOString();
    const from = new Date(Date.now() - 365 * DAY).toISOString();
    const answer = (await executeInProcess(sim, db, 'calls', 'list', { fromDateTime: from, toDateTime: to })) as ListResult;
    const expected = sim.account
      .visibleCalls()
      .filter((c) => c.startedMs >= Date.parse(from))
      .map((c) => c.record.id);
    expect(answer.records.map((c) => c.id)).toEqual(expected);
    expect(answer.pagination).toEqual({ totalRecords: expected.length, currentPageSize: expected.length, currentPageNumber: 0 });
    for (const d of spans(sim, '/v2/calls')) expect(d).toBeLessThanOrEqual(90);
    // Consecutive windows: their first pages cover the year exactly once.
    const firstPages = sim.apiRequests('/v2/calls').filter((r) => !r.query.cursor);
    expect(firstPages.map((r) => r.query.fromDateTime)).toEqual([from, ...firstPages.slice(0, -1).map((r) => r.query.toDateTime)]);
    expect(firstPages.at(-1)!.query.toDateTime).toBe(to);
    // The same for extensive calls, and a cursor makes no sense for an answer that holds everything.
    const extensive = (await executeInProcess(sim, db, 'calls_extensive', 'list', {
      filter: { fromDateTime: from, toDateTime: to },
    })) as ListResult;
    expect(extensive.records.map((c) => (c.metaData as { id: string }).id)).toEqual(expected);
    for (const d of spans(sim, '/v2/calls/extensive')) expect(d).toBeLessThanOrEqual(90);
    await expect(executeInProcess(sim, db, 'calls', 'list', { fromDateTime: from, toDateTime: to, cursor: 'x' })).rejects.toThrow(
      /answered whole, without a cursor/,
    );
  });
});

describe('library folders: a call filed twice is two entries, and a folder comes in one answer', () => {
  it('the simulator, like Gong, answers a folder whole (no records, no cursor) with a call filed twice as two clips', async () => {
    const sim = await startSimulator({ calls: 200, days: 90 });
    const twice = sim.account.folders.find((f) => new Set(f.callIds).size < f.callIds.length)!;
    const big = sim.account.folders.find((f) => f.callIds.length > 100)!;
    const get = async (folderId: unknown) =>
      (await fetch(`${sim.url}/v2/library/folder-content?folderId=${folderId}`, { headers: { authorization: AUTH } })).json();
    const answer = await get(twice.folder.id);
    expect(answer.records).toBeUndefined();
    const ids: string[] = answer.calls.map((c: { id: string }) => c.id);
    const repeated = ids.find((id, i) => ids.indexOf(id) !== i)!;
    const clips = answer.calls.filter((c: { id: string }) => c.id === repeated);
    expect(clips).toHaveLength(2);
    expect(clips[0].created).not.toBe(clips[1].created);
    expect((await get(big.folder.id)).calls).toHaveLength(big.callIds.length);
  });

  it.each(['sqlite', 'postgres'] as const)('a sync keeps both clips, and every entry of a folder over 100 calls (%s)', async (kind) => {
    const sim = await startSimulator({ calls: 200, days: 90 });
    const db = kind === 'sqlite' ? path.join(tempDir(), 'gong.db') : await freshPostgresDatabase('strict_folders');
    await syncInProcess(sim, db, { streams: ['workspaces', 'library_folders', 'library_folder_content'] });
    const sql = "select folder_id || '|' || call_id || '|' || created as k from library_folder_content order by 1";
    const stored = kind === 'sqlite' ? column(db, sql) : (await pgQuery<{ k: string }>(db, sql)).map((r) => r.k);
    const expected = sim.account.folders.flatMap((f) =>
      clipsOf(f.callIds).map(
        ({ id, clip }) =>
          `${f.folder.id}|${id}|${folderEntry(String(f.folder.id), sim.account.getCall(id)!, sim.account.users, clip).created}`,
      ),
    );
    expect(stored).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(new Set(expected.map((e) => e.split('|').slice(0, 2).join('|'))).size);
  });

  it('migration 0008 re-keys a database keyed the old way, and the next refresh stores every clip', async () => {
    const sim = await startSimulator({ calls: 60, days: 60 });
    const db = path.join(tempDir(), 'gong.db');
    // A database of the previous version: folder entries keyed by folder and call, `created` nullable
    // (the table as it is now, other columns included, keyed the old way; 0008 not applied).
    await syncInProcess(sim, db, { streams: ['workspaces', 'library_folders'] });
    const file = new BetterSqlite3(db);
    const columns = file.prepare("select name, type from pragma_table_info('library_folder_content') order by cid").all() as Array<{
      name: string;
      type: string;
    }>;
    const definitions = columns.map(
      (c) => `"${c.name}" ${c.type}${['folder_id', 'call_id', 'raw', 'synced_at'].includes(c.name) ? ' not null' : ''}`,
    );
    file.exec('drop table library_folder_content');
    file.exec(
      `create table library_folder_content (${definitions.join(', ')}, constraint "library_folder_content_pk" primary key ("folder_id", "call_id"))`,
    );
    const folder = sim.account.folders[0]!;
    file
      .prepare(
        "insert into library_folder_content (folder_id, call_id, raw, synced_at, created) values (?, ?, '{}', '2026-01-01T00:00:00Z', null)",
      )
      .run(String(folder.folder.id), folder.callIds[0]);
    file.exec("delete from kysely_migration where name = '2026-12-03-0008-folder-entries-per-clip'");
    file.close();
    await syncInProcess(sim, db, { streams: ['library_folder_content'] });
    const key = query<{ name: string; pk: number }>(
      db,
      "select name, pk from pragma_table_info('library_folder_content') where pk > 0 order by pk",
    ).map((c) => c.name);
    expect(key).toEqual(['folder_id', 'call_id', 'created']);
    expect(Number(column(db, 'select count(*) from library_folder_content')[0])).toBe(
      sim.account.folders.reduce((n, f) => n + f.callIds.length, 0),
    );
  });
});

describe('call outcomes (GET /v2/call-outcomes, Gong 2026 spec)', () => {
  it.each(['sqlite', 'postgres'] as const)(
    'a sync stores every outcome, and call_outcome_details gives each call its outcome (%s)',
    async (kind) => {
      const sim = await startSimulator({ calls: 80, days: 30 });
      const db = kind === 'sqlite' ? path.join(tempDir(), 'gong.db') : await freshPostgresDatabase('strict_outcomes');
      await syncInProcess(sim, db, {
        streams: ['calls_extensive', 'call_outcomes'],
        env: { GONG_START_DATE: new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10) },
      });
      const read = async (sql: string) => (kind === 'sqlite' ? column(db, sql) : (await pgQuery<{ k: string }>(db, sql)).map((r) => r.k));
      expect(
        await read(
          "select call_outcome || ':' || display_order || ':' || connect_status || ':' || sentiment as k from call_outcomes order by 1",
        ),
      ).toEqual(CALL_OUTCOMES.map((o) => `${o.callOutcome}:${o.displayOrder}:${o.connectStatus}:${o.sentiment}`).sort());
      const expected = sim.account.visibleCalls().map((c) => {
        const name = (sim.account.extensiveOf(c, DEFAULT_EXPOSED_FIELDS).content as { callOutcome: { name: string } }).callOutcome.name;
        const outcome = CALL_OUTCOMES.find((o) => o.callOutcome === name)!;
        return `${c.record.id}:${name}:${outcome.connectStatus}:${outcome.sentiment}`;
      });
      expect(
        await read(
          "select call_id || ':' || call_outcome_name || ':' || connect_status || ':' || sentiment as k from call_outcome_details order by 1",
        ),
      ).toEqual(expected.sort());
      // Read at most daily: a second run the same day asks nothing.
      sim.clearLog();
      await syncInProcess(sim, db, { streams: ['call_outcomes'] });
      expect(sim.apiRequests('/v2/call-outcomes')).toHaveLength(0);
    },
  );

  it('execute call_outcomes list answers them as Gong sends them', async () => {
    const sim = await startSimulator({ calls: 10 });
    const answer = (await executeInProcess(sim, path.join(tempDir(), 'gong.db'), 'call_outcomes', 'list')) as ListResult;
    expect(answer.records).toEqual(CALL_OUTCOMES.map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null))));
    await expect(executeInProcess(sim, path.join(tempDir(), 'gong.db'), 'call_outcomes', 'list', { workspaceId: '1' })).rejects.toThrow(
      /Gong takes no parameters here/,
    );
  });
});

describe('deprecated and moved fields (Gong 2026 spec)', () => {
  it("never asks for content.pointsOfInterest, yet stores its action items and trackers' saidInCallParts when a tenant sends them", async () => {
    const sim = await startSimulator({ calls: 40, days: 20 });
    const db = path.join(tempDir(), 'gong.db');
    await syncInProcess(sim, db, {
      streams: ['calls_extensive', 'settings_trackers'],
      env: { GONG_START_DATE: new Date(Date.now() - 20 * DAY).toISOString().slice(0, 10) },
    });
    for (const request of sim.apiRequests('/v2/calls/extensive'))
      expect(request.body.contentSelector.exposedFields.content).not.toHaveProperty('pointsOfInterest');
    // This simulated tenant still sends action items with the brief: one per call.
    expect(Number(column(db, 'select count(distinct call_id) from call_action_items')[0])).toBe(sim.account.visibleCalls().length);
    expect(column(db, "select tracker_id || ':' || said_in_call_parts from settings_trackers order by 1")).toEqual(
      sim.account.trackers.map((t) => `${t.trackerId}:${JSON.stringify(t.saidInCallParts)}`).sort(),
    );
  });
});

describe('MCP live answers', () => {
  it('calls_list over a year is read in 90-day requests and answers every call in order; stats_activity_scorecards_list asks for both review methods', async () => {
    const sim = await startSimulator({ calls: 150, days: 365 });
    const mcp = await createMcpApp(loadConfig(simEnv(sim, path.join(tempDir(), 'gong.db'))), silentLogger);
    try {
      const tool = (name: string) => mcp.tools.find((t) => t.name === name)!;
      const from = new Date(Date.now() - 365 * DAY).toISOString();
      const to = new Date().toISOString();
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const answer = (await tool('calls_list').run({
          fromDateTime: from,
          toDateTime: to,
          live: true,
          ...(cursor ? { cursor } : {}),
        })) as {
          records: Array<{ id: string }>;
          pagination: { cursor?: string };
        };
        ids.push(...answer.records.map((r) => r.id));
        cursor = answer.pagination.cursor;
      } while (cursor);
      expect(ids).toEqual(
        sim.account
          .visibleCalls()
          .filter((c) => c.startedMs >= Date.parse(from))
          .map((c) => c.record.id),
      );
      for (const d of spans(sim, '/v2/calls')) expect(d).toBeLessThanOrEqual(90);

      sim.clearLog();
      const both = (await tool('stats_activity_scorecards_list').run({ live: true })) as { pagination: { totalRecords: number } };
      expect(both.pagination.totalRecords).toBe(sim.account.answeredScorecards.length);
      await tool('stats_activity_scorecards_list').run({ filter: { reviewMethod: 'MANUAL' }, live: true });
      expect(sim.apiRequests('/v2/stats/activity/scorecards').map((r) => r.body.filter.reviewMethod)).toEqual(['BOTH', 'MANUAL']);
    } finally {
      await mcp.close();
    }
  });
});
