/**
 * Paces every request to Gong (retries and media included) so that no window of `windowMs` ever
 * holds more than `perWindow` requests *as they leave*, with a margin for the jitter between
 * "sent" here and "arrived" there.
 *
 * - Send times are taken when a request is actually handed to the socket (right before its bytes
 *   are written), not when its task was queued: a request delayed by a GC pause or a synchronous
 *   SQLite commit pushes the following ones back instead of letting them bunch up.
 * - A sliding record of the last `perWindow` send times decides the next slot: slot = the
 *   perWindow-th most recent send + windowMs + margin.
 * - The margin adapts: it covers the timer lateness measured on this machine (a loaded machine
 *   wakes late, and so does whatever receives the request), widens after a 429 and narrows
 *   slowly while requests go through cleanly.
 * - With a shared send log (the database), requests of every gong-sync process on the same
 *   database count: a slot is claimed there atomically before the request leaves.
 * - Nothing may wait between a claimed slot and the send: work that can wait (counting the request
 *   against the daily budget, a database write another process may hold up for hundreds of ms)
 *   runs before the claim (`prepare`). Should a task still await before sending, its request is
 *   found through the task's async context and counted from when it left.
 */

import { AsyncLocalStorage } from 'node:async_hooks';
import diagnostics from 'node:diagnostics_channel';
import fs from 'node:fs';
import os from 'node:os';

/** Send times shared by every process using the same database (state/request-times.ts). */
export interface SharedSendLog {
  /**
   * Atomically: if fewer than `perWindow` sends happened in the last `spanMs` before now (at least
   * `nowMs`) and none in the last `minGapMs`, records a send now and returns its time; else the
   * earliest time worth retrying.
   */
  claim(request: { perWindow: number; spanMs: number; minGapMs: number; nowMs: number }): Promise<{ sentAt: number } | { retryAt: number }>;
  /** A send recorded at `claimedMs` actually left at `actualMs` (later): move it. */
  correct?(claimedMs: number, actualMs: number): Promise<void>;
}

export interface RequestPacerOptions {
  /** Requests per second. Fractional rates work too (0.5 = one request per 2 s). */
  requestsPerSecond: number;
  /** Requests in flight at once (each still waits its slot to leave). */
  concurrency?: number;
  shared?: SharedSendLog;
  /** Smallest margin, in ms over the window (default 3% of the window, at least 20 ms). */
  minMarginMs?: number;
  now?: () => number;
  /** Runnable tasks per CPU right now (default: /proc/loadavg on Linux, the 1-minute load elsewhere). */
  machineLoad?: () => number;
}

export interface PacerStats {
  sends: number;
  marginMs: number;
  /** Largest timer lateness seen (ms): how loaded this machine is. */
  maxLatenessMs: number;
  /** Median and 90th percentile of the recent timer lateness (ms). */
  latenessP50Ms: number;
  latenessP90Ms: number;
  /** Runnable tasks per CPU (smoothed) when last measured. */
  machineLoad: number;
  /** Largest delay of an answer beyond its endpoint's quickest (ms), by which its send was counted later. */
  maxAnswerDelayMs: number;
  throttles: number;
}

export interface RunOptions {
  /**
   * Runs once the request is next in line, before its slot is claimed; a failure refuses the
   * request unsent. For work that may wait (e.g. counting the request against the daily budget in
   * the database): inside the task it would delay the send past its slot.
   */
  prepare?: () => Promise<void> | void;
}

interface Waiting {
  start: () => void;
  cancel: (error: Error) => void;
  prepare?: () => Promise<void> | void;
}

/** A send being made: the first request its task creates is counted from when it leaves. */
interface PendingSend {
  pacer: RequestPacer;
  send: { sentAt: number };
  bound: boolean;
}

const defaultNow = () => Date.now();
/** setTimeout's longest delay: a longer sleep wakes early and waits again. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The send of the task running in this async context: the task's request is tied to its slot
 * even when the task awaits something before sending it.
 */
const sendOfTask = new AsyncLocalStorage<PendingSend>();
let watching = false;

/**
 * undici publishes when it creates a request (synchronously inside `request()`, in the async
 * context of the task that calls it) and when it writes that request's headers to the socket. A
 * request that had to wait for a new connection (TCP + TLS to Gong: easily 100-300 ms), or whose
 * task awaited something first, is thus counted from when it really left, not from its slot.
 */
function watchSocketWrites(): void {
  if (watching) return;
  watching = true;
  const sends = new WeakMap<object, PendingSend>();
  diagnostics.subscribe('undici:request:create', (message) => {
    const request = (message as { request?: object }).request;
    const pending = sendOfTask.getStore();
    if (!pending || pending.bound || !request) return;
    pending.bound = true;
    sends.set(request, pending);
  });
  diagnostics.subscribe('undici:client:sendHeaders', (message) => {
    const request = (message as { request?: object }).request;
    const entry = request ? sends.get(request) : undefined;
    if (!entry) return;
    entry.pacer.correctSendTime(entry.send);
  });
  diagnostics.subscribe('undici:request:headers', (message) => {
    const request = (message as { request?: { method?: string; path?: string } }).request;
    const entry = request ? sends.get(request) : undefined;
    if (!entry) return;
    sends.delete(request!);
    entry.pacer.noteAnswered(entry.send, `${request!.method ?? ''} ${(request!.path ?? '').split('?')[0]}`);
  });
}

export class RequestPacer {
  /** Requests allowed per window, and the window (1000 ms for whole rates). */
  readonly perWindow: number;
  readonly windowMs: number;
  readonly stats: PacerStats = {
    sends: 0,
    marginMs: 0,
    maxLatenessMs: 0,
    latenessP50Ms: 0,
    latenessP90Ms: 0,
    machineLoad: 0,
    maxAnswerDelayMs: 0,
    throttles: 0,
  };
  private readonly paced: boolean;
  private readonly concurrency: number;
  private readonly shared: SharedSendLog | undefined;
  private readonly now: () => number;
  private readonly minMarginMs: number;
  private readonly maxMarginMs: number;
  /** Margin learned from 429s: decays back to the minimum while sends are clean. */
  private floorMs: number;
  /** Recent timer lateness samples (ms), newest last. */
  private readonly lateness: number[] = [];
  private readonly machineLoad: () => number;
  /** Runnable tasks per CPU, smoothed. */
  private load = 0;
  private readonly recent: number[] = [];
  /** Recent times to the first byte of the answer, per endpoint (ms). */
  private readonly roundTrips = new Map<string, number[]>();
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;
  private pumping = false;
  private resumeAt = 0;
  private wake: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private cleared = false;

  constructor(options: RequestPacerOptions) {
    const rate = options.requestsPerSecond;
    this.paced = Number.isFinite(rate) && rate > 0;
    this.perWindow = this.paced ? Math.max(1, Math.floor(rate)) : Infinity;
    this.windowMs = this.paced ? (this.perWindow * 1000) / rate : 0;
    this.concurrency = options.concurrency ?? 4;
    this.shared = options.shared;
    this.now = options.now ?? defaultNow;
    this.minMarginMs = options.minMarginMs ?? Math.max(20, Math.round(this.windowMs * 0.03));
    this.maxMarginMs = Math.max(this.minMarginMs, Math.round(this.windowMs * 0.5));
    this.floorMs = this.minMarginMs;
    this.machineLoad = options.machineLoad ?? runnablePerCpu;
    if (this.paced) {
      // A new process has no lateness history yet: its first requests rely on the load alone, so
      // one instant's count is not trusted below the last minute's average.
      this.load = options.machineLoad ? this.machineLoad() : Math.max(runnablePerCpu(), os.loadavg()[0]! / cpus);
      watchSocketWrites();
    }
    this.stats.marginMs = this.marginMs;
  }

  /**
   * The margin now: the learned floor, plus three times the median recent timer lateness, plus
   * 10 ms for each runnable task per CPU beyond one, capped at half a window. On an
   * oversubscribed machine whatever receives a request (a local simulator, a proxy) is scheduled
   * late too, and a request stamped late there shortens its distance to the ones after it: the
   * margin has to cover that, which this process's own lateness alone does not show. The median
   * ignores the odd long pause of this process's own synchronous work, which the send times
   * already absorb.
   */
  get marginMs(): number {
    const loadMs = 10 * Math.max(0, this.load - 1);
    return Math.min(this.maxMarginMs, Math.round(this.floorMs + 3 * median(this.lateness) + loadMs));
  }

  /**
   * Runs `task` when a slot is free. `task` must send its request synchronously, before its first
   * `await` (its send time is taken right before it is called).
   */
  run<T>(task: () => Promise<T>, options: RunOptions = {}): Promise<T> {
    if (this.cleared) return Promise.reject(new Error('request pacer closed'));
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        prepare: options.prepare,
        start: () => {
          this.inFlight++;
          let result: Promise<T>;
          try {
            result = task();
          } catch (error) {
            result = Promise.reject(error);
          }
          result.then(resolve, reject).finally(() => {
            this.inFlight--;
            void this.pump();
          });
        },
        cancel: reject,
      });
      void this.pump();
    });
  }

  /** Holds every request until `ms` from now (extends, never shortens, a pause), and widens the margin. */
  pauseFor(ms: number): void {
    this.noteThrottled();
    const until = this.now() + ms;
    if (until > this.resumeAt) this.resumeAt = until;
    this.interruptWait();
  }

  /** A 429 arrived: whatever caused it, leave more room from now on. */
  noteThrottled(): void {
    this.stats.throttles++;
    this.floorMs = Math.min(this.maxMarginMs, this.floorMs * 2 + 20);
    this.stats.marginMs = this.marginMs;
  }

  /**
   * The request started last actually left at `actualMs` (e.g. after a new connection was set
   * up): count it from then. Called by the dispatcher hook (sendTimeHook).
   */
  correctSendTime(send: { sentAt: number }, actualMs: number = this.now()): void {
    if (actualMs - send.sentAt < 2) return;
    const index = this.recent.lastIndexOf(send.sentAt);
    if (index >= 0) {
      this.recent[index] = actualMs;
      this.recent.sort((a, b) => a - b);
    }
    // Best effort: a busy database may miss one correction; the margin covers it.
    this.shared?.correct?.(send.sentAt, actualMs).catch(() => undefined);
    send.sentAt = actualMs;
    this.interruptWait();
  }

  /**
   * The answer to a send began to arrive now. When it took longer than the quickest recent answer
   * of the same endpoint, the request may have been stamped late by the receiving end as well (a
   * busy or paused server counts a request when it gets to it): its send is counted later by that
   * excess (at most a quarter window, less the minimum margin), so the requests after it keep their distance from where
   * it was counted. The part of the excess the minimum margin covers is not counted twice.
   */
  noteAnswered(send: { sentAt: number }, endpoint: string): void {
    const roundTrip = this.now() - send.sentAt;
    const history = this.roundTrips.get(endpoint) ?? [];
    const quickest = history.length > 0 ? Math.min(...history) : roundTrip;
    history.push(roundTrip);
    if (history.length > 20) history.shift();
    this.roundTrips.set(endpoint, history);
    const excess = Math.min(roundTrip - quickest, this.windowMs / 4);
    this.stats.maxAnswerDelayMs = Math.max(this.stats.maxAnswerDelayMs, Math.round(excess));
    // The minimum margin already covers that much delay; only a longer one moves the send.
    const shift = excess - this.minMarginMs;
    if (shift >= 2) this.correctSendTime(send, send.sentAt + shift);
  }

  clear(): void {
    this.cleared = true;
    const waiting = this.waiting.splice(0);
    for (const w of waiting) w.cancel(new Error('request pacer closed'));
    this.interruptWait();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiting.length > 0 && this.inFlight < this.concurrency && !this.cleared) {
        const head = this.waiting[0]!;
        if (head.prepare) {
          // Before the slot (and while it is awaited), so that nothing waits between slot and send.
          const prepare = head.prepare;
          head.prepare = undefined;
          try {
            await prepare();
          } catch (error) {
            const index = this.waiting.indexOf(head);
            if (index >= 0) this.waiting.splice(index, 1);
            head.cancel(error instanceof Error ? error : new Error(String(error)));
          }
          continue;
        }
        const now = this.now();
        if (this.resumeAt > now) {
          await this.sleepUntil(this.resumeAt, false);
          continue;
        }
        if (!this.paced) {
          this.startNext(now);
          continue;
        }
        const due = this.localSlot();
        if (due > now) {
          await this.sleepUntil(due, true);
          continue;
        }
        if (this.shared) {
          const claimed = await this.shared.claim({
            perWindow: this.perWindow,
            spanMs: this.windowMs + this.marginMs,
            minGapMs: this.spacingMs,
            nowMs: now,
          });
          if ('retryAt' in claimed) {
            await this.sleepUntil(Math.max(claimed.retryAt, now + 1), true);
            continue;
          }
          this.startNext(claimed.sentAt);
          continue;
        }
        this.startNext(now);
      }
    } finally {
      this.pumping = false;
    }
  }

  private startNext(sentAt: number): void {
    const next = this.waiting.shift()!;
    if (this.paced) {
      this.recent.push(sentAt);
      if (this.recent.length > this.perWindow) this.recent.splice(0, this.recent.length - this.perWindow);
      this.stats.sends++;
      // Clean sends narrow the learned margin slowly (about a third in 100 sends).
      this.floorMs = Math.max(this.minMarginMs, this.floorMs - (this.floorMs - this.minMarginMs) * 0.01);
      this.stats.marginMs = this.marginMs;
    }
    if (!this.paced) {
      next.start();
      return;
    }
    sendOfTask.run({ pacer: this, send: { sentAt }, bound: false }, next.start);
  }

  /**
   * Sends are also spread evenly (window + margin) / perWindow apart: a burst would reach Gong at
   * once and queue there, and whatever delays the first of a burst by the time the others take
   * to handle shrinks its distance to the request `perWindow` later.
   */
  get spacingMs(): number {
    return this.paced ? (this.windowMs + this.marginMs) / this.perWindow : 0;
  }

  /** Earliest start allowed by this process's own recent sends. */
  private localSlot(): number {
    const n = this.recent.length;
    if (n === 0) return 0;
    const spaced = this.recent[n - 1]! + this.spacingMs;
    if (n < this.perWindow) return spaced;
    return Math.max(spaced, this.recent[n - this.perWindow]! + this.windowMs + this.marginMs);
  }

  private sleepUntil(at: number, measure: boolean): Promise<void> {
    const planned = at;
    const cpuBefore = process.cpuUsage();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(
        () => {
          this.wake = undefined;
          if (measure) {
            // Lateness from this process's own synchronous work (a page commit) is not jitter the
            // receiving end shares, and the send times absorb it: count only the rest, the time this
            // process was runnable but not running.
            const cpu = process.cpuUsage(cpuBefore);
            this.noteLateness(this.now() - planned - (cpu.user + cpu.system) / 1000);
          }
          resolve();
        },
        Math.min(MAX_TIMER_MS, Math.max(0, at - this.now())),
      );
      this.wake = { timer, resolve };
    });
  }

  private noteLateness(ms: number): void {
    this.load = this.load * 0.8 + this.machineLoad() * 0.2;
    this.stats.machineLoad = Math.round(this.load * 100) / 100;
    const late = Math.max(0, ms);
    this.stats.maxLatenessMs = Math.max(this.stats.maxLatenessMs, late);
    this.lateness.push(late);
    if (this.lateness.length > 16) this.lateness.shift();
    this.stats.marginMs = this.marginMs;
    this.stats.latenessP50Ms = percentile(this.lateness, 0.5);
    this.stats.latenessP90Ms = percentile(this.lateness, 0.9);
  }

  private interruptWait(): void {
    if (!this.wake) return;
    clearTimeout(this.wake.timer);
    const { resolve } = this.wake;
    this.wake = undefined;
    resolve();
  }
}

const cpus = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
let procLoadavgReadable = process.platform === 'linux';

/**
 * Tasks that want a CPU right now, per CPU: the 4th field of /proc/loadavg ("running/total")
 * counts them at this instant (this process included, so an idle machine reads about 1/cpus).
 * Elsewhere, the 1-minute load average.
 */
function runnablePerCpu(): number {
  if (procLoadavgReadable) {
    try {
      const running = Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[3]?.split('/')[0]);
      if (Number.isFinite(running)) return running / cpus;
    } catch {
      procLoadavgReadable = false;
    }
  }
  return os.loadavg()[0]! / cpus;
}

function median(values: number[]): number {
  return percentile(values, 0.5);
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}
