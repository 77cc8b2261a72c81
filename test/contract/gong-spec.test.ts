/**
 * Gong's OpenAPI spec is the contract. A full sync of every stream, `get`, `download` and every
 * `execute` action run against the simulator in Gong's shapes; then, per endpoint: every request
 * gong-sync sent uses a method, path, query parameters and body the spec accepts, and every 200
 * answer the simulator gave validates against the spec's response schema.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GongSimulator } from '../../src/simulator/server.js';
import { streams } from '../../streams/index.js';
import { ACTIONS } from '../../src/api/actions.js';
import { SpecContract, loadExtract, type SeenRequest } from './spec-contract.js';
import { ALLOWED_BEYOND_SPEC } from './allowed-beyond-spec.js';
import { appFor, syncInProcess } from '../helpers/in-process.js';
import { fetchAndStore } from '../../src/runner/fetch-one.js';
import { execute } from '../../src/api/gong.js';
import { findStream } from '../../streams/index.js';
import os from 'node:os';

const DAY = 86_400_000;
const contract = new SpecContract();
const seen: Array<{ request: SeenRequest; status: number; answer?: string }> = [];
let sim: GongSimulator;
let dir: string;

/** The actions of the reference's 16 entities. */
const REFERENCE_ACTIONS = [
  'users list',
  'users get',
  'calls list',
  'calls get',
  'calls_extensive list',
  'call_audio download',
  'call_video download',
  'workspaces list',
  'call_transcripts list',
  'stats_activity_aggregate list',
  'stats_activity_day_by_day list',
  'stats_interaction list',
  'settings_scorecards list',
  'settings_trackers list',
  'library_folders list',
  'library_folder_content list',
  'coaching list',
  'stats_activity_scorecards list',
  // Gong's 2026 spec, beyond the reference.
  'call_outcomes list',
];

/** Valid parameters for each execute action (Gong's names). */
function executeParams(): Record<string, Record<string, unknown>> {
  const account = sim.account;
  const call = account.calls.find((c) => c.record.media === 'Video')!;
  const month = new Date(Date.now() - 20 * DAY).toISOString().slice(0, 7);
  const from = `${month}-01`;
  const to = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1)).toISOString().slice(0, 10);
  const today = new Date().toISOString().slice(0, 10);
  const statsTo = to < today ? to : today;
  const manager = account.users.find((u) => account.users.some((r) => r.managerId === u.id))!;
  return {
    'users list': {},
    'users get': { id: account.users[1]!.id },
    'calls list': { fromDateTime: `${from}T00:00:00Z`, toDateTime: `${to}T00:00:00Z`, workspaceId: account.workspaces[0]!.id },
    'calls get': { id: call.record.id },
    'calls_extensive list': {
      filter: { fromDateTime: `${from}T00:00:00Z`, toDateTime: `${to}T00:00:00Z`, primaryUserIds: [call.record.primaryUserId] },
      contentSelector: {
        context: 'Extended',
        contextTiming: ['Now'],
        exposedFields: { parties: true, content: { topics: true, trackers: true }, interaction: { speakers: true } },
      },
    },
    'call_audio download': {
      filter: { callIds: [call.record.id] },
      contentSelector: { exposedFields: { media: true } },
      range_header: 'bytes=0-99',
    },
    'call_video download': { filter: { callIds: [call.record.id] } },
    'workspaces list': {},
    'call_transcripts list': { filter: { callIds: [call.record.id] } },
    'stats_activity_aggregate list': { filter: { fromDate: from, toDate: statsTo, userIds: [manager.id] } },
    'stats_activity_day_by_day list': { filter: { fromDate: from, toDate: statsTo } },
    'stats_interaction list': { filter: { fromDate: from, toDate: statsTo } },
    'settings_scorecards list': {},
    'settings_trackers list': { workspaceId: account.workspaces[0]!.id },
    'library_folders list': { workspaceId: account.workspaces[0]!.id },
    'library_folder_content list': { folderId: String(account.folders[1]!.folder.id) },
    'coaching list': {
      'workspace-id': account.workspaces[0]!.id,
      'manager-id': manager.id,
      from: `${from}T00:00:00Z`,
      to: `${to}T00:00:00Z`,
    },
    // The reference's names, translated to Gong's reviewFromDate / reviewToDate.
    'stats_activity_scorecards list': { filter: { fromDateTime: `${from}T00:00:00Z`, toDateTime: `${to}T00:00:00Z` } },
    'call_outcomes list': {},
  };
}

/** Execute calls that send something the plain ones do not: another review method, a call list split in 90-day requests. */
function executeVariants(): Array<[string, Record<string, unknown>]> {
  const now = Date.now();
  return [
    [
      'stats_activity_scorecards list',
      { filter: { reviewMethod: 'MANUAL', reviewFromDate: new Date(now - 30 * DAY).toISOString().slice(0, 10) } },
    ],
    ['calls list', { fromDateTime: new Date(now - 200 * DAY).toISOString(), toDateTime: new Date(now).toISOString() }],
    [
      'calls_extensive list',
      { filter: { fromDateTime: new Date(now - 200 * DAY).toISOString(), toDateTime: new Date(now).toISOString() } },
    ],
  ];
}

describe("the registry names exactly the spec's endpoints", () => {
  it('every stream endpoint, get and execute action is in the extract, and the extract holds no other', () => {
    const used = new Set<string>();
    for (const stream of streams) {
      used.add(`${stream.endpoint.method} ${stream.endpoint.path}`);
      if (stream.get) used.add(`GET ${stream.get.template}`);
    }
    for (const action of ACTIONS) used.add(`${action.method} ${action.path}`);
    expect([...used].sort()).toEqual(Object.keys(contract.endpoints).sort());
    // The actions of the reference's 16 entities.
    expect(ACTIONS.map((a) => `${a.entity} ${a.action}`).sort()).toEqual(REFERENCE_ACTIONS.slice().sort());
  });

  it("the committed extract is the script's output for the spec it names", () => {
    const spec = path.resolve(__dirname, '../../../shared/reference/gong-openapi-v2.json');
    const extract = loadExtract();
    // A fresh clone runs without ../shared: there the committed extract stands on its own.
    if (!fs.existsSync(spec)) return;
    expect(createHash('sha256').update(fs.readFileSync(spec)).digest('hex')).toBe(extract.source.sha256);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gong-sync-extract-')), 'extract.json');
    try {
      execFileSync(process.execPath, [path.resolve(__dirname, '../../scripts/extract-contract.mjs'), spec, out], { stdio: 'pipe' });
      expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(extract);
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true });
    }
  });
});

describe("every request gong-sync sends, and every answer, follows Gong's spec", () => {
  beforeAll(async () => {
    sim = await GongSimulator.start({ calls: 240, days: 120, shapes: 'gong' });
    // Every routed request, with its answer when it was a 200.
    sim.onAnswer = (entry, text) => seen.push({ request: entry, status: entry.status, answer: entry.status === 200 ? text : undefined });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gong-sync-contract-'));
    const db = path.join(dir, 'gong.db');
    const env = { GONG_START_DATE: new Date(Date.now() - 120 * DAY).toISOString().slice(0, 10), GONG_MEDIA_DIR: path.join(dir, 'media') };
    const everyStream = streams.map((s) => s.name);
    // A first sync of every stream (downloads included: 120 days, so two call-list windows), then an incremental one.
    await syncInProcess(sim, db, { streams: everyStream, env });
    sim.account.addCalls(4, { transcriptReady: false });
    sim.account.addLateCalls(2, { ageDays: 3 });
    sim.account.releaseLateCalls();
    sim.account.releaseTranscripts();
    await syncInProcess(sim, db, { streams: everyStream, env });
    // get and download, as their commands do.
    const call = sim.account.calls.find((c) => c.record.media === 'Video')!;
    const app = await appFor(sim, db, env);
    try {
      await fetchAndStore({
        stream: findStream('users')!,
        id: sim.account.users[0]!.id,
        client: app.client,
        database: app.database,
        settings: { includePrivateCalls: true },
      });
      await fetchAndStore({
        stream: findStream('calls')!,
        id: call.record.id,
        client: app.client,
        database: app.database,
        settings: { includePrivateCalls: true },
      });
      for (const kind of ['audio', 'video'] as const) {
        const url = await app.media.mediaUrl(call.record.id, kind);
        await app.media.download({
          callId: call.record.id,
          kind,
          url: url!,
          directory: path.join(dir, 'out'),
          refreshUrl: () => app.media.mediaUrl(call.record.id, kind),
        });
      }
      // Every execute action, and the variants that change what is sent.
      for (const [name, params] of [...Object.entries(executeParams()), ...executeVariants()]) {
        const [entity, action] = name.split(' ');
        const answer = await execute(app.client, { entity: entity!, action: action!, params });
        if (action === 'download') for await (const _chunk of answer as AsyncIterable<Uint8Array>) void _chunk;
      }
    } finally {
      await app.close();
    }
  }, 600_000);

  afterAll(async () => {
    await sim?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const keys = Object.keys(loadExtract().endpoints);
  it.each(keys)('%s', (key) => {
    const mine = seen.filter((s) => contract.endpointOf(s.request.method, s.request.path) === key);
    expect(mine.length, `no request reached ${key}`).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const { request } of mine) {
      for (const p of contract.requestProblems(key, request))
        problems.push(`${key} request ${request.path}?${new URLSearchParams(request.query)}: ${p}`);
    }
    const answers = mine.filter((s) => s.answer !== undefined);
    expect(answers.length, `no 200 answer from ${key}`).toBeGreaterThan(0);
    for (const { request, answer } of answers) {
      for (const p of contract.answerProblems(key, JSON.parse(answer!))) problems.push(`${key} ${request.path}: ${p}`);
    }
    expect([...new Set(problems)].slice(0, 20)).toEqual([]);
  });

  it('sends nothing to a path the spec does not have, and Gong refused nothing it sent', () => {
    const unknown = seen
      .filter((s) => !contract.endpointOf(s.request.method, s.request.path))
      .map((s) => `${s.request.method} ${s.request.path}`);
    expect(unknown).toEqual([]);
    // 404 is Gong's "nothing found"; any other refusal means a request Gong would not take.
    const refused = seen
      .filter((s) => s.status >= 400 && s.status !== 404)
      .map((s) => `${s.status} ${s.request.method} ${s.request.path} ${JSON.stringify(s.request.body ?? s.request.query)}`);
    expect(refused).toEqual([]);
  });

  it('covers the requests that matter: incremental windows, both review methods, split call lists, Gong-bounded windows', () => {
    const calls = seen.filter((s) => s.request.path === '/v2/calls').map((s) => s.request.query);
    const extensive = seen
      .filter((s) => s.request.path === '/v2/calls/extensive' && s.request.body?.filter?.fromDateTime)
      .map((s) => s.request.body.filter);
    for (const bounds of [...calls, ...extensive])
      expect(Date.parse(bounds.toDateTime) - Date.parse(bounds.fromDateTime)).toBeLessThanOrEqual(90 * DAY);
    expect(calls.length).toBeGreaterThanOrEqual(5);
    const methods = seen.filter((s) => s.request.path === '/v2/stats/activity/scorecards').map((s) => s.request.body.filter.reviewMethod);
    expect(new Set(methods)).toEqual(new Set(['BOTH', 'MANUAL']));
  });
});

describe('the contract refuses what Gong would ignore or refuse', () => {
  const extensive = (content: Record<string, unknown>) => ({
    method: 'POST',
    path: '',
    query: {},
    body: { filter: {}, contentSelector: { exposedFields: { content } } },
  });
  it('a deprecated field, a value outside an enum, a missing required bound, an unknown parameter', () => {
    expect(contract.requestProblems('POST /v2/calls/extensive', extensive({ pointsOfInterest: true }))).toEqual([
      "body /contentSelector/exposedFields/content/pointsOfInterest: deprecated in Gong's spec: never send it",
    ]);
    expect(contract.requestProblems('POST /v2/calls/extensive', extensive({ brief: true }))).toEqual([]);
    expect(
      contract.requestProblems('POST /v2/stats/activity/scorecards', {
        method: 'POST',
        path: '',
        query: {},
        body: { filter: { reviewMethod: 'ALL' } },
      })[0],
    ).toMatch(/body \/filter\/reviewMethod: must be equal to one of the allowed values/);
    expect(
      contract.requestProblems('GET /v2/calls', {
        method: 'GET',
        path: '',
        query: { fromDateTime: '2026-01-01T00:00:00Z' },
        body: undefined,
      }),
    ).toEqual(['required query parameter "toDateTime" is missing']);
    expect(
      contract.requestProblems('GET /v2/call-outcomes', { method: 'GET', path: '', query: { workspaceId: '1' }, body: undefined }),
    ).toEqual(['query parameter "workspaceId" is not one Gong\'s spec lists (it lists: none)']);
  });

  it('lets through only allow-listed fields beyond the spec, each with its evidence', () => {
    for (const entry of ALLOWED_BEYOND_SPEC) {
      expect(Object.keys(contract.endpoints), entry.endpoint).toContain(entry.endpoint);
      expect(entry.evidence.length, `${entry.endpoint} ${entry.field}`).toBeGreaterThan(20);
    }
    const beyond = new SpecContract(loadExtract(), [
      { endpoint: 'GET /v2/call-outcomes', field: 'query workspaceId', evidence: 'a test entry, not a real one: nothing to cite' },
    ]);
    expect(
      beyond.requestProblems('GET /v2/call-outcomes', { method: 'GET', path: '', query: { workspaceId: '1' }, body: undefined }),
    ).toEqual([]);
  });
});

describe("the contract tells the reference's shapes from Gong's", () => {
  it("a sync against a tenant in the reference's shapes sends nothing beyond the spec but allow-listed fields (a folder's cursor)", async () => {
    const reference = await GongSimulator.start({ calls: 150, days: 30, shapes: 'reference' });
    const requests: SeenRequest[] = [];
    reference.onAnswer = (entry) => requests.push(entry);
    const folderDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gong-sync-contract-ref-'));
    try {
      await syncInProcess(reference, path.join(folderDir, 'gong.db'), {
        streams: ['workspaces', 'library_folders', 'library_folder_content', 'stats_activity_scorecards'],
      });
      const problems = requests.flatMap((r) => contract.requestProblems(contract.endpointOf(r.method, r.path)!, r));
      expect(problems).toEqual([]);
      // The allow-list entry is used: the reference's shape pages the 130-call folder.
      expect(requests.some((r) => r.path === '/v2/library/folder-content' && r.query.cursor)).toBe(true);
      expect(
        new SpecContract(loadExtract(), []).requestProblems('GET /v2/library/folder-content', {
          method: 'GET',
          path: '',
          query: { folderId: '1', cursor: 'x' },
          body: undefined,
        }),
      ).toHaveLength(1);
    } finally {
      await reference.stop();
      fs.rmSync(folderDir, { recursive: true, force: true });
    }
  });

  // Gong's schemas mark no field required and allow more: a reference-shaped coaching or folder answer
  // passes them (the mapping tests cover those). Typed fields and request names do not.
  it("flags the reference's string ids in answered scorecards and its filter names, naming the field", async () => {
    const reference = await GongSimulator.start({ calls: 30, days: 30, shapes: 'reference' });
    try {
      const auth = `Basic ${Buffer.from('demo-access-key:demo-access-secret').toString('base64')}`;
      const get = async (method: 'GET' | 'POST', url: string, body?: unknown) => {
        const response = await fetch(`${reference.url}${url}`, {
          method,
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        expect(response.status, url).toBe(200);
        return JSON.parse(await response.text());
      };
      const from = new Date(Date.now() - 30 * DAY).toISOString();
      const scorecards = await get('POST', '/v2/stats/activity/scorecards', { filter: {} });
      expect(contract.answerProblems('POST /v2/stats/activity/scorecards', scorecards)).toContain(
        'answer /answeredScorecards/0/answeredScorecardId: must be integer',
      );
      const trackers = await get('GET', '/v2/settings/trackers');
      expect(contract.answerProblems('GET /v2/settings/trackers', trackers)).toContain(
        'answer /keywordTrackers/1/saidAtInterval: must be integer',
      );
      expect(
        contract.requestProblems('POST /v2/stats/activity/scorecards', {
          method: 'POST',
          path: '',
          query: {},
          body: { filter: { fromDateTime: from } },
        }),
      ).toEqual(["body /filter/fromDateTime: not a field Gong's spec names here"]);
    } finally {
      await reference.stop();
    }
  });
});
