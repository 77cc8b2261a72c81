import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from './helpers/simulator.js';
import { messagesOf, runInProcess, simEnv, tempDir } from './helpers/cli.js';

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The CLI's parsing, configuration and exit codes, through its own main() in this process (the
 * binary itself is covered by the tests that spawn it: first-run, operations, hardening).
 */
describe('the command line, in process', () => {
  it('every command answers bad input with exit 2 and a message that says what is expected', async () => {
    const sim = await startSimulator({ calls: 5 });
    const db = path.join(tempDir(), 'gong.db');
    const env = simEnv(sim, db);
    const future = isoDay(Date.now() + 3 * DAY);
    expect((await runInProcess(['migrate'], env)).code).toBe(0);
    const cases: Array<[string[], Record<string, string | undefined>, RegExp]> = [
      [['sync', '--streams', 'calls,meetings'], {}, /Unknown stream meetings: expected some of users, workspaces, calls/],
      [['sync', '--streams', ''], {}, /--streams is empty/],
      [['sync'], { GONG_START_DATE: 'last tuesday' }, /GONG_START_DATE "last tuesday" is not a date: expected YYYY-MM-DD/],
      [['sync'], { GONG_RATE_LIMIT: '0' }, /GONG_RATE_LIMIT "0" is not valid: expected a positive number/],
      [['sync'], { GONG_DAILY_BUDGET: 'lots' }, /GONG_DAILY_BUDGET "lots" is not valid: expected a positive whole number/],
      [
        ['sync'],
        { GONG_ACCESS_KEY: undefined, GONG_ACCESS_KEY_SECRET: undefined },
        /No Gong credentials: set GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET, or GONG_ACCESS_TOKEN/,
      ],
      [['sync'], { GONG_BASE_URL: 'http://api.gong.io' }, /GONG_BASE_URL must use https/],
      [['sync', '--db', path.join(db, 'nope', 'x.db')], {}, /Cannot create the database .* does not exist/],
      [['sync', '--bogus'], {}, /unknown option '--bogus'/],
      [['backfill', '--from', '2026-13-01', '--to', '2026-02-01'], {}, /--from "2026-13-01" is not a date: expected YYYY-MM-DD/],
      [['backfill', '--from', '2026-03-01', '--to', '2026-02-01'], {}, /--from 2026-03-01 must be before --to 2026-02-01/],
      [['backfill', '--from', '2026-01-01', '--to', future], {}, new RegExp(`--to ${future} is in the future`)],
      [['backfill', '--to', '2026-02-01'], {}, /required option '--from <date>' not specified/],
      [['schedule', '--cron', 'every hour'], {}, /--cron "every hour" is not a cron expression/],
      [['schedule', '--timezone', 'Moon/Base'], {}, /--timezone "Moon\/Base" is not a time zone/],
      [['query', 'select 1', '--format', 'xml', '--db', db], {}, /--format "xml" is not valid: expected table, csv, json/],
      [['query', 'select nothing from nowhere', '--db', db], {}, /SQL error: no such table: nowhere|SQL error/],
      [
        ['query', 'select 1', '--db', path.join(path.dirname(db), 'missing.db')],
        {},
        /No database at .*missing\.db: run "gong-sync sync" first/,
      ],
      [['get', 'users', 'abc'], {}, /"abc" is not a Gong id: expected up to 20 digits/],
      [['get', 'deals', '1'], {}, /Cannot get "deals": expected one of users, calls/],
      [['download', 'audio', '../../etc/passwd'], {}, /"..\/..\/etc\/passwd" is not a Gong call id: expected up to 20 digits/],
      [['download', 'film', '123'], {}, /Cannot download "film": expected audio or video/],
      [['demo', '--calls', 'many'], {}, /--calls "many" is not valid: expected a whole number from 1 to 100000/],
      [['execute', 'users', 'get', '--params', '{"id":5}'], {}, /parameter "id" must be string, got number/],
      [['status', '--db', path.join(path.dirname(db), 'missing.db')], {}, /No database at/],
      [['frobnicate'], {}, /unknown command 'frobnicate'/],
      [['sync', '--log-format', 'yaml'], {}, /--log-format "yaml" is not valid: expected text or json/],
    ];
    for (const [args, extra, message] of cases) {
      const result = await runInProcess(args, { ...env, ...extra });
      expect(result.code, args.join(' ')).toBe(2);
      expect(messagesOf(result.stderr), args.join(' ')).toMatch(message);
      expect(result.stderr, args.join(' ')).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(sim.apiRequests()).toHaveLength(0);
  });

  it('GONG_RATE_LIMIT=1e-9 on the command line exits 2 at once instead of hanging', async () => {
    const result = await runInProcess(['sync'], {
      GONG_RATE_LIMIT: '1e-9',
      GONG_ACCESS_KEY: 'k',
      GONG_ACCESS_KEY_SECRET: 'secret-value',
      GONG_BASE_URL: 'http://127.0.0.1:9',
      GONG_DB: `${tempDir()}/gong.db`,
    });
    expect(result.code).toBe(2);
    expect(messagesOf(result.stderr)).toMatch(
      /GONG_RATE_LIMIT "1e-9" is not valid: expected a positive number of requests per second from 0.05 to 100000/,
    );
    // Without a terminal a configuration error is a log line like any other: one JSON object.
    const lines = result.stderr.trim().split('\n');
    expect(lines.map((line) => JSON.parse(line).level)).toEqual(['error']);
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: 'configuration_error' });
    expect(result.stderr).not.toContain('secret-value');
  });
});
