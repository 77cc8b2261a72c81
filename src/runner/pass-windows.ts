import type { DateWindow, Replication } from '../../streams/types.js';
import { boundTime, planWindowsNewestFirst, upperBoundFor } from './date-windows.js';

type DateWindowsReplication = Extract<Replication, { kind: 'date_windows' }>;

/** The newest window of a first sync or backfill: this week, read before anything older. */
export const RECENT_DAYS = 7;
/** A backfill uses windows of at most a month, so its progress (and an expired cursor) costs little. */
const BACKFILL_WINDOW_DAYS = 31;

/** What decides a pass's windows: the run's frozen start, the company time zone, and where it starts. */
export interface PassScope {
  runStartedAt: Date;
  timeZone: string;
  startDate: Date;
  /** A backfill's explicit range. */
  range?: DateWindow;
}

/** The frozen end of this run's windows; a backfill's own end, but never past what Gong allows. */
export function passUpperBound(replication: DateWindowsReplication, scope: PassScope): string {
  const limit = upperBoundFor(replication.upperBound, scope.runStartedAt, scope.timeZone);
  if (!scope.range) return limit;
  return boundTime(scope.range.to) < boundTime(limit) ? scope.range.to : limit;
}

/** Where this pass starts: the backfill's own start, else the configured start date. */
export function passStart(scope: PassScope): Date {
  return scope.range ? new Date(boundTime(scope.range.from)) : scope.startDate;
}

export function windowShape(replication: DateWindowsReplication, scope: PassScope) {
  return {
    granularity: replication.granularity,
    maxWindowDays: scope.range ? Math.min(replication.maxWindowDays, BACKFILL_WINDOW_DAYS) : replication.maxWindowDays,
    alignToMonths: replication.alignToMonths && !scope.range,
  };
}

/** Every window of a first pass (or a new backfill), newest first: the newest is read in the fresh phase. */
export function firstPassWindows(replication: DateWindowsReplication, scope: PassScope): DateWindow[] {
  return planWindowsNewestFirst({
    ...windowShape(replication, scope),
    from: passStart(scope).getTime(),
    to: passUpperBound(replication, scope),
    firstWindowDays: RECENT_DAYS,
  });
}

/**
 * No Gong data is older than this (Gong was founded in 2015): an earlier start would only walk
 * empty windows and spend the day's budget on them, so it is refused as a configuration error.
 */
export const EARLIEST_START = '2010-01-01';

/** Why a start date cannot be used (before EARLIEST_START), or undefined when it can. */
export function startDateProblem(date: Date, name: string): string | undefined {
  if (!(date.getTime() < boundTime(EARLIEST_START))) return undefined;
  return `${name} ${date.toISOString().slice(0, 10)} is before ${EARLIEST_START}, earlier than any Gong data: choose a later date (e.g. when your company started using Gong).`;
}
