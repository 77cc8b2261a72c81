import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { GongSimulator, DEMO_CREDENTIALS } from '../src/simulator/server.js';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';
import { callTool, mcpInProcess, syncInProcess } from './helpers/mcp-in-process.js';
import { connectDatabase } from '../src/db/database.js';
import { SqlExecutor } from '../src/db/sql-executor.js';
import { instantText } from '../src/db/instants.js';

const DAY_MS = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** What the agent tools must answer with, from the simulator (the truth), never from the copy. */
function companyOf(title: unknown): string | undefined {
  return /with (.+)$/.exec(String(title))?.[1];
}

interface Setup {
  sim: GongSimulator;
  env: Record<string, string | undefined>;
  target: string;
  startMs: number;
}

/** Counts every tool parameter (nested ones too) and those with a description. */
function describedShare(tools: Array<{ inputSchema: any }>): { described: number; total: number } {
  let described = 0;
  let total = 0;
  const walk = (schema: any) => {
    for (const property of Object.values<any>(schema?.properties ?? {})) {
      total++;
      if (typeof property.description === 'string' && property.description.length >= 10) described++;
      if (property.type === 'object') walk(property);
    }
  };
  for (const tool of tools) walk(tool.inputSchema);
  return { described, total };
}

describe.each(['sqlite', 'postgres'] as const)('MCP tools for agents, on %s', (dialect) => {
  let setup: Setup;
  let client: Client;
  // One simulator and one sync for the whole group; each test checks its own requests.
  beforeAll(async () => {
    const sim = await GongSimulator.start({ calls: 160, days: 60 });
    // Kept for the whole group (the helpers' temp folders go after each test).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gong-sync-mcp-'));
    const target = dialect === 'sqlite' ? path.join(dir, 'gong.db') : await freshPostgresDatabase(`mcp_agents`);
    const startMs = Date.now() - 45 * DAY_MS;
    const env = {
      GONG_BASE_URL: sim.url,
      GONG_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
      GONG_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
      GONG_DB: target,
      GONG_RATE_LIMIT: '1000',
      GONG_RETRY_BASE_MS: '20',
      GONG_START_DATE: day(startMs),
      GONG_MEDIA_DIR: path.join(dir, 'media'),
    };
    await syncInProcess(env);
    setup = { sim, env, target, startMs: Date.parse(`${day(startMs)}T00:00:00Z`) };
    return async () => {
      await sim.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }, 120_000);

  it('lists tools with every parameter described, read tools marked read-only, in a bounded list', async () => {
    client = await mcpInProcess(setup.env);
    const { tools } = await client.listTools();
    const { described, total } = describedShare(tools);
    const size = JSON.stringify(tools).length;
    console.log(
      `[figures ${dialect}] parameters described: ${described}/${total} (${((100 * described) / total).toFixed(1)}%), tool list ${size} characters, ${tools.length} tools`,
    );
    expect(described / total).toBeGreaterThanOrEqual(0.95);
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    for (const name of [
      'find_calls',
      'call_brief',
      'transcript_excerpt',
      'account_overview',
      'search_transcripts',
      'query',
      'sync_status',
      'calls_list',
      'calls_get',
      'users_list',
    ]) {
      expect(byName[name]?.annotations?.readOnlyHint, name).toBe(true);
    }
    expect(byName.call_audio_download?.annotations?.readOnlyHint).toBe(false);
    expect((byName.calls_list!.inputSchema as any).properties.fromDateTime).toMatchObject({
      format: 'date-time',
      description: expect.stringMatching(/2026-/),
    });
    expect(size).toBeLessThan(22_000);
  });

  it('find_calls returns every call of the account with most calls, ranked, with why; call_brief and account_overview answer; no Gong request', async () => {
    const { sim } = setup;
    client = await mcpInProcess(setup.env);
    sim.clearLog();
    const synced = sim.account.visibleCalls().filter((c) => c.startedMs >= setup.startMs && c.record.scope === 'External');
    const byCompany = new Map<string, string[]>();
    for (const call of synced)
      byCompany.set(companyOf(call.record.title)!, [...(byCompany.get(companyOf(call.record.title)!) ?? []), call.record.id]);
    const [company, ids] = [...byCompany.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;

    const found = await callTool(client, 'find_calls', { account: company });
    expect(found.isError, found.text).toBe(false);
    // Exactly the account's calls (its CRM account), no more.
    expect(found.json.calls.map((c: any) => c.id).sort()).toEqual([...ids].sort());
    expect(found.json.total).toBe(ids.length);
    const first = found.json.calls[0];
    expect(first).toMatchObject({ account: company, matched: [expect.stringContaining(company)] });
    expect(first.participants.length).toBeGreaterThan(0);
    // Newest first.
    const starts = found.json.calls.map((c: any) => c.started);
    expect(starts).toEqual([...starts].sort().reverse());

    // By a participant's domain and by words said; a date range bounds it.
    const external = synced.find((c) => c.record.id === ids[0])!.parties.find((p) => p.affiliation === 'External')!;
    const domain = String(external.emailAddress).split('@')[1]!;
    const byDomain = await callTool(client, 'find_calls', { participant: domain, fromDateTime: day(setup.startMs) });
    expect(byDomain.json.calls.map((c: any) => c.id)).toContain(ids[0]);
    const byText = await callTool(client, 'find_calls', { text: 'security review', account: company, limit: 5 });
    expect(byText.isError, byText.text).toBe(false);
    for (const call of byText.json.calls) expect(call.matched.join(' ')).toMatch(/"security review" in/);

    const brief = await callTool(client, 'call_brief', { id: ids[0] });
    expect(brief.isError, brief.text).toBe(false);
    const simCall = synced.find((c) => c.record.id === ids[0])!;
    expect(brief.json).toMatchObject({ id: ids[0], title: simCall.record.title, accounts: [{ name: company }], link: simCall.record.url });
    expect(brief.json.participants.map((p: any) => p.name).sort()).toEqual(simCall.parties.map((p) => p.name).sort());
    expect(brief.json.participants.every((p: any) => ['Internal', 'External', 'Unknown'].includes(p.affiliation))).toBe(true);
    expect(typeof brief.json.brief).toBe('string');

    const overview = await callTool(client, 'account_overview', { account: company.toLowerCase() });
    expect(overview.isError, overview.text).toBe(false);
    expect(overview.json).toMatchObject({ account: { name: company }, totalCalls: ids.length });
    expect(overview.json.lastContact).toBe(instantText(Math.max(...ids.map((id) => synced.find((c) => c.record.id === id)!.startedMs))));
    expect(overview.json.peopleMet.map((p: any) => p.email)).toContain(external.emailAddress);

    expect(sim.apiRequests(), 'requests to Gong').toEqual([]);
  });

  it("the reference's tools answer from the copy with no Gong request, the same records as live", async () => {
    const { sim } = setup;
    client = await mcpInProcess(setup.env);
    const database = await connectDatabase(setup.target);
    const exec = new SqlExecutor(database);
    const callIds = (
      await exec.all<{ call_id: string }>(exec.db.selectFrom('call_transcripts').select('call_id').orderBy('call_id').limit(3))
    ).map((r) => r.call_id);
    await database.close();
    const from = new Date(setup.startMs + DAY_MS).toISOString();
    const to = new Date(Date.now() - DAY_MS).toISOString();
    const asks: Array<[string, Record<string, unknown>, string]> = [
      ['calls_get', { id: callIds[0] }, 'record'],
      ['users_list', {}, 'records'],
      ['call_outcomes_list', {}, 'records'],
      ['calls_list', { fromDateTime: from, toDateTime: to }, 'records'],
      ['calls_extensive_list', { filter: { callIds } }, 'records'],
      ['call_transcripts_list', { filter: { callIds } }, 'records'],
    ];
    sim.clearLog();
    const local: unknown[] = [];
    for (const [name, args, key] of asks) {
      const answer = await callTool(client, name, args);
      expect(answer.isError, `${name}: ${answer.text.slice(0, 300)}`).toBe(false);
      expect(answer.json.source, name).toBe('local');
      local.push(answer.json[key]);
    }
    expect(sim.apiRequests(), 'requests to Gong').toEqual([]);
    for (const [i, [name, args, key]] of asks.entries()) {
      const live = await callTool(client, name, { ...args, live: true });
      expect(live.json.source, name).toBe('live');
      expect(local[i], name).toEqual(live.json[key]);
    }
  });

  it('transcript_excerpt gives the sentences around a phrase with who said them', async () => {
    const { sim } = setup;
    client = await mcpInProcess(setup.env);
    sim.clearLog();
    const call = sim.account
      .visibleCalls()
      .find((c) => c.startedMs >= setup.startMs + DAY_MS && c.transcriptReady && c.startedMs < Date.now() - DAY_MS)!;
    const transcript = sim.account.transcriptOf(call);
    const segment = transcript.transcript[1]!;
    const sentence = segment.sentences[0]!;
    const speaker = call.parties.find((p) => p.speakerId === segment.speakerId)!;
    const answer = await callTool(client, 'transcript_excerpt', { callId: call.record.id, around: sentence.text.slice(0, -1), context: 2 });
    expect(answer.isError, answer.text).toBe(false);
    expect(answer.json.sentences).toContainEqual({
      second: Math.floor(sentence.start / 1000),
      speaker: speaker.name,
      affiliation: speaker.affiliation,
      text: sentence.text,
    });
    expect(answer.json.sentences.length).toBeLessThanOrEqual(5);
    const byTime = await callTool(client, 'transcript_excerpt', { callId: call.record.id, fromSecond: 0, toSecond: 30, maxSentences: 3 });
    expect(byTime.json.sentences.length).toBeGreaterThan(0);
    expect(byTime.json.sentences.length).toBeLessThanOrEqual(3);
    expect(sim.apiRequests()).toEqual([]);
  });

  it('refuses malformed dates and ids before sending anything', async () => {
    const { sim } = setup;
    client = await mcpInProcess(setup.env);
    sim.clearLog();
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      [
        'calls_list',
        { fromDateTime: 'yesterday', toDateTime: '2026-12-01T00:00:00Z', live: true },
        /fromDateTime must be an ISO-8601 date-time.*"yesterday"/,
      ],
      [
        'calls_extensive_list',
        { filter: { fromDateTime: '2026-11-01', toDateTime: 'now' }, live: true },
        /filter\.fromDateTime must be an ISO-8601/,
      ],
      [
        'stats_activity_day_by_day_list',
        { filter: { fromDate: '2026-11-01T00:00:00Z', toDate: '2026-11-05' } },
        /filter\.fromDate must be a day as YYYY-MM-DD/,
      ],
      ['calls_get', { id: 'abc', live: true }, /id must be a Gong id/],
      ['call_transcripts_list', { filter: { callIds: ['12', 'x1'] }, live: true }, /callIds must be a list of Gong ids/],
      ['find_calls', { fromDateTime: 'yesterday' }, /"yesterday"/],
      ['search_transcripts', { query: 'pricing', toDateTime: 'last week' }, /toDateTime/],
      ['call_brief', { id: '12 or 1=1' }, /id must be a Gong id/],
    ];
    for (const [name, args, message] of bad) {
      const answer = await callTool(client, name, args);
      expect(answer.isError, `${name} ${JSON.stringify(args)}: ${answer.text}`).toBe(true);
      expect(answer.text).toMatch(message);
    }
    expect(sim.apiRequests()).toEqual([]);
  });

  it('answers the last 30 days from the copy as of the last sync; live: true fetches only the uncovered tail, within the live budget', async () => {
    const { sim } = setup;
    // Two live requests left today (earlier tests of this group spent some).
    const spent = (await callTool(await mcpInProcess(setup.env), 'sync_status')).json.mcpLiveRequestsToday.used as number;
    const budget = spent + 2;
    client = await mcpInProcess({ ...setup.env, GONG_MCP_LIVE_BUDGET: String(budget) });
    sim.clearLog();
    const from = new Date(Date.now() - 30 * DAY_MS).toISOString();
    const to = new Date(Date.now() + DAY_MS).toISOString();
    const local = await callTool(client, 'calls_list', { fromDateTime: from, toDateTime: to });
    expect(local.isError, local.text).toBe(false);
    expect(local.json.source).toBe('local');
    expect(Date.parse(local.json.as_of)).toBeGreaterThan(Date.now() - 3_600_000);
    const expected = sim.account
      .visibleCalls()
      .filter((c) => c.startedMs >= Date.parse(from) && c.startedMs < Date.parse(local.json.as_of));
    expect(local.json.pagination.totalRecords).toBe(expected.length);
    expect(sim.apiRequests()).toEqual([]);

    // Two calls after the last sync (started in the minute ahead, so after as_of).
    const added = sim.account.addCalls(2, { withinHours: 0.005, now: new Date(Date.now() + 120_000) });
    const live = await callTool(client, 'calls_list', { fromDateTime: from, toDateTime: to, live: true });
    expect(live.isError, live.text).toBe(false);
    expect(live.json.source, JSON.stringify(live.json.live_tail)).toBe('local+live');
    const asked = sim.apiRequests('/v2/calls');
    expect(asked.length).toBe(1);
    // Only the tail: from the last sync on, never the whole range.
    expect(asked[0]!.query.fromDateTime).toBe(local.json.as_of);
    expect(live.json.pagination.totalRecords).toBe(expected.length + added.filter((c) => c.visible).length);

    // The live budget is counted in the database and its refusal says so; nothing is sent past it.
    await callTool(client, 'calls_get', { id: expected[0]!.record.id, live: true });
    sim.clearLog();
    const refused = await callTool(client, 'calls_get', { id: expected[1]!.record.id, live: true });
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(new RegExp(`live budget is spent: ${budget} of ${budget}.*GONG_MCP_LIVE_BUDGET`));
    expect(sim.apiRequests()).toEqual([]);
    const status = await callTool(client, 'sync_status');
    expect(status.json.mcpLiveRequestsToday).toMatchObject({ used: budget, budget });
  });

  it('masks emails and phone numbers said in transcripts with GONG_REDACT_TEXT=1, leaving the copy intact', async () => {
    const database = await connectDatabase(setup.target);
    const exec = new SqlExecutor(database);
    const row = (
      await exec.all<{ call_id: string; seq: number }>(
        exec.db.selectFrom('transcript_sentences').select(['call_id', 'seq']).orderBy('call_id').limit(1),
      )
    )[0]!;
    const said = 'Write to ben.adler@berg.example or call +1 415 555 0134 about the zebra rollout.';
    await exec.run(
      exec.db.updateTable('transcript_sentences').set({ text: said }).where('call_id', '=', row.call_id).where('seq', '=', row.seq),
    );
    await database.close();
    client = await mcpInProcess({ ...setup.env, GONG_REDACT_TEXT: '1' });
    const search = await callTool(client, 'search_transcripts', { query: 'zebra rollout' });
    expect(search.json.matches[0].text).toBe('Write to [email] or call [phone] about the zebra rollout.');
    const excerpt = await callTool(client, 'transcript_excerpt', { callId: row.call_id, around: 'zebra', context: 0 });
    expect(excerpt.json.sentences[0].text).toBe('Write to [email] or call [phone] about the zebra rollout.');
    const transcripts = await callTool(client, 'call_transcripts_list', { filter: { callIds: [row.call_id] } });
    expect(transcripts.text).not.toContain('ben.adler@berg.example');
    expect(transcripts.text).toContain('[email]');
    // Action items quote what was said: masked in call_brief too.
    const withItem = await connectDatabase(setup.target);
    const items = new SqlExecutor(withItem);
    const item = (
      await items.all<{ call_id: string; seq: number }>(
        items.db.selectFrom('call_action_items').select(['call_id', 'seq']).orderBy('call_id').limit(1),
      )
    )[0]!;
    await items.run(
      items.db
        .updateTable('call_action_items')
        .set({ snippet: 'Ping me at 415-555-0134 tomorrow.' })
        .where('call_id', '=', item.call_id)
        .where('seq', '=', item.seq),
    );
    await withItem.close();
    const brief = await callTool(client, 'call_brief', { id: item.call_id });
    expect(brief.json.actionItems.map((a: any) => a.text)).toContain('Ping me at [phone] tomorrow.');
    const stored = await callTool(client, 'query', {
      sql: `select count(*) as n from transcript_sentences where text like '%ben.adler@berg.example%'`,
    });
    expect(stored.json.rows[0].n).toBe(1);
  });

  it('a runaway query ends with an error while sync_status keeps answering', async () => {
    client = await mcpInProcess(setup.env);
    // Never ends on either database (the same SQL on both).
    const runaway = 'with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r';
    const started = Date.now();
    let queryEnded = false;
    const query = callTool(client, 'query', { sql: runaway, timeout_seconds: 5 }).finally(() => (queryEnded = true));
    await new Promise((r) => setTimeout(r, 300));
    const statusStarted = Date.now();
    const status = await callTool(client, 'sync_status');
    const statusMs = Date.now() - statusStarted;
    // Answered while the runaway statement still ran (not after it was stopped): wall time is reported, not asserted.
    expect(status.isError, status.text).toBe(false);
    expect(queryEnded, 'sync_status waited for the runaway query').toBe(false);
    const ended = await query;
    console.log(
      `[figures ${dialect}] sync_status answered in ${statusMs} ms during a runaway query; the query ended after ${Date.now() - started} ms`,
    );
    expect(ended.isError).toBe(true);
    expect(ended.text).toMatch(/time limit/);
    // The server still runs queries afterwards.
    const after = await callTool(client, 'query', { sql: 'select count(*) as n from calls' });
    expect(after.json.rows[0].n).toBeGreaterThan(0);
  });
});
