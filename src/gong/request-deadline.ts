import type { Dispatcher } from 'undici';

/**
 * One attempt's abort: a total deadline over headers and the whole body (an answer dripped a byte
 * a second never ends otherwise, since undici's timeouts are idle timeouts between chunks), and
 * the process's stop signal, which aborts the request in flight.
 */
export class RequestDeadline {
  readonly signal: AbortSignal;
  expired = false;
  stopped = false;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onStop = () => {
    this.stopped = true;
    this.controller.abort(new Error('stopped by a signal'));
  };

  constructor(
    readonly timeoutMs: number,
    private readonly stop?: AbortSignal,
  ) {
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new Error(`no complete answer within ${timeoutMs}ms`));
    }, timeoutMs);
    if (stop?.aborted) this.onStop();
    else stop?.addEventListener('abort', this.onStop, { once: true });
  }

  clear(): void {
    clearTimeout(this.timer);
    this.stop?.removeEventListener('abort', this.onStop);
  }
}

export class ResponseTooLargeError extends Error {
  constructor(
    readonly limit: number,
    readonly announced: number | undefined,
  ) {
    super(`response larger than ${limit} bytes`);
  }

  describeSize(): string {
    return this.announced !== undefined ? `it announced ${this.announced} bytes` : 'it kept coming';
  }
}

/**
 * Reads a body as UTF-8 text, at most `limit` bytes: a larger answer (announced by its
 * Content-Length, or found while reading) is dropped without reading the rest into memory.
 */
export async function readBodyWithin(response: Dispatcher.ResponseData, limit: number): Promise<string> {
  const announced = Number(response.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit) {
    response.body.destroy();
    throw new ResponseTooLargeError(limit, announced);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      response.body.destroy();
      throw new ResponseTooLargeError(limit, undefined);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
