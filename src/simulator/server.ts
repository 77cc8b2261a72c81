import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash } from 'node:crypto';
import { SimulatedAccount, type SimulatedAccountOptions } from './dataset.js';
import { CursorCodec, PAGE_SIZE, requestKeyOf } from './paging.js';
import { Random } from './random.js';
import { routeRequest, type SimRequest } from './routes.js';
import { answerText, shapesFromEnv, type SimulatorShapes } from './shapes.js';

export interface FaultSettings {
  /** Probability of a 503 instead of the answer. */
  error503: number;
  /** Probability of dropping the connection without an answer. */
  drop: number;
  /** Probability of sending only half of a 200 body. */
  truncate: number;
  /** Probability of an HTML error page with status 200. */
  html200: number;
  /** Probability of never answering (the client's timeout must fire). */
  hang: number;
  /** Delay before every answer. */
  latencyMs: number;
  /** The next N API requests get 429 with this Retry-After. */
  throttleNext: number;
  throttleRetryAfterSeconds: number;
  /** The next request that brings a cursor is told it expired. */
  expireNextCursor: boolean;
  /** Pause between 16 KiB media chunks (to interrupt a download midway). */
  mediaChunkDelayMs: number;
  /** The next API requests get these faults, one each, in order ('none': answered normally); for a test that needs each kind to happen. */
  faultsNext: Array<'none' | 'error503' | 'drop' | 'hang' | 'html200'>;
}

export interface GongSimulatorOptions extends SimulatedAccountOptions {
  account?: SimulatedAccount;
  accessKey?: string;
  accessKeySecret?: string;
  token?: string;
  /** Refuse with 429 when more than this many API requests arrive in any 1-second window. */
  rateLimitPerSecond?: number | null;
  retryAfterSeconds?: number;
  cursorTtlMs?: number;
  mediaUrlTtlMs?: number;
  faults?: Partial<FaultSettings>;
  faultSeed?: number;
  port?: number;
  /** Answer in Gong's spec shapes (default) or the reference's; default from GONG_SIMULATOR_SHAPES. */
  shapes?: SimulatorShapes;
  /** Media URLs that redirect this many times (302) before the file, as a CDN may. */
  mediaRedirects?: number;
  /** Where the last media redirect points instead of the file (to test which targets are followed). */
  mediaRedirectLocation?: string;
  /** A field Gong's spec does not list, added to every /v2/workspaces answer (schema drift; see admin-routes.ts). */
  unlistedWorkspaceField?: string;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
  status: number;
  at: number;
  /** What the simulator did instead of answering normally, if anything. */
  fault?: string;
  /** The Range header of a media request. */
  range?: string;
  /** Whether the request carried an Authorization header (media requests must not). */
  authorization?: boolean;
}

export const DEMO_CREDENTIALS = { accessKey: 'demo-access-key', accessKeySecret: 'demo-access-secret' };

/**
 * A real HTTP server on 127.0.0.1 that speaks Gong v2, including the behaviour that breaks naive
 * clients: 100-record pages with opaque expiring cursors, 404 for empty results, 401, 429 on any
 * 1-second window over the limit, bare-number 20-digit ids, late calls and transcripts, and
 * switchable faults. Tests drive it in-process; `gong-sync demo` runs it for real.
 */
export class GongSimulator {
  readonly account: SimulatedAccount;
  readonly faults: FaultSettings;
  readonly requests: RequestLogEntry[] = [];
  readonly stats = { throttled: 0, served: 0 };
  onRequest?: (entry: RequestLogEntry) => void;
  /** Sees the body of every routed API answer, status set (the contract test validates them against Gong's spec). */
  onAnswer?: (entry: RequestLogEntry, text: string) => void;
  readonly shapes: SimulatorShapes;
  /** Rewrites each record a list endpoint serves (tests feed malformed records this way). */
  recordTransform?: (path: string, record: any) => unknown;
  rateLimitPerSecond: number | null;
  cursorTtlMs: number;
  /** Tests lower it to see a client halve its id batches (Gong: 100). */
  maxCallIds = 100;
  unlistedWorkspaceField: string | undefined;
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly arrivals: number[] = [];
  private readonly faultRandom: Random;
  private readonly codec = new CursorCodec('simulator-cursor-secret');
  private readonly expectedAuth: Set<string>;
  private clockOffsetMs = 0;
  private baseUrl = '';

  private constructor(private readonly options: GongSimulatorOptions) {
    this.account = options.account ?? new SimulatedAccount(options);
    this.shapes = options.shapes ?? shapesFromEnv();
    this.faults = {
      error503: 0,
      drop: 0,
      truncate: 0,
      html200: 0,
      hang: 0,
      latencyMs: 0,
      throttleNext: 0,
      throttleRetryAfterSeconds: 1,
      expireNextCursor: false,
      mediaChunkDelayMs: 0,
      faultsNext: [],
      ...options.faults,
    };
    this.rateLimitPerSecond = options.rateLimitPerSecond ?? null;
    this.unlistedWorkspaceField = options.unlistedWorkspaceField;
    this.cursorTtlMs = options.cursorTtlMs ?? 15 * 60_000;
    this.faultRandom = new Random(options.faultSeed ?? 7);
    const key = options.accessKey ?? DEMO_CREDENTIALS.accessKey;
    const secret = options.accessKeySecret ?? DEMO_CREDENTIALS.accessKeySecret;
    this.expectedAuth = new Set([`Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`]);
    if (options.token) this.expectedAuth.add(`Bearer ${options.token}`);
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: GongSimulatorOptions = {}): Promise<GongSimulator> {
    const sim = new GongSimulator(options);
    await new Promise<void>((resolve, reject) => {
      sim.server.once('error', reject);
      // Loopback only: the simulator is never reachable from another machine.
      sim.server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
    sim.baseUrl = `http://127.0.0.1:${(sim.server.address() as AddressInfo).port}`;
    return sim;
  }

  get url(): string {
    return this.baseUrl;
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Moves the simulator's clock (cursor and media-URL expiry) forward. */
  advanceClock(ms: number): void {
    this.clockOffsetMs += ms;
  }

  /** Requests for API paths (not media), optionally only those of one path. */
  apiRequests(path?: string): RequestLogEntry[] {
    return this.requests.filter((r) => r.path.startsWith('/v2/') && (!path || r.path === path));
  }

  clearLog(): void {
    this.requests.length = 0;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- request handling ---------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const arrivedAt = Date.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bodyText = Buffer.concat(chunks).toString('utf8');
    const entry: RequestLogEntry = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      status: 0,
      at: arrivedAt,
    };
    this.requests.push(entry);
    if (url.pathname.startsWith('/media-redirect/')) {
      entry.authorization = req.headers.authorization !== undefined;
      this.redirectMedia(res, url, entry);
      this.onRequest?.(entry);
      return;
    }
    if (url.pathname.startsWith('/media/')) {
      entry.authorization = req.headers.authorization !== undefined;
      this.serveMedia(req, res, url, entry);
      this.onRequest?.(entry);
      return;
    }
    const decided = this.decide(req, entry, bodyText, url);
    this.onRequest?.(entry);
    if (this.faults.latencyMs > 0) await sleep(this.faults.latencyMs);
    if (decided.kind === 'hang') return;
    if (decided.kind === 'drop') {
      res.socket?.destroy();
      return;
    }
    res.statusCode = decided.status;
    for (const [k, v] of Object.entries(decided.headers ?? {})) res.setHeader(k, v);
    if (decided.kind === 'truncate') {
      res.setHeader('content-type', 'application/json');
      res.setHeader('content-length', Buffer.byteLength(decided.text));
      res.write(decided.text.slice(0, Math.floor(decided.text.length / 2)));
      setTimeout(() => res.socket?.destroy(), 5);
      return;
    }
    res.setHeader('content-type', decided.contentType ?? 'application/json');
    res.end(decided.text);
  }

  private decide(req: http.IncomingMessage, entry: RequestLogEntry, bodyText: string, url: URL): Decision {
    const set = (status: number, decision: Decision, fault?: string): Decision => {
      entry.status = status;
      if (fault) entry.fault = fault;
      return decision;
    };
    const auth = req.headers.authorization;
    if (!auth || !this.expectedAuth.has(auth)) {
      return set(401, {
        kind: 'answer',
        status: 401,
        text: json({ requestId: requestId(), errors: ['Invalid credentials or token revoked'] }),
      });
    }
    if (this.faults.throttleNext > 0) {
      this.faults.throttleNext--;
      this.stats.throttled++;
      return set(429, this.throttle(this.faults.throttleRetryAfterSeconds), 'throttle');
    }
    if (this.rateLimitPerSecond !== null) {
      const now = Date.now();
      while (this.arrivals.length > 0 && now - this.arrivals[0]! >= 1000) this.arrivals.shift();
      if (this.arrivals.length >= this.rateLimitPerSecond) {
        this.stats.throttled++;
        return set(429, this.throttle(this.options.retryAfterSeconds ?? 1), 'rate-limit');
      }
      this.arrivals.push(now);
    }
    const roll = this.faultRandom.next();
    let threshold = 0;
    const faultOrder: Array<[keyof FaultSettings, Decision['kind'] | '503' | 'html']> = [
      ['error503', '503'],
      ['drop', 'drop'],
      ['hang', 'hang'],
      ['html200', 'html'],
    ];
    const scheduled = this.faults.faultsNext.shift();
    for (const [name, kind] of faultOrder) {
      threshold += this.faults[name] as number;
      if (scheduled !== undefined ? scheduled === name : roll < threshold) {
        if (kind === '503')
          return set(503, { kind: 'answer', status: 503, text: json({ requestId: requestId(), errors: ['Service unavailable'] }) }, '503');
        if (kind === 'html')
          return set(
            200,
            { kind: 'answer', status: 200, contentType: 'text/html', text: '<html><body><h1>Gateway error</h1></body></html>' },
            'html200',
          );
        return set(0, { kind: kind as 'drop' | 'hang' }, String(kind));
      }
    }
    let body: any;
    if (bodyText) {
      try {
        body = JSON.parse(bodyText);
      } catch {
        return set(400, { kind: 'answer', status: 400, text: json({ requestId: requestId(), errors: ['Malformed JSON body'] }) });
      }
    }
    entry.body = body;
    const request: SimRequest = { method: entry.method, path: url.pathname, query: entry.query, body: body ?? {} };
    const answer = routeRequest(this, request);
    this.stats.served++;
    const truncate = answer.status === 200 && this.faultRandom.next() < this.faults.truncate;
    const decision = set(
      answer.status,
      { kind: truncate ? 'truncate' : 'answer', status: answer.status, text: answer.text },
      truncate ? 'truncate' : undefined,
    );
    this.onAnswer?.(entry, answer.text);
    return decision;
  }

  private throttle(retryAfterSeconds: number): Decision {
    return {
      kind: 'answer',
      status: 429,
      headers: { 'retry-after': String(retryAfterSeconds) },
      text: json({ requestId: requestId(), errors: ['API request limit exceeded'] }),
    };
  }

  // ---- paging, used by the routes -----------------------------------------------------------

  /** One page of `items` for this request, or Gong's 404 when there are none at all. */
  page<T>(
    request: SimRequest,
    items: T[],
    recordsKey: string,
    emptyNoun: string,
    extra: Record<string, unknown> = {},
    render: (item: T) => unknown = (item) => item,
    bareIds: string[] = [],
  ): Answer {
    const cursor = request.method === 'GET' ? request.query.cursor : request.body?.cursor;
    const params = request.method === 'GET' ? { ...request.query, cursor: undefined } : { ...request.body, cursor: undefined };
    const key = requestKeyOf(request.method, request.path, params);
    let offset = 0;
    if (cursor) {
      const payload = this.codec.decode(String(cursor));
      if (!payload) return errorAnswer(400, 'Invalid cursor');
      if (payload.k !== key)
        return errorAnswer(400, 'The cursor does not belong to this request: send the identical request with the cursor');
      if (this.faults.expireNextCursor || this.now() - payload.t > this.cursorTtlMs) {
        this.faults.expireNextCursor = false;
        return errorAnswer(400, 'cursor has expired');
      }
      offset = payload.o;
    }
    if (items.length === 0) return errorAnswer(404, `No ${emptyNoun} found corresponding to the provided filters`);
    // Only the page's own records are rendered: a large account must not cost O(n) per page.
    const transform = this.recordTransform;
    const slice = items.slice(offset, offset + PAGE_SIZE).map((item) => (transform ? transform(request.path, render(item)) : render(item)));
    const more = offset + PAGE_SIZE < items.length;
    return this.ok(
      {
        requestId: requestId(),
        records: {
          totalRecords: items.length,
          currentPageSize: slice.length,
          currentPageNumber: Math.floor(offset / PAGE_SIZE),
          ...(more ? { cursor: this.codec.encode(key, offset + PAGE_SIZE, this.now()) } : {}),
        },
        ...extra,
        [recordsKey]: slice,
      },
      bareIds,
    );
  }

  /** A 200 answer in this simulator's shapes (see shapes.ts). */
  ok(body: unknown, bareIds: string[] = []): Answer {
    return { status: 200, text: answerText(body, this.shapes, bareIds) };
  }

  // ---- media --------------------------------------------------------------------------------

  mediaUrl(callId: string, kind: 'audio' | 'video'): string {
    const expires = this.now() + (this.options.mediaUrlTtlMs ?? 8 * 3_600_000);
    const signed = `/media/${callId}/${kind}?expires=${expires}&signature=${mediaSignature(callId, kind, expires)}`;
    const hops = this.options.mediaRedirects ?? 0;
    return hops > 0 ? `${this.baseUrl}/media-redirect/${hops}${signed}` : `${this.baseUrl}${signed}`;
  }

  /** /media-redirect/N/media/...: a 302 to /media-redirect/N-1/..., and at 1 to the file (or mediaRedirectLocation). */
  private redirectMedia(res: http.ServerResponse, url: URL, entry: RequestLogEntry) {
    const match = /^\/media-redirect\/(\d+)(\/media\/.*)$/.exec(url.pathname);
    entry.status = match ? 302 : 404;
    res.statusCode = entry.status;
    if (match) {
      const left = Number(match[1]) - 1;
      const target =
        left > 0 ? `/media-redirect/${left}${match[2]}${url.search}` : (this.options.mediaRedirectLocation ?? `${match[2]}${url.search}`);
      // Relative for the intermediate hops, as CDNs often send them.
      res.setHeader('location', target);
    }
    res.end();
  }

  static mediaSize(callId: string, kind: 'audio' | 'video'): number {
    const h = parseInt(createHash('sha1').update(callId).digest('hex').slice(0, 8), 16);
    return (kind === 'audio' ? 40_000 : 120_000) + (h % 200_000);
  }

  static mediaByte(callId: string, position: number): number {
    return (position * 131 + callId.charCodeAt(position % callId.length)) & 0xff;
  }

  private serveMedia(req: http.IncomingMessage, res: http.ServerResponse, url: URL, entry: RequestLogEntry) {
    const [, , callId = '', kind = ''] = url.pathname.split('/');
    const expires = Number(url.searchParams.get('expires'));
    const call = this.account.getCall(callId);
    const finish = (status: number, text: string) => {
      entry.status = status;
      res.statusCode = status;
      res.end(text);
    };
    if ((kind !== 'audio' && kind !== 'video') || !call) return finish(404, 'Not found');
    if (url.searchParams.get('signature') !== mediaSignature(callId, kind, expires)) return finish(403, 'Signature does not match');
    if (!(expires > this.now())) return finish(403, 'Request has expired');
    if (this.faultRandom.next() < this.faults.error503) return finish(503, 'Slow down');
    const size = GongSimulator.mediaSize(callId, kind);
    let start = 0;
    let end = size - 1;
    const range = req.headers.range;
    entry.range = range;
    if (range) {
      const match = /^bytes=(\d+)-(\d*)$/.exec(range);
      if (!match || Number(match[1]) >= size) {
        res.setHeader('content-range', `bytes */${size}`);
        return finish(416, 'Range not satisfiable');
      }
      start = Number(match[1]);
      end = match[2] ? Math.min(size - 1, Number(match[2])) : size - 1;
      res.statusCode = 206;
      res.setHeader('content-range', `bytes ${start}-${end}/${size}`);
    } else {
      res.statusCode = 200;
    }
    entry.status = res.statusCode;
    res.setHeader('content-type', kind === 'audio' ? 'audio/mpeg' : 'video/mp4');
    res.setHeader('content-length', end - start + 1);
    res.setHeader('accept-ranges', 'bytes');
    const dropAt = this.faultRandom.next() < this.faults.drop ? start + Math.floor((end - start) / 2) : -1;
    let position = start;
    const writeMore = () => {
      while (position <= end) {
        const chunkEnd = Math.min(end + 1, position + 16_384);
        if (dropAt >= 0 && chunkEnd > dropAt) {
          res.socket?.destroy();
          return;
        }
        const chunk = Buffer.allocUnsafe(chunkEnd - position);
        for (let i = 0; i < chunk.length; i++) chunk[i] = GongSimulator.mediaByte(callId, position + i);
        position = chunkEnd;
        const flowing = res.write(chunk);
        if (this.faults.mediaChunkDelayMs > 0 && position <= end) return void setTimeout(writeMore, this.faults.mediaChunkDelayMs);
        if (!flowing) return void res.once('drain', writeMore);
      }
      res.end();
    };
    writeMore();
  }
}

export interface Answer {
  status: number;
  text: string;
}

type Decision =
  | { kind: 'answer'; status: number; text: string; headers?: Record<string, string>; contentType?: string }
  | { kind: 'truncate'; status: number; text: string; headers?: Record<string, string>; contentType?: string }
  | { kind: 'drop' }
  | { kind: 'hang' };

export function okAnswer(body: unknown): Answer {
  return { status: 200, text: json(body) };
}

export function errorAnswer(status: number, message: string): Answer {
  return { status, text: json({ requestId: requestId(), errors: [message] }) };
}

function json(body: unknown): string {
  return JSON.stringify(body);
}

function requestId(): string {
  return Math.random().toString(36).slice(2, 12);
}

function mediaSignature(callId: string, kind: string, expires: number): string {
  return createHash('sha256').update(`media|${callId}|${kind}|${expires}`).digest('hex').slice(0, 24);
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
