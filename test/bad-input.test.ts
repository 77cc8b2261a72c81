import { describe, expect, it } from 'vitest';
import cron from 'node-cron';
import { loadConfig, parseDate } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { selectStreams } from '../src/cli/stream-selection.js';
import { assertCallId } from '../src/media/media-downloader.js';
import { findAction, validateParams } from '../src/api/actions.js';
import { Random } from '../src/simulator/random.js';

/** Random strings shaped like what people mistype: numbers, dates, words, symbols, unicode, empties. */
function garbage(random: Random): string {
  const pieces = [
    '',
    ' ',
    '0',
    '-1',
    '3',
    '1e309',
    'NaN',
    'Infinity',
    '2026-02-30',
    '2026-11-25',
    '25/11/2026',
    'T10:00',
    'Z',
    '..',
    '/',
    '\\',
    'abc',
    '日本',
    '🙂',
    ';drop table',
    '\u0000',
    '%',
    'https://',
    'http://',
    'api.gong.io',
    'UTC',
    'Mars/Base',
    '*/5',
    '*',
    '0x10',
    '1.5',
    ',',
    'true',
  ];
  let out = '';
  for (let i = random.int(1, 4); i > 0; i--) out += random.pick(pieces);
  return out;
}

const VARIABLES: Array<[string, (config: ReturnType<typeof loadConfig>) => void]> = [
  ['GONG_RATE_LIMIT', (c) => expect(c.rateLimit).toBeGreaterThan(0)],
  ['GONG_DAILY_BUDGET', (c) => expect(Number.isInteger(c.dailyBudget) && c.dailyBudget > 0).toBe(true)],
  ['GONG_START_DATE', (c) => expect(c.startDate.getTime()).toBeLessThanOrEqual(Date.now())],
  ['GONG_TIMEZONE', (c) => expect(() => new Intl.DateTimeFormat('en', { timeZone: c.timeZone })).not.toThrow()],
  ['GONG_BASE_URL', (c) => expect(c.baseUrl).toMatch(/^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost|\[::1\]))/)],
  ['GONG_REQUEST_TIMEOUT_MS', (c) => expect(c.requestTimeoutMs).toBeGreaterThan(0)],
  ['GONG_INCLUDE_PRIVATE_CALLS', (c) => expect(typeof c.includePrivateCalls).toBe('boolean')],
  ['GONG_CONTENT_SELECTOR', (c) => expect(c.exposedFields === undefined || typeof c.exposedFields === 'object').toBe(true)],
];

describe('bad input, property-based', () => {
  it.each(VARIABLES)('%s: any value either parses to a valid setting or is refused with a message naming it', (name, isValid) => {
    const random = new Random(name.length * 7919);
    for (let i = 0; i < 300; i++) {
      const value = garbage(random);
      let config;
      try {
        config = loadConfig({ GONG_ACCESS_KEY: 'k', GONG_ACCESS_KEY_SECRET: 's', [name]: value }, {});
      } catch (error) {
        expect(error, `${name}=${JSON.stringify(value)}`).toBeInstanceOf(ConfigError);
        expect((error as Error).message).toContain(name);
        expect((error as Error).message).toMatch(/expected|must|is not|go together|in the future/);
        continue;
      }
      isValid(config);
    }
  });

  it('stream lists, call ids, dates, cron expressions and execute params are refused with ConfigError, never a crash', () => {
    const random = new Random(4242);
    for (let i = 0; i < 300; i++) {
      const value = garbage(random);
      const outcomes = [
        () => selectStreams(value),
        () => assertCallId(value),
        () => parseDate(value, '--from'),
        () => {
          const problems = validateParams(findAction('calls_extensive', 'list')!, { filter: { callIds: value } });
          if (problems.length > 0) throw new ConfigError(problems.join('; '));
        },
      ];
      for (const attempt of outcomes) {
        try {
          attempt();
        } catch (error) {
          expect(error, JSON.stringify(value)).toBeInstanceOf(ConfigError);
        }
      }
      // node-cron's validator answers every string without throwing; schedule turns "invalid" into exit 2.
      expect(typeof cron.validateDetailed(value).valid).toBe('boolean');
    }
  });
});

describe('bounds on settings', () => {
  const absurd: Array<[string, string]> = [
    ['GONG_RATE_LIMIT', '1e-9'],
    ['GONG_RATE_LIMIT', '0.01'],
    ['GONG_RATE_LIMIT', '1e12'],
    ['GONG_DAILY_BUDGET', '0'],
    ['GONG_DAILY_BUDGET', '1e15'],
    ['GONG_REQUEST_TIMEOUT_MS', '1'],
    ['GONG_REQUEST_TIMEOUT_MS', '99999999999'],
    ['GONG_RETRY_BASE_MS', '0'],
    ['GONG_RETRY_BASE_MS', '86400000'],
    ['GONG_MAX_RETRY_AFTER', '0'],
    ['GONG_MAX_RETRY_AFTER', '1e9'],
    ['GONG_MAX_RESPONSE_BYTES', '10'],
    ['GONG_MAX_RESPONSE_BYTES', '1e13'],
    ['GONG_MAX_RESPONSE_BYTES', '64MB'],
  ];

  it.each(absurd)('%s=%s is refused with the accepted range', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(
      new RegExp(`${name} "${value}" is not valid: expected a positive (whole )?number of .* from .* to .* \\(default`),
    );
  });

  it('a mistyped stream name gets a "did you mean" with the nearest stream; a name far from all gets the list only', () => {
    const refusal = (option: string) => {
      try {
        selectStreams(option);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error(`${option} was accepted`);
    };
    expect(refusal('cals')).toMatch(/^Unknown stream cals \(did you mean calls\?\): expected some of users, workspaces, calls/);
    expect(refusal('users,call_transcript,setings_trackers')).toMatch(
      /did you mean call_transcripts for call_transcript, settings_trackers for setings_trackers\?/,
    );
    expect(refusal('meetings')).toMatch(/^Unknown stream meetings: expected some of/);
    expect(refusal('meetings')).not.toMatch(/did you mean/);
  });

  it('the edges of each range are accepted, and the response size limit defaults to 64 MiB', () => {
    const config = loadConfig({
      GONG_RATE_LIMIT: '0.05',
      GONG_DAILY_BUDGET: '10000000',
      GONG_REQUEST_TIMEOUT_MS: '100',
      GONG_RETRY_BASE_MS: '60000',
      GONG_MAX_RETRY_AFTER: '86400',
      GONG_MAX_RESPONSE_BYTES: '1024',
    });
    expect([
      config.rateLimit,
      config.dailyBudget,
      config.requestTimeoutMs,
      config.retryBaseMs,
      config.maxRetryAfterSeconds,
      config.maxResponseBytes,
    ]).toEqual([0.05, 10_000_000, 100, 60_000, 86_400, 1024]);
    expect(loadConfig({}).maxResponseBytes).toBe(64 * 1024 * 1024);
  });
});
