/**
 * Every failure a user can see is one of these. Each carries the exit code the CLI maps it to,
 * and a message that says what failed and what to do. None of them ever carries a secret.
 */
import { redact } from './redact.js';

/** 0 done, 1 failed, 2 bad usage or configuration, 3 stopped early on purpose with state saved. */
export type ExitCode = 0 | 1 | 2 | 3;

export class GongSyncError extends Error {
  readonly exitCode: ExitCode = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    // Messages often quote what a server said: hide any secret it echoed.
    super(redact(message), options);
    this.name = new.target.name;
  }
}

/** Bad flags, environment or arguments: exit 2. */
export class ConfigError extends GongSyncError {
  override readonly exitCode = 2;
}

/** 401/403: retrying never helps. */
export class GongAuthError extends GongSyncError {
  constructor(
    readonly status: number,
    readonly baseUrl: string,
    detail: string,
    hint: string,
  ) {
    super(`Gong rejected the credentials (${status}) for ${baseUrl}: ${hint}${detail ? ` (Gong said: ${detail})` : ''}`);
  }
}

/** Any other HTTP answer Gong gives that is not retryable, or that stayed bad after every retry. */
export class GongHttpError extends GongSyncError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly path: string,
  ) {
    super(message);
  }
}

/** Gong answered 400 "cursor has expired": the window must be restarted from its start. */
export class CursorExpiredError extends GongSyncError {}

/** Stops the run on purpose, with state saved: exit 3. */
export class StoppedEarlyError extends GongSyncError {
  override readonly exitCode = 3;
}

export class DailyBudgetSpentError extends StoppedEarlyError {
  constructor(used: number, budget: number) {
    super(
      `Daily request budget spent: ${used} of ${budget} requests used today (UTC). ` +
        'State is saved; the next run after midnight UTC continues. Raise GONG_DAILY_BUDGET to allow more.',
    );
  }
}

export class RateLimitedError extends StoppedEarlyError {
  constructor(retryAfterSeconds: number, maxWaitSeconds: number) {
    super(
      `Gong asked to wait ${retryAfterSeconds}s before the next request (429), longer than the ${maxWaitSeconds}s this run waits: ` +
        "the company's daily quota is probably spent. State is saved; run again later.",
    );
  }
}

/** Gong answered 429 again and again with short waits: the quota is spent or the server misbehaves. */
export class ThrottledTooOftenError extends StoppedEarlyError {
  constructor(times: number, lastRetryAfterSeconds: number) {
    super(
      `Gong answered 429 (too many requests) ${times} times in a row for the same request, the last asking to wait ${lastRetryAfterSeconds}s: ` +
        "the company's quota is probably spent, or another client is using it. State is saved; run again later.",
    );
  }
}

/** A database file that cannot be used as it is: exit 2, naming the path and what is wrong. */
export class DatabaseFileError extends ConfigError {}

/** A value Gong sent that cannot be right (a cursor that loops, pages past the announced total). */
export class GongProtocolError extends GongSyncError {}

export class InterruptedError extends StoppedEarlyError {
  constructor(signal: string) {
    super(`Stopped by ${signal}: the current page was committed and state is saved; run again to continue.`);
  }
}

export class LockHeldError extends StoppedEarlyError {}

export function describeError(error: unknown): string {
  if (error instanceof Error) return redact(error.message);
  return redact(String(error));
}

/** The one error-to-exit-code map: each error class carries its code; anything else failed (1). */
export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof GongSyncError ? error.exitCode : 1;
}
