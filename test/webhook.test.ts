import path from 'node:path';
import { createHash, createSign, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { simEnv, spawnCli, tempDir } from './helpers/cli.js';
import { column, query } from './helpers/database.js';
import { loadConfig } from '../src/config.js';
import { createApp, syncOptions, type App } from '../src/app.js';
import { runSync } from '../src/runner/sync.js';
import { silentLogger } from '../src/logger.js';
import { startWebhook } from '../src/webhook/serve.js';
import { streams, OPT_IN_STREAMS } from '../streams/index.js';
import { callsExtensive } from '../streams/calls-extensive.js';
import type { GongSimulator } from '../src/simulator/server.js';
import type { SimCall } from '../src/simulator/dataset.js';

/** What Gong's automation rule posts for a call: the call as /v2/calls/extensive shapes it. */
function payloadOf(sim: GongSimulator, call: SimCall, isTest = false): string {
  const request = callsExtensive.request({
    window: { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
    settings: { includePrivateCalls: true },
  });
  const exposed = (request.body as any).contentSelector.exposedFields;
  return JSON.stringify({ callData: sim.account.extensiveOf(call, exposed), isTest });
}

async function syncedApp(sim: GongSimulator, env: Record<string, string> = {}): Promise<{ app: App; db: string }> {
  const db = path.join(tempDir(), 'gong.db');
  const app = await createApp(loadConfig(simEnv(sim, db, env)));
  const report = await runSync(
    syncOptions(
      app,
      streams.filter((s) => !OPT_IN_STREAMS.includes(s.name)),
    ),
  );
  expect(report.outcome, report.error?.message).toBe('succeeded');
  return { app, db };
}

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

describe('gong-sync webhook', () => {
  it('stores a posted call, its parties and its transcript with at most 4 requests; refuses malformed posts and keeps serving; ignores tests', async () => {
    const sim = await startSimulator({ calls: 80 });
    const { app, db } = await syncedApp(sim);
    const receiver = await startWebhook(app, { host: '127.0.0.1', port: 0, settings: { includePrivateCalls: true }, logger: silentLogger });
    try {
      const [fresh, other] = sim.account.addCalls(2);
      const id = String(fresh!.record.id);
      sim.requests.length = 0;
      const sent = Date.now();
      const answer = await post(receiver.url, payloadOf(sim, fresh!));
      expect(answer.status).toBe(202);
      expect(await answer.json()).toMatchObject({ accepted: true, callId: id });
      await receiver.idle();
      expect(Date.now() - sent).toBeLessThan(10_000);
      expect(column(db, `select id from calls where id = '${id}'`)).toEqual([id]);
      expect(column(db, `select id from calls_extensive where id = '${id}'`)).toEqual([id]);
      expect(Number(column(db, `select count(*) from call_parties where call_id = '${id}'`)[0])).toBeGreaterThan(0);
      expect(column(db, `select call_id from call_transcripts where call_id = '${id}'`)).toEqual([id]);
      const toGong = sim.requests.filter((r) => r.path.startsWith('/v2/'));
      expect(toGong.length).toBeGreaterThan(0);
      expect(toGong.length).toBeLessThanOrEqual(4);
      // Counted in the day's budget like any sync request.
      expect(Number(query<{ requests: number }>(db, 'select requests from _request_counts')[0]!.requests)).toBeGreaterThan(0);

      for (const bad of [
        'not json',
        '[]',
        '{"isTest": false}',
        '{"callData": {"metaData": {}}}',
        '{"callData": {"metaData": {"id": "7"}}, "isTest": "no"}',
      ]) {
        expect((await post(receiver.url, bad)).status, bad).toBe(400);
      }
      // A test post from Gong's UI: answered, nothing stored, no request to Gong.
      sim.requests.length = 0;
      const test = await post(receiver.url, payloadOf(sim, other!, true));
      expect(test.status).toBe(202);
      await receiver.idle();
      expect(column(db, `select id from calls where id = '${other!.record.id}'`)).toEqual([]);
      expect(sim.requests).toHaveLength(0);
      expect(receiver.stats).toMatchObject({ stored: 1, tests: 1, refused: 5, failed: 0 });
    } finally {
      await receiver.stop();
      await app.close();
    }
  }, 120_000);

  it('with GONG_WEBHOOK_PUBLIC_KEY, accepts only posts whose RS256 JWT matches the key and the body', async () => {
    const sim = await startSimulator({ calls: 40 });
    const { app, db } = await syncedApp(sim);
    const gong = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = gong.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const receiver = await startWebhook(app, {
      host: '127.0.0.1',
      port: 0,
      publicKeyPem: pem,
      settings: { includePrivateCalls: true },
      logger: silentLogger,
    });
    const jwt = (body: string, key = gong.privateKey) => {
      const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const head = `${encode({ alg: 'RS256', typ: 'JWT' })}.${encode({ webhook_url: receiver.url, body_sha256: createHash('sha256').update(body).digest('hex'), exp: Math.floor(Date.now() / 1000) + 300 })}`;
      return `${head}.${createSign('RSA-SHA256').update(head).sign(key).toString('base64url')}`;
    };
    try {
      const [call] = sim.account.addCalls(1);
      const body = payloadOf(sim, call!);
      expect((await post(receiver.url, body)).status).toBe(401);
      expect((await post(receiver.url, body, { authorization: jwt(body, stranger.privateKey) })).status).toBe(401);
      expect((await post(receiver.url, body, { authorization: jwt('{"other": "body"}') })).status).toBe(401);
      await receiver.idle();
      expect(column(db, `select id from calls where id = '${call!.record.id}'`)).toEqual([]);
      expect((await post(receiver.url, body, { authorization: `Bearer ${jwt(body)}` })).status).toBe(202);
      await receiver.idle();
      expect(column(db, `select id from calls where id = '${call!.record.id}'`)).toEqual([String(call!.record.id)]);
    } finally {
      await receiver.stop();
      await app.close();
    }
  }, 120_000);

  it.each([
    { args: ['webhook', '--port', '0'], said: /1 call\(s\) stored/ },
    { args: ['schedule', '--cron', '0 0 1 1 *', '--webhook-port', '0'], said: /scheduler stopped/ },
  ])(
    '$args.0 as a command: listens, stores a post, and ends on SIGTERM with exit 0',
    async ({ args, said }) => {
      const sim = await startSimulator({ calls: 30 });
      const { app, db } = await syncedApp(sim);
      await app.close();
      const { child, result } = spawnCli(args, simEnv(sim, db));
      const url = await new Promise<string>((resolve, reject) => {
        let seen = '';
        child.stderr!.on('data', (chunk: Buffer) => {
          seen += chunk.toString();
          const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
          if (match) resolve(match[1]!);
        });
        child.once('exit', () => reject(new Error(`webhook exited early: ${seen}`)));
      });
      const [call] = sim.account.addCalls(1);
      expect((await post(url, payloadOf(sim, call!))).status).toBe(202);
      expect((await post(url, '{')).status).toBe(400);
      for (let i = 0; i < 100 && column(db, `select id from calls where id = '${call!.record.id}'`).length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(column(db, `select id from calls where id = '${call!.record.id}'`)).toEqual([String(call!.record.id)]);
      child.kill('SIGTERM');
      const ended = await result;
      expect(ended.code, ended.stderr).toBe(0);
      expect(ended.stdout).toMatch(said);
    },
    120_000,
  );
});
