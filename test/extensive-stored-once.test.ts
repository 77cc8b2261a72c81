import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { startSimulator } from './helpers/simulator.js';
import { simEnv, tempDir } from './helpers/cli.js';
import { query } from './helpers/database.js';
import { pgQuery } from './helpers/postgres-database.js';
import { freshPostgresDatabase } from './helpers/postgres-shared.js';
import { appFor, syncInProcess } from './helpers/in-process.js';
import { callTool, mcpInProcess } from './helpers/mcp-in-process.js';
import { asSent } from '../src/simulator/shapes.js';
import { silentLogger } from '../src/logger.js';
import { storePostedCall } from '../src/webhook/store-call.js';
import { DEFAULT_EXPOSED_FIELDS } from '../streams/calls-extensive.js';
import { IN_TABLES } from '../streams/calls-extensive-stored.js';
import type { GongSimulator } from '../src/simulator/server.js';

const DAY = 86_400_000;
const SYNC_SELECTOR = { context: 'Extended', exposedFields: DEFAULT_EXPOSED_FIELDS };

/** The old JSON block columns of calls_extensive_json, and where each block is in Gong's record. */
const VIEW_BLOCKS: Record<string, string[]> = {
  outline: ['content', 'outline'],
  highlights: ['content', 'highlights'],
  key_points: ['content', 'keyPoints'],
  call_outcome: ['content', 'callOutcome'],
  topics: ['content', 'topics'],
  trackers: ['content', 'trackers'],
  structure: ['content', 'structure'],
  speakers: ['interaction', 'speakers'],
  interaction_stats: ['interaction', 'interactionStats'],
  video: ['interaction', 'video'],
  public_comments: ['collaboration', 'publicComments'],
  context: ['context'],
};

const at = (record: any, keys: string[]) => keys.reduce((v, k) => v?.[k], record) ?? null;

/** What Gong sent for each call, as the stream received it (Gong's shapes drop nulls). */
function gongRecords(sim: GongSimulator): Map<string, any> {
  return new Map(
    sim.account
      .visibleCalls()
      .map((c) => asSent(sim.account.extensiveOf(c, DEFAULT_EXPOSED_FIELDS, undefined, 'id', true), 'gong') as any)
      .map((r) => [r.metaData.id, r]),
  );
}

/** The database under test, read the same way on both (raw parsed, view columns as text). */
interface Target {
  db: string;
  rows(sql: string): Promise<Array<Record<string, any>>>;
  run(sql: string, ...params: unknown[]): Promise<void>;
}

async function sqliteTarget(): Promise<Target> {
  const db = path.join(tempDir(), 'gong.db');
  return {
    db,
    rows: async (sql) => query(db, sql),
    run: async (sql, ...params) => {
      const writer = new BetterSqlite3(db);
      try {
        writer.prepare(sql).run(...params);
      } finally {
        writer.close();
      }
    },
  };
}

async function postgresTarget(): Promise<Target> {
  const db = await freshPostgresDatabase('extensive_stored_once');
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    db,
    rows: (sql) => pgQuery(db, sql),
    run: async (sql, ...params) => void (await pgQuery(db, numbered(sql), params)),
  };
}

const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);

/** Every record calls_extensive_list answers from the copy for these ids (no request to Gong). */
async function fromCopy(client: Client, sim: GongSimulator, ids: string[]): Promise<Map<string, any>> {
  const out = new Map<string, any>();
  for (let i = 0; i < ids.length; i += 100) {
    let cursor: string | undefined;
    do {
      const args = { filter: { callIds: ids.slice(i, i + 100) }, contentSelector: SYNC_SELECTOR, ...(cursor ? { cursor } : {}) };
      const answer = await callTool(client, 'calls_extensive_list', args);
      expect(answer.isError, answer.text.slice(0, 400)).toBe(false);
      expect(answer.json.source).toBe('local');
      for (const record of answer.json.records) out.set(record.metaData.id, record);
      cursor = answer.json.pagination.cursor;
    } while (cursor);
  }
  expect(sim.apiRequests(), 'answered from the copy').toEqual([]);
  return out;
}

/** A record the columns cannot all hold: a field Gong added to a party and to the call, a fractional count, a CRM text that looks like a number. */
function oddRecord(base: any, id: string): any {
  const odd = structuredClone(base);
  odd.metaData = { ...odd.metaData, id, url: `https://app.gong.io/call?id=${id}` };
  odd.parties[0].pronouns = 'she/her';
  odd.content.trackers[0].count = 2.5;
  odd.content.trackers[1].phrases.push({ phrase: 'never said', count: 0, occurrences: [] });
  odd.newGongBlock = { rating: 4 };
  odd.context = [
    {
      system: 'Salesforce',
      objects: [{ objectType: 'Account', objectId: '001X', fields: [{ name: 'Employees', value: '40' }], timing: 'Now' }],
    },
  ];
  return odd;
}

/**
 * A record the tables hold whole, whose CRM context names one system twice with another between:
 * Gong's order of systems and objects must come back (the simulator gives each call one system).
 */
function twoSystemsRecord(base: any, id: string): any {
  const record = structuredClone(base);
  record.metaData = { ...record.metaData, id, url: `https://app.gong.io/call?id=${id}` };
  const object = (objectType: string, objectId: string, name: string, value: string) => ({
    objectType,
    objectId,
    fields: [{ name, value }],
    timing: 'Now',
  });
  record.context = [
    { system: 'Salesforce', objects: [object('Opportunity', '006B', 'Stage', 'Won'), object('Account', '001A', 'Name', 'Acme')] },
    { system: 'HubSpot', objects: [object('Deal', '77', 'Stage', 'Closed')] },
    { system: 'Salesforce', objects: [object('Contact', '003C', 'Email', 'a@acme.example')] },
  ];
  return record;
}

describe.each([
  ['SQLite', sqliteTarget],
  ['PostgreSQL', postgresTarget],
])('calls_extensive stored once (%s)', (_name, target) => {
  it('raw keeps only what the tables do not hold; every record comes back exactly, and calls_extensive_json gives the same blocks', async () => {
    const sim = await startSimulator({ calls: 40, days: 20 });
    const t = await target();
    const env = { GONG_START_DATE: new Date(Date.now() - 25 * DAY).toISOString().slice(0, 10) };
    await syncInProcess(sim, t.db, { streams: ['calls_extensive'], env });
    const truth = gongRecords(sim);
    const ids = [...truth.keys()];
    expect(ids.length).toBeGreaterThan(20);

    // Slim: the blocks are in the tables, not in raw (metaData is the calls row's raw).
    const stored = await t.rows('select id, raw from calls_extensive');
    expect(stored.length).toBe(ids.length);
    for (const row of stored) {
      const raw = parse(row.raw);
      expect(Object.keys(raw), row.id).toEqual([IN_TABLES]);
      expect(raw[IN_TABLES]).toEqual(expect.arrayContaining(['metaData', 'parties', 'trackers', 'context', 'public_comments']));
      expect(JSON.stringify(raw).length).toBeLessThan(300);
    }
    // Gong's order is kept: trackers are not stored in key order (else this test could not fail on order).
    const anyRecord = truth.get(ids[0]!)!;
    expect(anyRecord.content.trackers.map((x: any) => x.id)).not.toEqual(anyRecord.content.trackers.map((x: any) => x.id).sort());

    // A record with shapes the columns cannot hold, posted as Gong's automation rules do.
    const oddId = '98765432109876543210';
    const odd = oddRecord(truth.get(ids[0]!), oddId);
    const twoSystemsId = '98765432109876543211';
    const twoSystems = twoSystemsRecord(truth.get(ids[2]!), twoSystemsId);
    const app = await appFor(sim, t.db);
    try {
      const result = await storePostedCall(app, structuredClone(odd), { settings: { includePrivateCalls: true }, logger: silentLogger });
      expect(result.stored).toBe(true);
      const stored = await storePostedCall(app, structuredClone(twoSystems), {
        settings: { includePrivateCalls: true },
        logger: silentLogger,
      });
      expect(stored.stored).toBe(true);
    } finally {
      await app.close();
    }
    const oddRaw = parse((await t.rows(`select raw from calls_extensive where id = '${oddId}'`))[0]!.raw);
    // What only raw can hold stays there, as Gong sent it; the rest is in the tables.
    expect(oddRaw.parties).toEqual(odd.parties);
    expect(oddRaw.content.trackers).toEqual(odd.content.trackers);
    expect(oddRaw.context).toEqual(odd.context);
    expect(oddRaw.newGongBlock).toEqual({ rating: 4 });
    expect(oddRaw.content.topics).toBeUndefined();
    expect(oddRaw.metaData).toBeUndefined();

    // An older row that kept the whole record (and child rows without positions) still works.
    const oldId = ids[1]!;
    await t.run(`update calls_extensive set raw = ? where id = ?`, JSON.stringify(truth.get(oldId)), oldId);
    for (const table of ['call_topics', 'call_trackers', 'call_parties', 'call_speakers', 'call_context_objects', 'call_context_fields']) {
      await t.run(`update ${table} set seq = null where call_id = ?`, oldId);
    }
    await t.run(`update call_trackers set phrases = null where call_id = ?`, oldId);

    // Through the MCP answer path: each record equals what Gong sent, exactly (order included).
    sim.clearLog();
    const client = await mcpInProcess(simEnv(sim, t.db, env));
    const answered = await fromCopy(client, sim, [...ids, oddId]);
    for (const id of ids) expect(answered.get(id), id).toStrictEqual(truth.get(id));
    expect(answered.get(oddId)).toStrictEqual(odd);

    // The view: each old JSON block column holds the block Gong sent, for slim, odd and old rows.
    const twoSystemsRaw = parse((await t.rows(`select raw from calls_extensive where id = '${twoSystemsId}'`))[0]!.raw);
    expect(twoSystemsRaw[IN_TABLES], 'the two-system context is in the tables').toContain('context');
    const expected = new Map([...truth, [oddId, odd], [twoSystemsId, twoSystems]]);
    const view = await t.rows(`select * from calls_extensive_json`);
    expect(view.length).toBe(expected.size);
    for (const row of view) {
      const record = expected.get(row.id)!;
      for (const [column, keys] of Object.entries(VIEW_BLOCKS)) {
        expect(row[column] === null ? null : JSON.parse(row[column]), `${row.id} ${column}`).toStrictEqual(at(record, keys));
      }
    }
  });
});
