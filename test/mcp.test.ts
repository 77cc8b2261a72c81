import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it, afterEach, onTestFailed } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startSimulator } from './helpers/simulator.js';
import { simEnv, tempDir } from './helpers/cli.js';
import { callTool as call, mcpInProcess, syncInProcess } from './helpers/mcp-in-process.js';
import { column, query } from './helpers/database.js';
import { GongSimulator } from '../src/simulator/server.js';
import { DEFAULT_EXPOSED_FIELDS } from '../streams/calls-extensive.js';

const BIN = path.resolve(__dirname, '../bin/gong-sync.js');
const DAY_MS = 86_400_000;
const open: Client[] = [];

afterEach(async () => {
  while (open.length > 0) await open.pop()!.close();
});

/** The server in this process (the process boundary is the subject of the first test and of mcp-stdio.test.ts only). */
async function connectHere(env: Record<string, string | undefined>): Promise<{ client: Client }> {
  return { client: await mcpInProcess(env) };
}

/** The SDK's own client, talking to `gong-sync mcp` over stdio. */
async function connect(env: Record<string, string | undefined>): Promise<{ client: Client; stderr: () => string }> {
  const defined = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp'], env: defined, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (d) => (stderr += d));
  // A failing test shows what the server said on stderr (its logs, or why it stopped).
  onTestFailed(() => console.error(`gong-sync mcp stderr:\n${stderr.slice(-4000)}`));
  const client = new Client({ name: 'gong-sync-test', version: '1.0.0' });
  await client.connect(transport);
  open.push(client);
  return { client, stderr: () => stderr };
}

/** Every record of a list tool, following pagination.cursor; the source of each page. */
async function allPages(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ records: unknown[]; sources: string[]; syncedAt: unknown }> {
  const records: unknown[] = [];
  const sources: string[] = [];
  let syncedAt: unknown;
  let cursor: string | undefined;
  for (let page = 0; page < 200; page++) {
    const answer = await call(client, name, cursor ? { ...args, cursor } : args);
    expect(answer.isError, `${name} ${JSON.stringify(args)}: ${answer.text.slice(0, 400)}`).toBe(false);
    // Every answer is bounded; the rest comes with the cursor.
    expect(answer.text.length).toBeLessThan(210_000);
    records.push(...answer.json.records);
    sources.push(answer.json.source);
    syncedAt ??= answer.json.synced_at;
    cursor = answer.json.pagination.cursor;
    if (!cursor) return { records, sources, syncedAt };
  }
  throw new Error(`${name}: more than 200 pages`);
}

const iso = (ms: number) => new Date(ms).toISOString().replace('.000', '');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const SYNC_SELECTOR = { context: 'Extended', exposedFields: DEFAULT_EXPOSED_FIELDS };

const REFERENCE_TOOLS = [
  'users_list',
  'users_get',
  'calls_list',
  'calls_get',
  'calls_extensive_list',
  'call_transcripts_list',
  'workspaces_list',
  'stats_activity_aggregate_list',
  'stats_activity_day_by_day_list',
  'stats_interaction_list',
  'settings_scorecards_list',
  'settings_trackers_list',
  'library_folders_list',
  'library_folder_content_list',
  'coaching_list',
  'stats_activity_scorecards_list',
  'call_audio_download',
  'call_video_download',
];

async function syncedCopy(
  options: { startDaysAgo: number; calls?: number; days?: number; shapes?: 'gong' | 'reference' } = { startDaysAgo: 60 },
) {
  const sim = await startSimulator({ calls: options.calls ?? 80, days: options.days ?? 90, shapes: options.shapes });
  const dir = tempDir();
  const db = path.join(dir, 'gong.db');
  const start = Date.now() - options.startDaysAgo * DAY_MS;
  const env = simEnv(sim, db, { GONG_START_DATE: day(start), GONG_MEDIA_DIR: path.join(dir, 'media') });
  await syncInProcess(env);
  return { sim, db, dir, env, start: Date.parse(`${day(start)}T00:00:00Z`) };
}

function bookmark(db: string, stream: string): string {
  return column(db, `select bookmark from _sync_state where stream = '${stream}' and scope = 'incremental' and partition_key = ''`)[0]!;
}

function requestsToday(db: string): number {
  return Number(column(db, `select coalesce(sum(requests), 0) from _request_counts`)[0]);
}

describe('gong-sync mcp', () => {
  it("lists every tool with a JSON schema of the reference's parameters", async () => {
    const sim = await startSimulator({ calls: 5 });
    const { client, stderr } = await connect(simEnv(sim, path.join(tempDir(), 'gong.db')));
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining([...REFERENCE_TOOLS, 'search_transcripts', 'query', 'sync_status', 'check']));
    for (const tool of tools) {
      expect(tool.description!.length, tool.name).toBeGreaterThan(40);
      expect(tool.inputSchema.type).toBe('object');
      expect((tool.inputSchema as { additionalProperties?: boolean }).additionalProperties, tool.name).toBe(false);
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t.inputSchema as any]));
    expect(Object.keys(byName.calls_list.properties)).toEqual(
      expect.arrayContaining(['fromDateTime', 'toDateTime', 'workspaceId', 'cursor', 'live']),
    );
    expect(byName.users_get.required).toEqual(['id']);
    expect(byName.coaching_list.required).toEqual(expect.arrayContaining(['workspace-id', 'manager-id', 'from', 'to']));
    expect(byName.calls_extensive_list.properties.filter.properties.callIds).toMatchObject({
      type: 'array',
      items: { type: 'string' },
      description: expect.any(String),
    });
    expect(byName.calls_extensive_list.properties.filter.additionalProperties).toBe(false);
    expect(byName.call_audio_download.required).toEqual(['filter']);
    expect(byName.search_transcripts.required).toEqual(['query']);
    expect(byName.query.required).toEqual(['sql']);
    // Nothing but the protocol on stdout (the client would have failed on anything else); logs on stderr.
    expect(stderr()).toMatch(/mcp server ready/);
    expect(sim.apiRequests()).toEqual([]);
  });

  it.each(['gong', 'reference'] as const)(
    'after a sync (%s shapes), every list and get answers from the copy with no Gong request, and equals a live call',
    async (shapes) => {
      const { sim, db, env, start } = await syncedCopy({ startDaysAgo: 60, calls: 250, shapes });
      const { client } = await connectHere(env);
      const callsTo = bookmark(db, 'calls_extensive');
      const dayTo = bookmark(db, 'stats_activity_day_by_day');
      const reviewTo = bookmark(db, 'stats_activity_scorecards');
      const from = iso(start + DAY_MS);
      const aggregate = query<{ from_date: string; to_date: string }>(
        db,
        'select distinct from_date, to_date from stats_activity_aggregate order by from_date limit 1',
      )[0]!;
      const interaction = query<{ from_date: string; to_date: string }>(
        db,
        'select distinct from_date, to_date from stats_interaction order by from_date desc limit 1',
      )[0]!;
      // The smallest folder: Gong's folder content comes in one answer, without a cursor.
      const folder = query<{ id: string; workspace_id: string }>(
        db,
        'select f.id, f.workspace_id from library_folders f join library_folder_content c on c.folder_id = f.id group by f.id order by count(*) limit 1',
      )[0]!;
      const someCalls = column(db, 'select call_id from call_transcripts order by call_id limit 5');
      const coaching = query<Record<string, string>>(
        db,
        'select workspace_id, manager_id, from_date, to_date from coaching order by from_date limit 1',
      )[0];
      const user = sim.account.users[3]!;
      const callId = column(db, 'select id from calls order by started desc limit 1')[0]!;

      const lists: Array<[string, Record<string, unknown>]> = [
        ['users_list', {}],
        ['workspaces_list', {}],
        ['calls_list', { fromDateTime: from, toDateTime: callsTo }],
        ['calls_extensive_list', { filter: { fromDateTime: from, toDateTime: callsTo }, contentSelector: SYNC_SELECTOR }],
        ['calls_extensive_list', { filter: { callIds: someCalls }, contentSelector: SYNC_SELECTOR }],
        ['call_transcripts_list', { filter: { callIds: someCalls } }],
        ['call_transcripts_list', { filter: { fromDateTime: from, toDateTime: callsTo } }],
        ['stats_activity_aggregate_list', { filter: { fromDate: aggregate.from_date, toDate: aggregate.to_date } }],
        ['stats_activity_day_by_day_list', { filter: { fromDate: day(start + DAY_MS), toDate: dayTo } }],
        ['stats_interaction_list', { filter: { fromDate: interaction.from_date, toDate: interaction.to_date } }],
        ['settings_scorecards_list', {}],
        ['settings_trackers_list', {}],
        ['call_outcomes_list', {}],
        ['library_folders_list', { workspaceId: folder.workspace_id }],
        ['library_folder_content_list', { folderId: folder.id }],
        ['stats_activity_scorecards_list', { filter: { reviewFromDate: day(start + DAY_MS), reviewToDate: reviewTo } }],
        // One review method: a filter on the copy (the sync reads both).
        [
          'stats_activity_scorecards_list',
          { filter: { reviewFromDate: day(start + DAY_MS), reviewToDate: reviewTo, reviewMethod: 'AUTOMATIC' } },
        ],
        // The reference's own names for the review dates, translated to Gong's.
        [
          'stats_activity_scorecards_list',
          { filter: { fromDateTime: `${day(start + 2 * DAY_MS)}T00:00:00Z`, toDateTime: `${reviewTo}T00:00:00Z` } },
        ],
      ];
      expect(coaching).toBeDefined();
      const coachingArgs = {
        'workspace-id': coaching!.workspace_id,
        'manager-id': coaching!.manager_id,
        from: coaching!.from_date,
        to: coaching!.to_date,
      };
      // Gong's coaching record (one per manager) is stored per report and cannot be rebuilt: it goes live.
      if (shapes === 'reference') lists.push(['coaching_list', coachingArgs]);
      const gets: Array<[string, Record<string, unknown>]> = [
        ['users_get', { id: user.id }],
        ['calls_get', { id: callId }],
      ];

      sim.clearLog();
      const before = requestsToday(db);
      const local: Record<string, unknown[]> = {};
      const pages: Record<string, number> = {};
      for (const [name, args] of lists) {
        const answer = await allPages(client, name, args);
        pages[name] = Math.max(pages[name] ?? 0, answer.sources.length);
        expect(new Set(answer.sources), `${name} ${JSON.stringify(args)}`).toEqual(new Set(['local']));
        expect(typeof answer.syncedAt, name).toBe('string');
        local[name + JSON.stringify(args)] = answer.records;
      }
      const localGets: Record<string, unknown> = {};
      for (const [name, args] of gets) {
        const answer = await call(client, name, args);
        expect(answer.isError, answer.text).toBe(false);
        expect(answer.json.source, name).toBe('local');
        localGets[name] = answer.json.record;
      }
      expect(sim.apiRequests(), 'requests while answering from the copy').toEqual([]);
      // Paged by count (calls: Gong's 100 a page) and by size (transcripts: far more than one answer holds).
      expect(pages.calls_list).toBeGreaterThan(1);
      expect(pages.call_transcripts_list).toBeGreaterThan(2);
      expect(requestsToday(db)).toBe(before);

      // The same calls, live: the same records.
      for (const [name, args] of lists) {
        const live = await allPages(client, name, { ...args, live: true });
        expect(new Set(live.sources), name).toEqual(new Set(['live']));
        const mine = local[name + JSON.stringify(args)]!;
        expect(mine.length, `${name} ${JSON.stringify(args)} returned nothing to compare`).toBeGreaterThan(0);
        // The same records, in the same order.
        expect(mine, `${name} ${JSON.stringify(args)}`).toEqual(live.records);
      }
      for (const [name, args] of gets) {
        const live = await call(client, name, { ...args, live: true });
        expect(live.json.source).toBe('live');
        expect(localGets[name], name).toEqual(live.json.record);
      }
      expect(sim.apiRequests().length).toBeGreaterThan(0);
      expect(localGets.users_get).toMatchObject({ id: user.id, emailAddress: user.emailAddress });
      if (shapes === 'gong') {
        const coachingAnswer = await call(client, 'coaching_list', coachingArgs);
        expect(coachingAnswer.json.source).toBe('live');
        expect(coachingAnswer.json.records.length).toBeGreaterThan(0);
      }
    },
  );

  it('a request outside the synced range goes live, counts against the budget, and is stored', async () => {
    const { sim, db, env, start } = await syncedCopy({ startDaysAgo: 30 });
    const { client } = await connectHere(env);
    const from = start - 40 * DAY_MS;
    const to = start - 10 * DAY_MS;
    const expected = sim.account
      .visibleCalls()
      .filter((c) => c.startedMs >= from && c.startedMs < to)
      .map((c) => c.record.id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(column(db, 'select id from calls').filter((id) => expected.includes(id))).toEqual([]);

    sim.clearLog();
    const before = requestsToday(db);
    const answer = await allPages(client, 'calls_list', { fromDateTime: iso(from), toDateTime: iso(to) });
    expect(new Set(answer.sources)).toEqual(new Set(['live']));
    expect((answer.records as Array<{ id: string }>).map((c) => c.id).sort()).toEqual(expected);
    expect(sim.apiRequests('/v2/calls').length).toBeGreaterThan(0);
    expect(requestsToday(db)).toBe(before + sim.apiRequests().length);
    expect(
      column(db, 'select id from calls')
        .filter((id) => expected.includes(id))
        .sort(),
    ).toEqual(expected);

    // A get of a call the copy lacks goes live too, and is stored: the next one is local.
    const olderCall = sim.account.visibleCalls().find((c) => c.startedMs < from)!;
    const first = await call(client, 'calls_get', { id: olderCall.record.id });
    expect(first.json).toMatchObject({ source: 'live', record: { id: olderCall.record.id }, stored: { rows: 1 } });
    const again = await call(client, 'calls_get', { id: olderCall.record.id });
    expect(again.json.source).toBe('local');
    expect(again.json.record).toEqual(first.json.record);

    // While another gong-sync holds the write lock, live answers are still given but not stored.
    const writer = new BetterSqlite3(db);
    const now = new Date().toISOString();
    // Another live process (the test runner's parent) holds it: the server runs in this one.
    writer
      .prepare("insert into _lock (name, holder_pid, holder_host, command, acquired_at, heartbeat_at) values ('sync', ?, ?, 'sync', ?, ?)")
      .run(process.ppid, os.hostname(), now, now);
    const lockedCall = sim.account.visibleCalls().filter((c) => c.startedMs < from)[1]!;
    const whileLocked = await call(client, 'calls_get', { id: lockedCall.record.id });
    expect(whileLocked.json.source).toBe('live');
    expect(whileLocked.json.stored.skipped).toMatch(/another gong-sync is writing/);
    expect(column(db, 'select id from calls where id = ?'.replace('?', `'${lockedCall.record.id}'`))).toEqual([]);
    expect(query(db, 'select holder_pid from _lock')).toEqual([{ holder_pid: process.ppid }]);
    writer.prepare('delete from _lock').run();
    writer.close();

    // The budget the server reports is the one every command counts against.
    const status = await call(client, 'sync_status');
    expect(status.json.requestsToday.used).toBe(requestsToday(db));
  });

  it('downloads media only under the media directory, once; check tells good credentials from bad without showing them', async () => {
    const { sim, db, dir, env } = await syncedCopy({ startDaysAgo: 20, calls: 30, days: 30 });
    const { client } = await connectHere(env);
    const callId = column(db, 'select id from calls order by id limit 1')[0]!;
    const size = GongSimulator.mediaSize(callId, 'audio');
    const first = await call(client, 'call_audio_download', { filter: { callIds: [callId] } });
    expect(first.isError, first.text).toBe(false);
    expect(first.json).toMatchObject({ source: 'live', path: path.join(dir, 'media', `${callId}.mp3`), bytes: size });
    expect(createHash('sha256').update(fs.readFileSync(first.json.path)).digest('hex')).toBe(first.json.sha256);
    sim.clearLog();
    const second = await call(client, 'call_audio_download', { filter: { callIds: [callId] } });
    expect(second.json).toMatchObject({ source: 'local', path: first.json.path, sha256: first.json.sha256 });
    expect(sim.apiRequests()).toEqual([]);
    expect(query(db, 'select kind, bytes, sha256 from call_media where call_id = ?', callId)).toEqual([
      { kind: 'audio', bytes: size, sha256: first.json.sha256 },
    ]);

    const good = await call(client, 'check');
    expect(good.json).toMatchObject({ ok: true, credentialsAccepted: true });
    await client.close();
    const secret = 'wrong-secret-value-1234';
    const { client: badClient } = await connectHere({ ...env, GONG_ACCESS_KEY_SECRET: secret });
    const bad = await call(badClient, 'check');
    expect(bad.json.ok).toBe(false);
    expect(bad.json.problem).toMatch(/credentials/i);
    expect(bad.text).not.toContain(secret);
    // Local answers need no accepted credentials.
    expect((await call(badClient, 'users_list')).json.source).toBe('local');
  });

  it('search_transcripts finds a phrase an external party said, with the speaker name and second', async () => {
    const { sim, db, env } = await syncedCopy();
    const { client } = await connectHere(env);
    const stored = new Set(column(db, 'select call_id from call_transcripts'));
    const call0 = sim.account.visibleCalls().find((c) => stored.has(c.record.id) && c.parties.some((p) => p.affiliation === 'External'))!;
    const external = call0.parties.find((p) => p.affiliation === 'External')!;
    const transcript = sim.account.transcriptOf(call0);
    const segment = transcript.transcript.find((s) => s.speakerId === external.speakerId)!;
    const sentence = segment.sentences.find((s) => s.text.split(' ').length >= 4) ?? segment.sentences[0]!;
    const phrase = sentence.text.replace(/[.]$/, '');
    const answer = await call(client, 'search_transcripts', { query: `"${phrase}"`, affiliation: 'External', callId: call0.record.id });
    expect(answer.isError, answer.text).toBe(false);
    const match = answer.json.matches.find((m: any) => m.text === sentence.text);
    expect(match).toMatchObject({
      callId: call0.record.id,
      callTitle: call0.record.title,
      speakerName: external.name,
      affiliation: 'External',
      second: Math.floor(sentence.start / 1000),
    });
    const internalOnly = await call(client, 'search_transcripts', {
      query: `"${phrase}"`,
      affiliation: 'Internal',
      callId: call0.record.id,
    });
    expect(internalOnly.json.matches.filter((m: any) => m.text === sentence.text && m.speakerName === external.name)).toEqual([]);
  });

  it('query refuses writes, and bad parameters are tool errors that leave the server running', async () => {
    const { sim, db, env } = await syncedCopy({ startDaysAgo: 20, calls: 30, days: 30 });
    const { client } = await connectHere(env);
    const users = column(db, 'select count(*) from users')[0];

    const read = await call(client, 'query', { sql: 'select id, email_address from users order by id', max_rows: 2 });
    expect(read.isError).toBe(false);
    expect(read.json.rows.length).toBe(2);
    expect(read.json.truncated).toBe(true);
    for (const sql of [
      'delete from users',
      'drop table calls',
      "update users set title = 'x'",
      'insert into users(id) values (1)',
      'pragma journal_mode = delete',
      "attach database 'x.db' as x",
    ]) {
      const refused = await call(client, 'query', { sql });
      expect(refused.isError, sql).toBe(true);
    }
    expect(column(db, 'select count(*) from users')[0]).toBe(users);

    sim.clearLog();
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      ['calls_list', { bogus: 1 }, /unknown parameter "bogus"/],
      ['calls_list', { fromDateTime: 5 }, /must be string/],
      ['users_list', { live: 'yes' }, /"live" must be boolean/],
      ['sync_status', { verbose: true }, /unknown parameter "verbose"/],
      ['search_transcripts', { query: 'pricing', limit: 'ten' }, /"limit" must be integer/],
      ['query', { sql: 'select 1', database: 'other.db' }, /unknown parameter "database"/],
      ['users_get', {}, /missing required parameter "id"/],
      ['calls_extensive_list', { filter: { callIds: ['1'], nope: true } }, /unknown parameter "filter.nope"/],
      ['coaching_list', { 'workspace-id': '1' }, /missing required parameter "manager-id"/],
      ['call_audio_download', { filter: { callIds: ['../../etc/passwd'] } }, /callIds must be a list of Gong ids/],
      ['call_audio_download', { filter: { callIds: ['1', '2'] } }, /exactly one call id/],
      ['search_transcripts', { query: '' }, /query/],
      ['query', { sql: 'select 1', max_rows: 100000 }, /max_rows/],
      ['no_such_tool', {}, /Unknown tool/],
    ];
    for (const [name, args, message] of bad) {
      const answer = await call(client, name, args);
      expect(answer.isError, `${name} ${JSON.stringify(args)}`).toBe(true);
      expect(answer.text).toMatch(message);
    }
    expect(sim.apiRequests()).toEqual([]);
    // Still serving.
    expect((await call(client, 'users_list')).json.source).toBe('local');
  });
});
