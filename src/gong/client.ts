import { Agent, request, type Dispatcher } from 'undici';
import {
  CursorExpiredError,
  GongAuthError,
  GongHttpError,
  InterruptedError,
  RateLimitedError,
  ThrottledTooOftenError,
  describeError,
} from '../errors.js';
import { readBodyWithin, RequestDeadline, ResponseTooLargeError } from './request-deadline.js';
import { silentLogger, type Logger } from '../logger.js';
import { parseJsonLossless } from './json.js';
import type { RequestPacer } from './pacer.js';
import {
  backoffDelay,
  isCursorExpired,
  isEmptyResult404,
  isTransientNetworkError,
  isTransientStatus,
  parseRetryAfterSeconds,
} from './retry-policy.js';

export type GongAuth = { kind: 'basic'; accessKey: string; accessKeySecret: string } | { kind: 'bearer'; token: string };

/** Decides, before each attempt, whether today's request budget allows it (throws if not). */
export interface RequestBudget {
  consume(): Promise<void> | void;
}

export interface GongRequest {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
}

export interface GongClientOptions {
  baseUrl: string;
  auth: GongAuth;
  pacer: RequestPacer;
  budget?: RequestBudget;
  logger?: Logger;
  /** Attempts after the first for 5xx, resets, timeouts and malformed bodies. */
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** The whole answer (headers and every byte of the body) must arrive within this; retried like any timeout. */
  requestTimeoutMs?: number;
  /** An answer larger than this fails cleanly, without reading the rest into memory. */
  maxResponseBytes?: number;
  /** Aborts requests in flight and stops further attempts (SIGINT/SIGTERM): InterruptedError. */
  signal?: AbortSignal;
  /** A 429 asking to wait longer than this stops the run (exit 3) instead of sleeping. */
  maxRetryAfterSeconds?: number;
  dispatcher?: Dispatcher;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ClientStats {
  requests: number;
  retries: number;
  throttled: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The one door to Gong: auth, pacing, retries and the meaning of each answer live here, so the
 * rest of the program sees either parsed JSON, `null` for Gong's "No ... found" 404, or a typed
 * error that says what to do.
 */
export class GongClient {
  readonly baseUrl: string;
  readonly stats: ClientStats = { requests: 0, retries: 0, throttled: 0 };
  private readonly authorization: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly logger: Logger;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: GongClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.authorization =
      options.auth.kind === 'basic'
        ? 'Basic ' + Buffer.from(`${options.auth.accessKey}:${options.auth.accessKeySecret}`).toString('base64')
        : `Bearer ${options.auth.token}`;
    this.ownsDispatcher = !options.dispatcher;
    this.dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000, connections: 8 });
    this.logger = options.logger ?? silentLogger;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** The Authorization header value, so redaction can hide its encoded form too. */
  get authorizationHeader(): string {
    return this.authorization;
  }

  /** The pacer every request of this client waits on (shared with the connection check). */
  get pacer(): RequestPacer {
    return this.options.pacer;
  }

  async request(req: GongRequest): Promise<unknown | null> {
    const url = this.baseUrl + req.path + queryString(req.query);
    const label = `${req.method} ${req.path}`;
    const bodyText = req.body === undefined ? undefined : JSON.stringify(req.body);
    const maxRetries = this.options.maxRetries ?? 5;
    let failures = 0;
    let throttles = 0;
    for (;;) {
      const outcome = await this.untilStopped(
        this.options.pacer.run(() => this.attempt(url, req.method, bodyText), { prepare: () => this.countRequest() }),
      );
      if (outcome.kind === 'ok') return outcome.json;
      if (outcome.kind === 'empty') return null;
      if (outcome.kind === 'throttled') {
        this.stats.throttled++;
        throttles++;
        const maxWait = this.options.maxRetryAfterSeconds ?? 120;
        if (outcome.retryAfterSeconds > maxWait) throw new RateLimitedError(outcome.retryAfterSeconds, maxWait);
        if (throttles > 20) throw new ThrottledTooOftenError(throttles, outcome.retryAfterSeconds);
        this.logger.warn(`Gong throttled ${label} (429); pausing all requests for ${outcome.retryAfterSeconds}s`);
        this.options.pacer.pauseFor(outcome.retryAfterSeconds * 1000);
        continue;
      }
      // transient
      failures++;
      if (failures > maxRetries) {
        throw new GongHttpError(
          `Gong kept failing for ${label} at ${this.baseUrl} after ${failures} attempts (last: ${outcome.reason}). ` +
            'State is saved; run again later, or check GONG_BASE_URL if this persists.',
          outcome.status,
          req.path,
        );
      }
      this.stats.retries++;
      const delay = backoffDelay(failures - 1, {
        baseMs: this.options.retryBaseMs ?? 500,
        maxMs: this.options.retryMaxMs ?? 30_000,
        random: this.options.random,
      });
      this.logger.debug(`retrying ${label} in ${delay}ms after ${outcome.reason}`);
      await this.sleepUnlessStopped(delay);
    }
  }

  /**
   * Counts a request against the daily budget before its pacing slot is claimed: the counter write
   * can wait on another process's transaction, and a wait between slot and send would let requests
   * reach Gong closer together than their slots.
   */
  private countRequest(): Promise<void> | void {
    this.throwIfStopped();
    return this.options.budget?.consume();
  }

  private async attempt(url: string, method: 'GET' | 'POST', bodyText: string | undefined): Promise<AttemptOutcome> {
    this.throwIfStopped();
    this.stats.requests++;
    const timeout = this.options.requestTimeoutMs ?? 60_000;
    const deadline = new RequestDeadline(timeout, this.options.signal);
    try {
      return await this.attemptWithin(deadline, url, method, bodyText);
    } finally {
      deadline.clear();
    }
  }

  private async attemptWithin(
    deadline: RequestDeadline,
    url: string,
    method: 'GET' | 'POST',
    bodyText: string | undefined,
  ): Promise<AttemptOutcome> {
    const timeout = deadline.timeoutMs;
    const path = new URL(url).pathname;
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        signal: deadline.signal,
        method,
        dispatcher: this.dispatcher,
        headers: {
          authorization: this.authorization,
          accept: 'application/json',
          ...(bodyText === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: bodyText,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    } catch (error) {
      if (deadline.stopped) throw this.interrupted();
      if (deadline.expired) return { kind: 'transient', reason: `no answer within ${timeout}ms` };
      if (isTransientNetworkError(error)) return { kind: 'transient', reason: networkReason(error) };
      throw new GongHttpError(`Could not reach Gong at ${this.baseUrl}: ${describeError(error)}. Check GONG_BASE_URL.`, undefined, url);
    }
    let text: string;
    try {
      text = await readBodyWithin(response, this.options.maxResponseBytes ?? 64 * 1024 * 1024);
    } catch (error) {
      if (deadline.stopped) throw this.interrupted();
      if (error instanceof ResponseTooLargeError) {
        throw new GongHttpError(
          `Gong's answer for ${method} ${path} is larger than ${error.limit} bytes (${error.describeSize()}); stopped reading it. ` +
            'Raise GONG_MAX_RESPONSE_BYTES if such answers are expected, or check GONG_BASE_URL.',
          response.statusCode,
          path,
        );
      }
      if (deadline.expired)
        return { kind: 'transient', reason: `the whole answer did not arrive within ${timeout}ms`, status: response.statusCode };
      return { kind: 'transient', reason: networkReason(error), status: response.statusCode };
    }
    const status = response.statusCode;
    if (status >= 200 && status < 300) {
      try {
        return { kind: 'ok', json: parseJsonLossless(text) };
      } catch {
        return { kind: 'transient', reason: `malformed JSON body (${status}, ${text.length} bytes)`, status };
      }
    }
    const messages = errorMessages(text);
    if (status === 429) {
      return { kind: 'throttled', retryAfterSeconds: parseRetryAfterSeconds(response.headers['retry-after'], Date.now()) };
    }
    if (isTransientStatus(status)) return { kind: 'transient', reason: `HTTP ${status}`, status };
    if (isEmptyResult404(status, messages)) return { kind: 'empty' };
    if (status === 401 || status === 403) {
      const hint =
        this.options.auth.kind === 'basic'
          ? 'check GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET, and that GONG_BASE_URL is your tenant host'
          : 'check GONG_ACCESS_TOKEN, and that GONG_BASE_URL is the api_base_url_for_customer of the token';
      throw new GongAuthError(status, this.baseUrl, messages.join('; '), hint);
    }
    if (isCursorExpired(status, messages)) {
      throw new CursorExpiredError(`Gong's paging cursor expired for ${method} ${path}`);
    }
    const said = messages.length > 0 ? messages.join('; ') : text.slice(0, 200);
    throw new GongHttpError(`Gong answered ${status} for ${method} ${path} at ${this.baseUrl}: ${said}`, status, path);
  }

  /**
   * Opens a signed media URL (no Gong auth: the URL carries its own signature), paced and counted
   * like any request. The caller must consume or destroy the body.
   */
  async openMedia(url: string, range?: string): Promise<Dispatcher.ResponseData> {
    return this.options.pacer.run(
      async () => {
        this.throwIfStopped();
        this.stats.requests++;
        const timeout = this.options.requestTimeoutMs ?? 60_000;
        return request(url, {
          method: 'GET',
          dispatcher: this.dispatcher,
          headers: range ? { range } : {},
          signal: this.options.signal,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
      },
      { prepare: () => this.countRequest() },
    );
  }

  /** Waits before retrying after a transient failure (same policy as API requests). */
  async backoff(attempt: number): Promise<void> {
    this.stats.retries++;
    await this.sleep(
      backoffDelay(attempt, {
        baseMs: this.options.retryBaseMs ?? 500,
        maxMs: this.options.retryMaxMs ?? 30_000,
        random: this.options.random,
      }),
    );
  }

  private throwIfStopped(): void {
    if (this.options.signal?.aborted) throw this.interrupted();
  }

  private interrupted(): InterruptedError {
    return new InterruptedError(String(this.options.signal?.reason ?? 'a signal'));
  }

  /**
   * Waits for a paced attempt, but a stop signal ends the wait at once (a Retry-After pause, a slow
   * pace): an attempt that still starts later stops itself before sending anything.
   */
  private async untilStopped<T>(work: Promise<T>): Promise<T> {
    const signal = this.options.signal;
    if (!signal) return work;
    work.catch(() => undefined); // if the signal wins, the abandoned attempt's rejection is expected
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<never>((_, reject) => {
      onAbort = () => reject(this.interrupted());
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([work, stopped]);
    } finally {
      signal.removeEventListener('abort', onAbort!);
    }
  }

  /** A retry's wait, cut short by a stop signal. */
  private async sleepUnlessStopped(ms: number): Promise<void> {
    const signal = this.options.signal;
    if (!signal) return this.sleep(ms);
    this.throwIfStopped();
    let onAbort: (() => void) | undefined;
    const stopped = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.sleep(ms), stopped]);
    } finally {
      signal.removeEventListener('abort', onAbort!);
    }
    this.throwIfStopped();
  }

  /** A 429 asking to wait longer than this stops the run (exit 3). */
  get maxRetryAfterSeconds(): number {
    return this.options.maxRetryAfterSeconds ?? 120;
  }

  get maxRetries(): number {
    return this.options.maxRetries ?? 5;
  }

  async close(): Promise<void> {
    this.options.pacer.clear();
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

type AttemptOutcome =
  | { kind: 'ok'; json: unknown }
  | { kind: 'empty' }
  | { kind: 'throttled'; retryAfterSeconds: number }
  | { kind: 'transient'; reason: string; status?: number };

function queryString(query: GongRequest['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function errorMessages(text: string): string[] {
  try {
    const parsed = JSON.parse(text) as { errors?: unknown };
    if (Array.isArray(parsed.errors)) return parsed.errors.map(String);
  } catch {
    // not JSON: an HTML error page or nothing at all
  }
  return [];
}

function networkReason(error: unknown): string {
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  return code ? `network error ${code}` : `network error: ${describeError(error)}`;
}
