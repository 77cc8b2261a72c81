import { describe, expect, it } from 'vitest';
import { planWindows, upperBoundFor, dateInTimeZone } from '../src/runner/date-windows.js';
import { backoffDelay, isCursorExpired, isEmptyResult404, parseRetryAfterSeconds } from '../src/gong/retry-policy.js';
import { parseJsonLossless } from '../src/gong/json.js';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { cronSurprises } from '../src/cli/cron-calendar.js';

describe('window planning', () => {
  const start = new Date('2025-11-25T00:00:00Z');
  it('plans one window for a first sync of a year, ending at the frozen bound', () => {
    expect(
      planWindows({
        granularity: 'datetime',
        bookmark: null,
        startDate: start,
        lookbackDays: 7,
        maxWindowDays: 366,
        upperBound: '2026-11-25T08:00:00Z',
      }),
    ).toEqual([{ from: '2025-11-25T00:00:00Z', to: '2026-11-25T08:00:00Z' }]);
  });
  it('starts at the bookmark minus the look-back on later runs', () => {
    expect(
      planWindows({
        granularity: 'datetime',
        bookmark: '2026-11-25T07:00:00Z',
        startDate: start,
        lookbackDays: 7,
        maxWindowDays: 366,
        upperBound: '2026-11-25T08:00:00Z',
      }),
    ).toEqual([{ from: '2026-11-18T07:00:00Z', to: '2026-11-25T08:00:00Z' }]);
  });
  it('cuts long ranges into windows of at most maxWindowDays, date-granular when asked', () => {
    const windows = planWindows({
      granularity: 'date',
      bookmark: null,
      startDate: start,
      lookbackDays: 0,
      maxWindowDays: 120,
      upperBound: '2026-11-25',
    });
    expect(windows).toEqual([
      { from: '2025-11-25', to: '2026-03-25' },
      { from: '2026-03-25', to: '2026-07-23' },
      { from: '2026-07-23', to: '2026-11-20' },
      { from: '2026-11-20', to: '2026-11-25' },
    ]);
  });
  it('plans nothing when the bound is not after the start', () => {
    expect(
      planWindows({
        granularity: 'date',
        bookmark: '2026-11-26',
        startDate: start,
        lookbackDays: 0,
        maxWindowDays: 30,
        upperBound: '2026-11-25',
      }),
    ).toEqual([]);
  });
  it('freezes "today" in the company time zone, never after today', () => {
    const instant = new Date('2026-11-25T03:00:00Z');
    expect(dateInTimeZone(instant, 'America/Los_Angeles')).toBe('2026-11-24');
    expect(upperBoundFor('today', instant, 'America/Los_Angeles')).toBe('2026-11-24');
    expect(upperBoundFor('tomorrow', instant, 'UTC')).toBe('2026-11-26');
    expect(upperBoundFor('now', new Date('2026-11-25T03:00:00.789Z'), 'UTC')).toBe('2026-11-25T03:00:00Z');
  });
});

describe('retry policy', () => {
  it('backs off exponentially with jitter, capped', () => {
    const low = { baseMs: 500, maxMs: 30_000, random: () => 0 };
    const high = { baseMs: 500, maxMs: 30_000, random: () => 0.999 };
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, low))).toEqual([250, 500, 1000, 2000]);
    expect(backoffDelay(3, high)).toBeLessThanOrEqual(4000);
    expect(backoffDelay(20, high)).toBeLessThanOrEqual(30_000);
  });
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfterSeconds('7', 0)).toBe(7);
    expect(parseRetryAfterSeconds(new Date(60_000).toUTCString(), 0)).toBe(60);
    expect(parseRetryAfterSeconds(undefined, 0)).toBe(1);
  });
  it("tells Gong's empty-result 404 and expired cursor apart from real errors", () => {
    expect(isEmptyResult404(404, ['No calls found corresponding to the provided filters'])).toBe(true);
    expect(isEmptyResult404(404, ['No folders found for the specified period'])).toBe(true);
    expect(isEmptyResult404(404, ['User 12 was not found'])).toBe(false);
    expect(isCursorExpired(400, ['cursor has expired'])).toBe(true);
    expect(isCursorExpired(400, ['fromDate must be before toDate'])).toBe(false);
  });
});

describe('lossless JSON', () => {
  it('keeps integers beyond 2^53 digit for digit and leaves everything else alone', () => {
    const parsed = parseJsonLossless(
      '{"scorecardId":9223372036854775807123,"small":42,"neg":-12345678901234567890,"text":"id 12345678901234567890","f":1.5e300,"q":[98765432109876543210]}',
    ) as Record<string, unknown>;
    expect(parsed).toEqual({
      scorecardId: '9223372036854775807123',
      small: 42,
      neg: '-12345678901234567890',
      text: 'id 12345678901234567890',
      f: 1.5e300,
      q: ['98765432109876543210'],
    });
  });
});

describe('configuration', () => {
  const base = { GONG_ACCESS_KEY: 'k', GONG_ACCESS_KEY_SECRET: 's' };
  it.each([
    [{ GONG_START_DATE: '2026-02-30' }, /GONG_START_DATE "2026-02-30" is not a date: expected YYYY-MM-DD/],
    [{ GONG_START_DATE: '2099-01-01' }, /GONG_START_DATE 2099-01-01 is in the future/],
    [{ GONG_RATE_LIMIT: 'fast' }, /GONG_RATE_LIMIT "fast" is not valid: expected a positive number/],
    [{ GONG_RATE_LIMIT: '-3' }, /GONG_RATE_LIMIT "-3" is not valid/],
    [{ GONG_DAILY_BUDGET: '1.5' }, /GONG_DAILY_BUDGET "1.5" is not valid: expected a positive whole number/],
    [{ GONG_BASE_URL: 'http://us-1.api.gong.io' }, /GONG_BASE_URL must use https/],
    [{ GONG_BASE_URL: 'not a url' }, /GONG_BASE_URL "not a url" is not a URL/],
    [{ GONG_TIMEZONE: 'Mars/Olympus' }, /GONG_TIMEZONE "Mars\/Olympus" is not a time zone/],
    [{ GONG_ACCESS_KEY_SECRET: '', GONG_ACCESS_KEY: 'k' }, /GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET go together/],
  ])('rejects %o with a message that says what is expected', (env, message) => {
    expect(() => loadConfig({ ...base, ...env }, {}, new Date('2026-11-25T00:00:00Z'))).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, ...env }, {}, new Date('2026-11-25T00:00:00Z'))).toThrow(message);
  });
});

describe('terminal progress', () => {
  it('shows records, pages, request rate and, for a backfill, how far through the range it is', async () => {
    const { terminalProgress } = await import('../src/cli/progress.js');
    let written = '';
    const output = { write: (text: string) => ((written += text), true) } as unknown as NodeJS.WriteStream;
    let requests = 0;
    const progress = terminalProgress(output, () => requests, { from: '2026-01-01', to: '2026-03-01' });
    requests = 3;
    // A backfill reads newest first: what lies after the window's start is done.
    progress.onPage({
      stream: 'calls_extensive',
      records: 100,
      rows: 900,
      windowFrom: '2026-01-31T00:00:00Z',
      windowTo: '2026-03-01T00:00:00Z',
    });
    expect(written).toMatch(/calls_extensive: 100 records, 1 pages, 3 requests \(.*\/s\), 49% of 2026-01-01\.\.2026-03-01/);
    progress.onPage({ stream: 'call_transcripts', records: 40, rows: 2000 });
    progress.finish();
    // The next stream's line replaces the last one in place (its own log line has the final figures).
    expect(written).toMatch(/\r\x1b\[2Kcall_transcripts: 40 records, 1 pages/);
    // Finishing clears the line, so what is printed next starts on a clean line.
    expect(written.endsWith('\r\x1b[2K')).toBe(true);
    expect(written).not.toContain('\n');
  });
});

describe('cron expressions on a real calendar', () => {
  const from = new Date('2026-12-03T00:00:00Z');
  it('names the wall-clock times a daylight-saving gap removes, in that zone only', () => {
    expect(cronSurprises('30 2 * * *', 'America/New_York', from).map((s) => s.message)).toEqual([
      '2027-03-14 02:30 does not exist in America/New_York (clocks jump from 02:00 to 03:00): that run does not happen',
    ]);
    expect(cronSurprises('15 2 * * 0', 'Europe/Berlin', from).map((s) => s.wallClock)).toEqual(['2027-03-28 02:15']);
    // Half-hour shifts, and seconds: every lost run is counted in one line.
    expect(cronSurprises('*/30 * * * * *', 'Australia/Lord_Howe', from).map((s) => s.message)).toEqual([
      '2027-10-03 02:00:00 to 02:29:30 do not exist in Australia/Lord_Howe (clocks jump from 02:00 to 02:30): those 60 runs do not happen',
    ]);
    expect(cronSurprises('30 2 * * *', 'UTC', from)).toEqual([]);
    // From any moment, not only a whole hour.
    expect(cronSurprises('30 2 * * *', 'America/New_York', new Date('2026-12-03T08:27:05.517Z')).map((s) => s.wallClock)).toEqual([
      '2027-03-14 02:30',
    ]);
    // Hourly: the 02:00 run is lost too, but 03:00 does its work the same day: a note, not a warning.
    expect(cronSurprises('0 * * * *', 'America/New_York', from)).toEqual([
      { wallClock: '2027-03-14 02:00', message: expect.stringMatching(/does not exist in America\/New_York/), minor: true },
    ]);
    expect(cronSurprises('30 2 * * *', 'America/New_York', from)[0]!.minor).toBe(false);
    expect(cronSurprises('30 3 * * *', 'America/New_York', from)).toEqual([]);
  });

  it('names days some years or months lack', () => {
    expect(cronSurprises('0 0 29 2 *', 'UTC', from).map((s) => s.message)).toEqual([
      'February 29 exists only in leap years: in other years that run does not happen',
    ]);
    expect(cronSurprises('0 0 31 4,5 *', 'UTC', from).map((s) => s.message)).toEqual([
      'April 31 does not exist: the expression never runs on it',
    ]);
    expect(cronSurprises('0 0 31 * *', 'UTC', from).map((s) => s.wallClock)).toEqual([
      'February 31',
      'April 31',
      'June 31',
      'September 31',
      'November 31',
    ]);
  });
});
