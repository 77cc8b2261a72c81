import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyObject } from 'node:crypto';
import { describeError } from '../errors.js';
import type { Logger } from '../logger.js';
import { signatureProblem } from './signature.js';
import { idText, parseJsonLossless } from '../gong/json.js';

const MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface WebhookReceiverOptions {
  host: string;
  port: number;
  logger: Logger;
  /** Gong's public key: when set, only posts with a valid signed JWT are accepted. */
  publicKey?: KeyObject;
  /** Stores one posted call; the receiver runs these one at a time, after answering. */
  store(callData: Record<string, unknown>): Promise<unknown>;
}

export interface WebhookStats {
  accepted: number;
  tests: number;
  refused: number;
  stored: number;
  failed: number;
}

/**
 * Receives Gong automation-rule posts (`{callData, isTest}`): checks the signature (when a key is
 * configured) and the shape, answers 202 at once, then stores the call in the background, one
 * post at a time. A malformed post gets a 4xx and the receiver keeps serving.
 */
export class WebhookReceiver {
  readonly stats: WebhookStats = { accepted: 0, tests: 0, refused: 0, stored: 0, failed: 0 };
  private queue: Promise<void> = Promise.resolve();
  private constructor(
    private readonly server: http.Server,
    private readonly options: WebhookReceiverOptions,
  ) {}

  static async start(options: WebhookReceiverOptions): Promise<WebhookReceiver> {
    const server = http.createServer();
    const receiver = new WebhookReceiver(server, options);
    server.on('request', (req, res) => void receiver.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
    return receiver;
  }

  get url(): string {
    const address = this.server.address() as AddressInfo;
    return `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  }

  /** Resolves when every accepted call so far is stored (or failed). */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Stops accepting posts and waits for the calls already accepted. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
    await this.queue;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const answer = (status: number, body: Record<string, unknown>) => {
      if (status >= 400) this.stats.refused++;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method === 'GET') return answer(200, { ok: true, service: 'gong-sync webhook' });
    if (req.method !== 'POST') return answer(405, { error: 'POST a Gong automation-rule payload here' });
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (error) {
      return answer(413, { error: describeError(error) });
    }
    if (this.options.publicKey) {
      const problem = signatureProblem(this.options.publicKey, req.headers.authorization, body);
      if (problem) {
        this.options.logger.warn(`webhook: refused a post: ${problem}`, { event: 'webhook_refused' });
        return answer(401, { error: problem });
      }
    }
    const parsed = parsePayload(body);
    if ('error' in parsed) {
      this.options.logger.warn(`webhook: refused a post: ${parsed.error}`, { event: 'webhook_refused' });
      return answer(400, { error: parsed.error });
    }
    answer(202, { accepted: true, callId: parsed.callId, isTest: parsed.isTest });
    if (parsed.isTest) {
      this.stats.tests++;
      this.options.logger.info(`webhook: test post for call ${parsed.callId} answered and ignored`, { event: 'webhook_test' });
      return;
    }
    this.stats.accepted++;
    this.queue = this.queue.then(async () => {
      try {
        await this.options.store(parsed.callData);
        this.stats.stored++;
      } catch (error) {
        this.stats.failed++;
        this.options.logger.error(`webhook: call ${parsed.callId} not stored (the next scheduled sync reads it): ${describeError(error)}`, {
          event: 'webhook_failed',
        });
      }
    });
  }
}

type Payload = { callData: Record<string, unknown>; callId: string; isTest: boolean } | { error: string };

/** `{callData, isTest}` with callData shaped like a /v2/calls/extensive record (metaData.id at least). */
export function parsePayload(body: Buffer): Payload {
  let json: unknown;
  try {
    // Like Gong's API answers: 19-20 digit ids sent as bare numbers keep every digit.
    json = parseJsonLossless(body.toString('utf8'));
  } catch {
    return { error: 'the body is not JSON: expected {"callData": {...}, "isTest": false}' };
  }
  if (!json || typeof json !== 'object' || Array.isArray(json))
    return { error: 'expected a JSON object {"callData": {...}, "isTest": false}' };
  const { callData, isTest } = json as { callData?: unknown; isTest?: unknown };
  if (isTest !== undefined && typeof isTest !== 'boolean') return { error: '"isTest" must be true or false' };
  if (!callData || typeof callData !== 'object' || Array.isArray(callData))
    return { error: '"callData" must be an object (a /v2/calls/extensive record)' };
  const meta = (callData as { metaData?: { id?: unknown } }).metaData;
  const id = idText(meta?.id);
  if (!id || !/^\d{1,25}$/.test(id)) return { error: '"callData.metaData.id" must be a Gong call id' };
  return { callData: callData as Record<string, unknown>, callId: id, isTest: isTest === true };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`the body is larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
