import { Agent, request, type Dispatcher } from 'undici';
import { InterruptedError, describeError } from '../errors.js';
import type { RequestBudget } from './client.js';
import type { RequestPacer } from './pacer.js';

/**
 * `gong-sync check`, and the first thing `sync` and `backfill` do: one cheap authenticated request
 * (GET /v2/workspaces: one small answer, no paging), at most three in all, each with a short
 * deadline and no backoff. DNS failures, refused connections, TLS failures, 401/403 and answers
 * that are not Gong's give a verdict within seconds, with one message naming the host and what
 * to check, instead of a run that retries for minutes and charges the day's budget.
 */
export interface ConnectionCheckOptions {
  baseUrl: string;
  /** The Authorization header value (Basic or Bearer). */
  authorization: string;
  authKind: 'basic' | 'bearer';
  pacer?: RequestPacer;
  budget?: RequestBudget;
  dispatcher?: Dispatcher;
  /** Deadline of each request, headers and body (default 4 s). */
  timeoutMs?: number;
  /** A stop signal (SIGINT/SIGTERM): aborts the request in flight and ends the check as interrupted. */
  signal?: AbortSignal;
}

export interface EndpointSeen {
  endpoint: string;
  /** HTTP status, or the network error code. */
  answer: number | string;
  meaning: string;
}

export interface ConnectionVerdict {
  ok: boolean;
  host: string;
  reachable: boolean;
  credentialsAccepted: boolean;
  endpoints: EndpointSeen[];
  workspaces?: number;
  requests: number;
  elapsedMs: number;
  /** What failed and what to check (set when not ok). */
  problem?: string;
  /** Gong answered 429 to every try: reachable, credentials not yet known; the run handles the wait. */
  throttled?: boolean;
  /** The wait the last 429 asked for. */
  retryAfterSeconds?: number;
}

const PRIMARY = '/v2/workspaces';
/** Tried when the primary answers 403: tells "scope missing" from "credentials refused". */
const SECONDARY = '/v2/users';
const MAX_REQUESTS = 3;
const TOTAL_BUDGET_MS = 10_000;

type Answer =
  | { kind: 'http'; status: number; text: string; contentType: string; retryAfterSeconds?: number }
  | { kind: 'network'; code: string; detail: string };

export async function checkConnection(options: ConnectionCheckOptions): Promise<ConnectionVerdict> {
  const started = Date.now();
  const host = hostOf(options.baseUrl);
  const dispatcher = options.dispatcher ?? new Agent({ connect: { timeout: options.timeoutMs ?? 4000 } });
  const verdict: ConnectionVerdict = {
    ok: false,
    host,
    reachable: false,
    credentialsAccepted: false,
    endpoints: [],
    requests: 0,
    elapsedMs: 0,
  };
  const credentialsHint =
    options.authKind === 'basic'
      ? 'check GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET, and that GONG_BASE_URL is your tenant host (Gong: Company settings > API)'
      : 'check GONG_ACCESS_TOKEN, and that GONG_BASE_URL is the api_base_url_for_customer that came with the token';
  const send = async (path: string): Promise<Answer> => {
    verdict.requests++;
    const answer = await sendOnce(options, dispatcher, path);
    verdict.endpoints.push({
      endpoint: `GET ${path}`,
      answer: answer.kind === 'http' ? answer.status : answer.code,
      meaning: meaningOf(answer),
    });
    return answer;
  };
  try {
    let answer = await send(PRIMARY);
    // A hiccup (reset, timeout, 5xx, a short 429) gets at most two quick retries; nothing else is retried.
    while (isTransient(answer) && verdict.requests < MAX_REQUESTS) {
      const wait = answer.kind === 'http' && answer.status === 429 ? (answer.retryAfterSeconds ?? 1) * 1000 : 300;
      if (wait > 5000) break;
      // The verdict comes within about 10 s, whatever the host does (each try may take a full deadline).
      if (Date.now() - started + wait + (options.timeoutMs ?? 4000) > TOTAL_BUDGET_MS) break;
      if (options.pacer && answer.kind === 'http' && answer.status === 429) options.pacer.pauseFor(wait);
      else await new Promise((resolve) => setTimeout(resolve, wait));
      answer = await send(PRIMARY);
    }
    if (answer.kind === 'http' && answer.status === 429) {
      verdict.reachable = true;
      verdict.throttled = true;
      verdict.retryAfterSeconds = answer.retryAfterSeconds ?? 1;
      verdict.ok = true;
      return verdict;
    }
    if (answer.kind === 'network') {
      verdict.problem = networkProblem(answer, host, options.baseUrl);
      return verdict;
    }
    verdict.reachable = true;
    if (answer.status === 401) {
      verdict.problem = `Gong rejected the credentials (401) for ${options.baseUrl}: ${credentialsHint}.`;
      return verdict;
    }
    if (answer.status === 403 && verdict.requests < MAX_REQUESTS) {
      const users = await send(SECONDARY);
      if (users.kind === 'http' && users.status === 200 && looksLikeGong(users, 'users')) {
        verdict.credentialsAccepted = true;
        verdict.problem =
          `${host} accepted the credentials but refused ${PRIMARY} (403): the key or token lacks the scope api:workspaces:read ` +
          '(and probably others sync needs); give it the read scopes listed in the README.';
        return verdict;
      }
    }
    if (answer.status === 403) {
      verdict.problem = `${host} refused access (403): ${credentialsHint}; a token also needs the read scopes listed in the README.`;
      return verdict;
    }
    if (answer.status !== 200) {
      verdict.problem = `${host} answered ${answer.status} to GET ${PRIMARY} (${snippet(answer)}): check that GONG_BASE_URL (${options.baseUrl}) is Gong's API host; if it is, Gong may be down: try again later.`;
      return verdict;
    }
    if (!looksLikeGong(answer, 'workspaces')) {
      verdict.problem = `${host} answered, but not like Gong's API (${snippet(answer)}): GONG_BASE_URL (${options.baseUrl}) should be your tenant's API host, e.g. https://us-12345.api.gong.io.`;
      return verdict;
    }
    verdict.credentialsAccepted = true;
    verdict.workspaces = (JSON.parse(answer.text) as { workspaces: unknown[] }).workspaces.length;
    verdict.ok = true;
    return verdict;
  } finally {
    verdict.elapsedMs = Date.now() - started;
    if (!options.dispatcher) await dispatcher.close();
  }
}

async function sendOnce(options: ConnectionCheckOptions, dispatcher: Dispatcher, path: string): Promise<Answer> {
  const timeout = options.timeoutMs ?? 4000;
  // Sends synchronously when called: the pacer's slot is the moment the request leaves.
  const attempt = async (): Promise<Answer> => {
    const deadline = AbortSignal.timeout(timeout);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    try {
      const response = await request(options.baseUrl.replace(/\/+$/, '') + path, {
        method: 'GET',
        dispatcher,
        headers: { authorization: options.authorization, accept: 'application/json' },
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal,
      });
      // The answer of a check is small; read at most 64 KB of whatever came back.
      let text = '';
      for await (const chunk of response.body) {
        text += chunk.toString();
        if (text.length > 65_536) {
          response.body.destroy();
          break;
        }
      }
      const contentType = String(response.headers['content-type'] ?? '');
      const retryAfter = Number(response.headers['retry-after']);
      return {
        kind: 'http',
        status: response.statusCode,
        text,
        contentType,
        ...(Number.isFinite(retryAfter) ? { retryAfterSeconds: retryAfter } : {}),
      };
    } catch (error) {
      if (options.signal?.aborted) throw new InterruptedError(String(options.signal.reason ?? 'a stop signal'));
      return { kind: 'network', code: errorCode(error, deadline.aborted), detail: describeError(error) };
    }
  };
  // The budget is counted before the slot is claimed: a database write that waits for another
  // process must not delay the request past its slot (another process may claim the next one).
  const count = () => options.budget?.consume();
  if (options.pacer) return options.pacer.run(attempt, { prepare: count });
  await count();
  return attempt();
}

function isTransient(answer: Answer): boolean {
  // A 200 that is not Gong's JSON may be a proxy's error page or a cut body: worth one more try.
  if (answer.kind === 'http' && answer.status === 200) return !looksLikeGong(answer, 'workspaces');
  if (answer.kind === 'http') return answer.status >= 500 || answer.status === 429 || answer.status === 408;
  return ['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'EAI_AGAIN'].includes(
    answer.code,
  );
}

function looksLikeGong(answer: Extract<Answer, { kind: 'http' }>, key: string): boolean {
  try {
    const body = JSON.parse(answer.text) as Record<string, unknown>;
    return Boolean(body) && typeof body === 'object' && Array.isArray(body[key]);
  } catch {
    return false;
  }
}

function networkProblem(answer: Extract<Answer, { kind: 'network' }>, host: string, baseUrl: string): string {
  const code = answer.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return `Cannot resolve ${host} (DNS ${code}): check GONG_BASE_URL (${baseUrl}) for typos, and this machine's DNS and network.`;
  }
  if (code === 'ECONNREFUSED')
    return `${host} refused the connection (ECONNREFUSED): check GONG_BASE_URL (${baseUrl}), its port, and any proxy or firewall.`;
  if (code === 'TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') {
    return `${host} did not answer in time (${code}): check GONG_BASE_URL (${baseUrl}), and that this machine can reach it (proxy, firewall).`;
  }
  if (/CERT|TLS|SSL|EPROTO|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) {
    return `TLS failed with ${host} (${code}): check that GONG_BASE_URL (${baseUrl}) is Gong's API host; a proxy that intercepts TLS needs NODE_EXTRA_CA_CERTS.`;
  }
  return `Cannot reach ${host} (${code}: ${answer.detail}): check GONG_BASE_URL (${baseUrl}) and this machine's network.`;
}

function meaningOf(answer: Answer): string {
  if (answer.kind === 'network') return `not reached (${answer.code})`;
  if (answer.status === 200) return 'answered';
  if (answer.status === 429) return 'throttled (429)';
  if (answer.status === 401) return 'credentials refused';
  if (answer.status === 403) return 'access refused (credentials or scope)';
  return `answered ${answer.status}`;
}

function snippet(answer: Extract<Answer, { kind: 'http' }>): string {
  const text = answer.text.replace(/\s+/g, ' ').trim().slice(0, 80);
  return `${answer.status}${answer.contentType ? `, ${answer.contentType.split(';')[0]}` : ''}${text ? `: "${text}"` : ', empty body'}`;
}

function errorCode(error: unknown, timedOut: boolean): string {
  if (timedOut) return 'TIMEOUT';
  const e = error as { code?: string; cause?: { code?: string; cause?: { code?: string } } };
  return e.code && e.code !== 'UND_ERR_CONNECT' ? e.code : (e.cause?.code ?? e.cause?.cause?.code ?? e.code ?? 'unknown');
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}
