import PQueue from 'p-queue';

export interface RequestPacerOptions {
  /** Requests per second; every request start is spaced evenly so no 1-second window holds more. */
  requestsPerSecond: number;
  /** Requests in flight at once (each still waits its turn to start). */
  concurrency?: number;
}

/**
 * One queue per process paces every request to Gong, retries included. Starts are spaced
 * 1000/rate ms apart (plus a small margin for network jitter) in p-queue's strict, sliding-window
 * mode, so Gong's leaky bucket never sees a burst. A 429 pauses the whole queue.
 */
export class RequestPacer {
  private readonly queue: PQueue;
  private resumeTimer: NodeJS.Timeout | undefined;
  private resumeAt = 0;
  readonly spacingMs: number;

  constructor(options: RequestPacerOptions) {
    const rate = options.requestsPerSecond;
    // 3% margin: two requests sent 1000/rate ms apart can arrive closer than that.
    this.spacingMs = Number.isFinite(rate) && rate > 0 ? Math.max(1, Math.ceil((1000 / rate) * 1.03)) : 0;
    this.queue = new PQueue({
      concurrency: options.concurrency ?? 4,
      ...(this.spacingMs > 0 ? { intervalCap: 1, interval: this.spacingMs, strict: true } : {}),
    });
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    return this.queue.add(task) as Promise<T>;
  }

  /** Holds every queued request until `ms` from now (extends, never shortens, a pause). */
  pauseFor(ms: number): void {
    const until = Date.now() + ms;
    if (until <= this.resumeAt) return;
    this.resumeAt = until;
    this.queue.pause();
    clearTimeout(this.resumeTimer);
    this.resumeTimer = setTimeout(() => {
      this.resumeAt = 0;
      this.queue.start();
    }, ms);
  }

  clear(): void {
    clearTimeout(this.resumeTimer);
    this.queue.clear();
  }
}
