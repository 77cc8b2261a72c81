import { ConfigError } from './errors.js';
import { commandName } from './command-name.js';
import type { GongAuth } from './gong/client.js';
import type { LogFormat } from './logger.js';
import { containsSecret, credentialSecrets, registerSecrets } from './redact.js';

export interface AppConfig {
  baseUrl: string;
  auth?: GongAuth;
  /** A SQLite file, or a postgres:// URL (GONG_DB / --db). */
  dbFile: string;
  /** PostgreSQL: the schema of the tables (GONG_DB_SCHEMA). */
  dbSchema: string;
  startDate: Date;
  rateLimit: number;
  dailyBudget: number;
  mediaDir: string;
  timeZone: string;
  includePrivateCalls: boolean;
  /** calls_extensive's contentSelector.exposedFields, replacing the default (GONG_CONTENT_SELECTOR, JSON). */
  exposedFields?: Record<string, unknown>;
  retryBaseMs: number;
  requestTimeoutMs: number;
  maxRetryAfterSeconds: number;
  /** A response larger than this fails cleanly instead of filling memory (GONG_MAX_RESPONSE_BYTES). */
  maxResponseBytes: number;
  logFormat: LogFormat;
  quiet: boolean;
  /** Requests per UTC day the MCP server may spend on live answers (GONG_MCP_LIVE_BUDGET); unset: a share of dailyBudget. */
  mcpLiveBudget?: number;
  /** Mask email addresses and phone numbers said in transcripts, in MCP answers and exports (GONG_REDACT_TEXT=1). */
  redactText: boolean;
}

/** Flags that override the environment (commander's camelCase names). */
export interface ConfigFlags {
  db?: string;
  logFormat?: string;
  quiet?: boolean;
}

const DAY_MS = 86_400_000;
const MIB = 1024 * 1024;

/**
 * What each numeric setting accepts. Outside these a value is a typo or would make the run hang
 * (a rate of 1e-9 requests per second) or misbehave, so it is refused with exit 2.
 */
export const SETTING_BOUNDS = {
  GONG_RATE_LIMIT: { min: 0.05, max: 100_000, unit: 'requests per second' },
  GONG_DAILY_BUDGET: { min: 1, max: 10_000_000, unit: 'requests per UTC day' },
  GONG_RETRY_BASE_MS: { min: 1, max: 60_000, unit: 'milliseconds' },
  GONG_REQUEST_TIMEOUT_MS: { min: 100, max: 3_600_000, unit: 'milliseconds' },
  GONG_MAX_RETRY_AFTER: { min: 1, max: 86_400, unit: 'seconds' },
  GONG_MAX_RESPONSE_BYTES: { min: 1024, max: 2048 * MIB, unit: 'bytes' },
  GONG_MCP_LIVE_BUDGET: { min: 0, max: 10_000_000, unit: 'requests per UTC day for live MCP answers' },
} as const;
type BoundedSetting = keyof typeof SETTING_BOUNDS;

/** Reads the environment and flags once, validating each value with a message that says what is expected. */
export function loadConfig(env: NodeJS.ProcessEnv, flags: ConfigFlags = {}, now: Date = new Date()): AppConfig {
  const auth = parseAuth(env);
  // From here on no output, error or database row can carry the credentials.
  if (auth) registerSecrets(credentialSecrets(auth));
  const baseUrl = parseBaseUrl(env.GONG_BASE_URL ?? 'https://api.gong.io');
  return {
    baseUrl,
    auth,
    dbFile: nonEmpty(flags.db ?? env.GONG_DB ?? './gong.db', '--db / GONG_DB'),
    dbSchema: parseSchemaName(env.GONG_DB_SCHEMA ?? 'gong'),
    startDate: env.GONG_START_DATE ? parseDate(env.GONG_START_DATE, 'GONG_START_DATE', now) : new Date(now.getTime() - 365 * DAY_MS),
    rateLimit: parseBounded(env, 'GONG_RATE_LIMIT', 3, false),
    dailyBudget: parseBounded(env, 'GONG_DAILY_BUDGET', 9000, true),
    mediaDir: nonEmpty(env.GONG_MEDIA_DIR ?? './media', 'GONG_MEDIA_DIR'),
    timeZone: parseTimeZone(env.GONG_TIMEZONE ?? 'UTC'),
    includePrivateCalls: parseBoolean(env.GONG_INCLUDE_PRIVATE_CALLS, 'GONG_INCLUDE_PRIVATE_CALLS', true),
    exposedFields: parseJsonObject(env.GONG_CONTENT_SELECTOR, 'GONG_CONTENT_SELECTOR'),
    retryBaseMs: parseBounded(env, 'GONG_RETRY_BASE_MS', 500, true),
    requestTimeoutMs: parseBounded(env, 'GONG_REQUEST_TIMEOUT_MS', 60_000, true),
    maxRetryAfterSeconds: parseBounded(env, 'GONG_MAX_RETRY_AFTER', 120, true),
    maxResponseBytes: parseBounded(env, 'GONG_MAX_RESPONSE_BYTES', 64 * MIB, true),
    logFormat: parseLogFormat(flags.logFormat ?? env.GONG_LOG_FORMAT),
    quiet: flags.quiet ?? false,
    mcpLiveBudget: env.GONG_MCP_LIVE_BUDGET?.trim() ? parseBounded(env, 'GONG_MCP_LIVE_BUDGET', 0, true) : undefined,
    redactText: parseBoolean(env.GONG_REDACT_TEXT, 'GONG_REDACT_TEXT', false),
  };
}

function parseSchemaName(value: string): string {
  const name = value.trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
    throw new ConfigError(`GONG_DB_SCHEMA "${value}" is not a plain schema name: use letters, digits and _ (e.g. gong).`);
  }
  return name;
}

export function requireAuth(config: AppConfig): GongAuth {
  if (!config.auth) {
    throw new ConfigError(
      'No Gong credentials: set GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET, or GONG_ACCESS_TOKEN ' +
        `(and GONG_BASE_URL to your tenant host). To try gong-sync without an account, run "${commandName()} demo".`,
    );
  }
  return config.auth;
}

/** Every secret in the configuration, for redaction. */
export function secretsOf(config: AppConfig): string[] {
  const auth = config.auth;
  if (!auth) return [];
  if (auth.kind === 'bearer') return [auth.token];
  return [auth.accessKeySecret, Buffer.from(`${auth.accessKey}:${auth.accessKeySecret}`).toString('base64')];
}

function parseAuth(env: NodeJS.ProcessEnv): GongAuth | undefined {
  const key = env.GONG_ACCESS_KEY?.trim();
  const secret = env.GONG_ACCESS_KEY_SECRET?.trim();
  const token = env.GONG_ACCESS_TOKEN?.trim();
  if (key || secret) {
    if (!key || !secret)
      throw new ConfigError('GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET go together: set both (or use GONG_ACCESS_TOKEN).');
    return { kind: 'basic', accessKey: key, accessKeySecret: secret };
  }
  if (token) return { kind: 'bearer', token };
  return undefined;
}

function parseBaseUrl(value: string): string {
  if (containsSecret(value)) {
    throw new ConfigError(
      'GONG_BASE_URL contains the access key secret or token: it must be the host only, e.g. https://us-12345.api.gong.io (credentials go in GONG_ACCESS_KEY_SECRET / GONG_ACCESS_TOKEN).',
    );
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Echoed through the redaction every error message gets (credentials in URLs, configured secrets).
    throw new ConfigError(`GONG_BASE_URL "${value}" is not a URL: expected your tenant host, e.g. https://us-12345.api.gong.io`);
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new ConfigError(`GONG_BASE_URL must use https (credentials are sent with every request); got ${url.protocol}//${url.host}`);
  }
  if (url.username || url.password)
    throw new ConfigError('GONG_BASE_URL must not contain credentials: use GONG_ACCESS_KEY / GONG_ACCESS_KEY_SECRET.');
  if (url.search || url.hash) {
    throw new ConfigError(
      'GONG_BASE_URL must not have a query or fragment (it may hold a credential, and Gong needs none): use the host only, e.g. https://us-12345.api.gong.io',
    );
  }
  return url.origin + url.pathname.replace(/\/+$/, '');
}

export function parseDate(value: string, name: string, now: Date = new Date()): Date {
  const text = value.trim();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(text)
    ? new Date(`${text}T00:00:00Z`)
    : /^\d{4}-\d{2}-\d{2}T/.test(text)
      ? new Date(text)
      : new Date(NaN);
  if (Number.isNaN(date.getTime()) || (text.length === 10 && date.toISOString().slice(0, 10) !== text)) {
    throw new ConfigError(`${name} "${value}" is not a date: expected YYYY-MM-DD (or an ISO-8601 date-time)`);
  }
  if (date.getTime() > now.getTime()) throw new ConfigError(`${name} ${value} is in the future`);
  return date;
}

function parseBounded(env: NodeJS.ProcessEnv, name: BoundedSetting, fallback: number, integer: boolean): number {
  const value = env[name];
  if (value === undefined || value.trim() === '') return fallback;
  const { min, max, unit } = SETTING_BOUNDS[name];
  const n = Number(value);
  const kind = integer ? 'a positive whole number' : 'a positive number';
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new ConfigError(`${name} "${value}" is not valid: expected ${kind} of ${unit} from ${min} to ${max} (default ${fallback})`);
  }
  return n;
}

function parseBoolean(value: string | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined || value.trim() === '') return fallback;
  if (/^(1|true|yes)$/i.test(value)) return true;
  if (/^(0|false|no)$/i.test(value)) return false;
  throw new ConfigError(`${name} "${value}" is not valid: expected true or false`);
}

function parseJsonObject(value: string | undefined, name: string): Record<string, unknown> | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new ConfigError(`${name} is not valid JSON: expected an object such as {"parties":true,"content":{"brief":true}}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError(`${name} must be a JSON object (the exposedFields of the content selector)`);
  return parsed as Record<string, unknown>;
}

function parseTimeZone(value: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return value;
  } catch {
    throw new ConfigError(`GONG_TIMEZONE "${value}" is not a time zone: expected an IANA name such as UTC or America/New_York`);
  }
}

export function parseLogFormat(value: string | undefined): LogFormat {
  if (value === undefined) return process.stderr.isTTY ? 'text' : 'json';
  if (value === 'text' || value === 'json') return value;
  throw new ConfigError(`--log-format "${value}" is not valid: expected text or json`);
}

function nonEmpty(value: string, name: string): string {
  if (!value.trim()) throw new ConfigError(`${name} is empty: expected a file path`);
  return value;
}
