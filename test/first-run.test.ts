import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_CREDENTIALS, startSimulator } from './helpers/simulator.js';
import { runCli, simEnv, spawnCli, tempDir, messagesOf } from './helpers/cli.js';
import { json, startHostileServer } from './helpers/hostile-server.js';
import { query } from './helpers/database.js';

/** Every stderr line without a terminal is one JSON object. */
function jsonLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      expect(() => JSON.parse(line), `not JSON: ${line}`).not.toThrow();
      return JSON.parse(line) as Record<string, unknown>;
    });
}

describe('a first run: check, fail fast, the simulator, machine-readable logs', () => {
  it('check: host reachable, credentials accepted, one request, exit 0; --version prints the package version', async () => {
    const sim = await startSimulator({ calls: 20 });
    const dir = tempDir();
    const result = await runCli(['check'], simEnv(sim, path.join(dir, 'none.db')));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/host: +127\.0\.0\.1:\d+ reachable/);
    expect(result.stdout).toMatch(/credentials: +accepted/);
    expect(result.stdout).toMatch(/GET \/v2\/workspaces +200/);
    expect(sim.apiRequests().map((r) => r.path)).toEqual(['/v2/workspaces']);
    // check never creates a database
    expect(fs.existsSync(path.join(dir, 'none.db'))).toBe(false);

    const version = await runCli(['--version'], {});
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('a wrong secret: check and sync exit 2 with one message naming the host, after one request, and the run is recorded', async () => {
    const sim = await startSimulator({ calls: 20 });
    const db = path.join(tempDir(), 'gong.db');
    const env = simEnv(sim, db, { GONG_ACCESS_KEY_SECRET: 'wrong-secret-9d1e' });
    const check = await runCli(['check'], env);
    expect(check.code).toBe(2);
    expect(check.stdout).toMatch(/credentials: +NOT accepted/);
    const sync = await runCli(['sync'], env);
    expect(sync.code).toBe(2);
    expect(sim.apiRequests().length).toBe(2);
    const errors = jsonLines(sync.stderr).filter((l) => l.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/Gong rejected the credentials \(401\) for http:\/\/127\.0\.0\.1:\d+: check GONG_ACCESS_KEY/);
    expect(query(db, 'select outcome, requests from _runs')).toEqual([{ outcome: 'failed', requests: 1 }]);
    expect(query(db, 'select requests from _request_counts')).toEqual([{ requests: 1 }]);
  });

  it('an unreachable host (connection refused): sync and backfill exit 2 at once, nothing else is tried', async () => {
    const sim = await startSimulator({ calls: 20 });
    const refused = 'http://127.0.0.1:1';
    const db = path.join(tempDir(), 'gong.db');
    const sync = await runCli(['sync'], simEnv(sim, db, { GONG_BASE_URL: refused }));
    expect(sync.code).toBe(2);
    expect(sync.stderr).toMatch(/127\.0\.0\.1:1 refused the connection \(ECONNREFUSED\): check GONG_BASE_URL/);
    const backfill = await runCli(['backfill', '--from', '2026-01-01', '--to', '2026-02-01'], simEnv(sim, db, { GONG_BASE_URL: refused }));
    expect(backfill.code).toBe(2);
    const runs = query<{ outcome: string; requests: number; message: string }>(
      db,
      'select outcome, requests, message from _runs order by id',
    );
    expect(runs.map((r) => [r.outcome, r.requests])).toEqual([
      ['failed', 1],
      ['failed', 1],
    ]);
    // No stream claims success for a run that never reached Gong.
    expect(query(db, 'select count(*) n from _sync_state where last_success_at is not null')).toEqual([{ n: 0 }]);
  });

  it('an answer that is not Gong (an HTML page) or a TLS failure: exit 2 naming what to check, at most 3 requests', async () => {
    const portal = await startHostileServer(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html><body>Sign in to the corporate proxy</body></html>');
      },
      { misbehaveOnCheck: true },
    );
    const db = path.join(tempDir(), 'gong.db');
    const env = {
      GONG_BASE_URL: portal.url,
      GONG_ACCESS_KEY: 'k',
      GONG_ACCESS_KEY_SECRET: 'not-gong-secret-77',
      GONG_DB: db,
      GONG_LOG_FORMAT: 'json',
    };
    const sync = await runCli(['sync'], env);
    expect(sync.code).toBe(2);
    expect(sync.stderr).toMatch(/answered, but not like Gong's API .*text\/html.*GONG_BASE_URL/);
    expect(portal.requests.length).toBeLessThanOrEqual(3);

    // TLS: a server on 127.0.0.1 with a self-signed certificate gong-sync must not trust.
    const dir = tempDir();
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    let tlsRequests = 0;
    const server = https.createServer(
      { key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) },
      (_req, res) => {
        tlsRequests++;
        json(res, 200, { requestId: 'x', workspaces: [] });
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const check = await runCli(['check'], { ...env, GONG_BASE_URL: url });
      expect(check.code).toBe(2);
      expect(check.stderr).toMatch(
        /TLS failed with 127\.0\.0\.1:\d+ \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\)/,
      );
      expect(tlsRequests).toBe(0);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('403 on the check with working credentials names the missing scope', async () => {
    const server = await startHostileServer(
      (req, res) => {
        if (req.url?.startsWith('/v2/workspaces')) return json(res, 403, { requestId: 'r', errors: ['Insufficient scope'] });
        return json(res, 200, { requestId: 'r', records: { totalRecords: 0, currentPageSize: 0, currentPageNumber: 0 }, users: [] });
      },
      { misbehaveOnCheck: true },
    );
    const result = await runCli(['check'], {
      GONG_BASE_URL: server.url,
      GONG_ACCESS_TOKEN: 'token-abc-123456',
      GONG_DB: path.join(tempDir(), 'x.db'),
      GONG_LOG_FORMAT: 'json',
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/credentials: +accepted/);
    expect(result.stderr).toMatch(/lacks the scope api:workspaces:read/);
    expect(server.requests.map((r) => r.path)).toEqual(['/v2/workspaces', '/v2/users']);
  });

  it('gong-sync simulator keeps a simulated Gong running and prints the environment that check and sync use', async () => {
    const dir = tempDir();
    const { child, result } = spawnCli(['simulator', '--calls', '30', '--days', '20'], {});
    let printed = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        printed += d;
        if (/GONG_DB=/.test(printed)) resolve();
      });
      child.on('close', () => reject(new Error(`simulator exited early: ${printed}`)));
    });
    const env: Record<string, string> = {};
    for (const match of printed.matchAll(/export (GONG_[A-Z_]+)=(\S+)/g)) env[match[1]!] = match[2]!;
    expect(Object.keys(env).sort()).toEqual(['GONG_ACCESS_KEY', 'GONG_ACCESS_KEY_SECRET', 'GONG_BASE_URL', 'GONG_DB', 'GONG_START_DATE']);
    expect(env.GONG_ACCESS_KEY).toBe(DEMO_CREDENTIALS.accessKey);
    // The commands it suggests run as printed: `npx gong-sync` in a clone, `gong-sync` once installed or linked.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { commandName } = await import('../src/command-name.js');
    expect(printed).toContain(`then try:\n  ${commandName()} check\n  ${commandName()} sync\n`);
    const db = path.join(dir, 'sim.db');
    const check = await runCli(['check'], { ...env, GONG_DB: db });
    expect(check.code, check.stderr).toBe(0);
    const sync = await runCli(['sync', '--streams', 'users,calls'], { ...env, GONG_DB: db, GONG_LOG_FORMAT: 'json' });
    expect(sync.code, sync.stderr).toBe(0);
    expect(query(db, 'select count(*) n from calls')[0]).toEqual({ n: expect.any(Number) });
    child.kill('SIGINT');
    const ended = await result;
    expect(ended.code).toBe(0);
    expect(ended.stdout).toMatch(/simulator stopped after \d+ API requests/);
  });

  it('without a terminal every stderr line of a run is JSON carrying the run id stored in _runs, with run start and end events', async () => {
    const sim = await startSimulator({ calls: 60 });
    const db = path.join(tempDir(), 'gong.db');
    const result = await runCli(['sync', '--streams', 'users,calls'], simEnv(sim, db));
    expect(result.code, result.stderr).toBe(0);
    const lines = jsonLines(result.stderr);
    const [run] = query<{ run_id: string; requests: number }>(db, 'select run_id, requests from _runs');
    expect(run!.run_id).toMatch(/^[0-9a-f-]{36}$/);
    for (const line of lines) expect(line.run_id, JSON.stringify(line)).toBe(run!.run_id);
    const started = lines.find((l) => l.event === 'run_started');
    const finished = lines.find((l) => l.event === 'run_finished');
    expect(started).toMatchObject({ command: 'sync', streams: ['users', 'calls'] });
    expect(finished).toMatchObject({ outcome: 'succeeded', requests: run!.requests, throttled: 0 });
    expect(finished!.rows_written).toBeGreaterThan(60);
  });

  it('demo on a terminal shows live progress, and log lines never share a line with it', async () => {
    const dir = tempDir();
    const transcript = path.join(dir, 'tty.out');
    const bin = path.resolve(__dirname, '../bin/gong-sync.js');
    // `script` gives the demo a pseudo-terminal, as a person running it has.
    const command = `GONG_RATE_LIMIT=1000 ${process.execPath} ${bin} demo --calls 20 --db ${path.join(dir, 'demo.db')} --log-format text`;
    execFileSync('script', ['-qfec', command, transcript], { stdio: 'ignore', timeout: 120_000 });
    const raw = fs.readFileSync(transcript, 'utf8');
    expect(raw).toMatch(/\r\x1b\[2Kcalls_extensive: 20 records, \d+ pages, \d+ requests/);
    // What the terminal shows: each line is what follows its last "clear line".
    const visible = raw
      .replace(/\r\n/g, '\n')
      .split('\n')
      .map((line) => line.split('\r\x1b[2K').pop()!);
    const progress = /^\w+: \d+ records, \d+ pages, \d+ requests \(/;
    const logLine = /^\w+: \d+ records, \d+ rows, \d+ requests$/;
    expect(visible.filter((line) => logLine.test(line)).length).toBeGreaterThanOrEqual(10);
    for (const line of visible) {
      const mixed = progress.test(line) && /rows/.test(line.replace(progress, ''));
      expect(mixed, JSON.stringify(line)).toBe(false);
      expect(line.split(/records,/).length - 1, JSON.stringify(line)).toBeLessThanOrEqual(1);
    }
    expect(visible.join('\n')).toMatch(/^succeeded: \d+ rows written/m);
  });

  it('schedule keeps a heartbeat file fresh for liveness checks, and stops cleanly', async () => {
    const sim = await startSimulator({ calls: 20 });
    const dir = tempDir();
    const heartbeat = path.join(dir, 'alive');
    const { child, result } = spawnCli(
      ['schedule', '--cron', '0 0 1 1 *', '--heartbeat-file', heartbeat],
      simEnv(sim, path.join(dir, 'gong.db')),
    );
    for (let i = 0; i < 200 && !fs.existsSync(heartbeat); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fs.existsSync(heartbeat)).toBe(true);
    expect(Date.now() - fs.statSync(heartbeat).mtimeMs).toBeLessThan(60_000);
    child.kill('SIGTERM');
    expect((await result).code).toBe(0);
  });

  it('schedule names a cron time that falls in a daylight-saving gap when it starts, with the next run times', async () => {
    const sim = await startSimulator({ calls: 5 });
    const dir = tempDir();
    const heartbeat = path.join(dir, 'alive');
    // 02:30 on March 14: in 2027 New York's clocks jump from 02:00 to 03:00 that day, so node-cron's next run is 2028.
    const args = ['schedule', '--cron', '30 2 14 3 *', '--timezone', 'America/New_York', '--heartbeat-file', heartbeat];
    const { child, result } = spawnCli(args, simEnv(sim, path.join(dir, 'gong.db')));
    for (let i = 0; i < 200 && !fs.existsSync(heartbeat); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGTERM');
    const outcome = await result;
    expect(outcome.code).toBe(0);
    const messages = messagesOf(outcome.stderr);
    expect(messages).toMatch(/next runs: \d{4}-03-14T06:30:00\.000Z \(\d{4}-03-14 02:30 America\/New_York\)/);
    expect(messages).toMatch(
      /--cron "30 2 14 3 \*": 2027-03-14 02:30 does not exist in America\/New_York \(clocks jump from 02:00 to 03:00\): that run does not happen/,
    );
    const warning = outcome.stderr.split('\n').find((line) => line.includes('does not exist'))!;
    expect(JSON.parse(warning)).toMatchObject({ level: 'warn', event: 'cron_time_missing', wall_clock: '2027-03-14 02:30' });
  });
});
