/** Pure pieces of the retry decision, kept apart so they can be tested with fake clocks. */

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out. */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const random = options.random ?? Math.random;
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Retry-After is in seconds (Gong) but may also be an HTTP date. Unknown: 1 second. */
export function parseRetryAfterSeconds(header: string | string[] | undefined, nowMs: number): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return 1;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - nowMs) / 1000));
  return 1;
}

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RESPONSE_STATUS_CODE',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

export function isTransientNetworkError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  if (code && TRANSIENT_NETWORK_CODES.has(code)) return true;
  const causeCode = (error as { cause?: { code?: string } } | undefined)?.cause?.code;
  return Boolean(causeCode && TRANSIENT_NETWORK_CODES.has(causeCode));
}

export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Gong's empty result: 404 whose message says "No <things> found ...". */
export function isEmptyResult404(status: number, messages: string[]): boolean {
  return status === 404 && messages.some((m) => /^no\b.*\bfound\b/i.test(m));
}

export function isCursorExpired(status: number, messages: string[]): boolean {
  return status === 400 && messages.some((m) => /cursor/i.test(m) && /expired|invalid/i.test(m));
}
