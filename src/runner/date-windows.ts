import type { DateWindow } from '../../streams/types.js';

const DAY_MS = 86_400_000;

export type Granularity = 'datetime' | 'date';

export interface WindowPlanInput {
  granularity: Granularity;
  /** End of the last completed window, or null before the first sync. */
  bookmark: string | null;
  /** Where a first sync starts. */
  startDate: Date;
  lookbackDays: number;
  maxWindowDays: number;
  /** The frozen exclusive upper bound, in the stream's granularity. */
  upperBound: string;
  /** Start on a calendar-month start and cut at every month start. */
  alignToMonths?: boolean;
}

/**
 * Plans the windows of one pass: from the bookmark minus the look-back (or the start date) to the
 * frozen upper bound, cut into windows of at most maxWindowDays. Few, large windows: cursor paging
 * handles any size, and every extra window costs a partial page.
 */
export function planWindows(input: WindowPlanInput): DateWindow[] {
  const start = input.bookmark ? boundTime(input.bookmark) - input.lookbackDays * DAY_MS : input.startDate.getTime();
  const end = boundTime(input.upperBound);
  const from = input.alignToMonths ? floorToMonth(start) : input.granularity === 'date' ? floorToDay(start) : start;
  if (!(from < end)) return [];
  const windows: DateWindow[] = [];
  const step = input.maxWindowDays * DAY_MS;
  for (let cursor = from; cursor < end; ) {
    const next = input.alignToMonths ? Math.min(nextMonth(cursor), cursor + step) : cursor + step;
    const windowEnd = Math.min(next, end);
    windows.push({ from: formatBound(cursor, input.granularity), to: formatBound(windowEnd, input.granularity) });
    cursor = windowEnd;
  }
  return windows;
}

export interface NewestFirstPlanInput {
  granularity: Granularity;
  /** The oldest instant to cover (floored to the day, or the month when aligned). */
  from: number;
  /** The exclusive upper bound, in the stream's granularity. */
  to: string;
  maxWindowDays: number;
  alignToMonths?: boolean;
  /** A shorter newest window (the last week), so the recent calls commit within seconds. */
  firstWindowDays?: number;
}

/**
 * Windows from the upper bound back to `from`, newest first. Cut backwards from `to`, a range
 * yields the same windows whenever it is re-planned from its unread rest, so a resumed history
 * continues exactly where it stopped; month-aligned streams get the same months as forward plans.
 */
export function planWindowsNewestFirst(input: NewestFirstPlanInput): DateWindow[] {
  const end = boundTime(input.to);
  const start = input.alignToMonths ? floorToMonth(input.from) : input.granularity === 'date' ? floorToDay(input.from) : input.from;
  const windows: DateWindow[] = [];
  const step = input.maxWindowDays * DAY_MS;
  for (let cursor = end; cursor > start; ) {
    let previous =
      cursor -
      (windows.length === 0 && input.firstWindowDays && !input.alignToMonths ? Math.min(input.firstWindowDays * DAY_MS, step) : step);
    if (input.alignToMonths) previous = Math.max(previous, floorToMonth(cursor - 1));
    else if (input.granularity === 'date') previous = floorToDay(previous);
    previous = Math.max(previous, start);
    windows.push({ from: formatBound(previous, input.granularity), to: formatBound(cursor, input.granularity) });
    cursor = previous;
  }
  return windows;
}

function floorToMonth(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

function nextMonth(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}

/** The frozen upper bound of a run: now (to the second) or today/tomorrow in the company time zone. */
export function upperBoundFor(upper: 'now' | 'today' | 'tomorrow', now: Date, timeZone: string): string {
  if (upper === 'now') return formatBound(Math.floor(now.getTime() / 1000) * 1000, 'datetime');
  const today = dateInTimeZone(now, timeZone);
  return upper === 'today' ? today : addDays(today, 1);
}

export function dateInTimeZone(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** A window bound as milliseconds: `YYYY-MM-DD` is midnight UTC, anything else an ISO instant. */
export function boundTime(bound: string): number {
  return Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(bound) ? `${bound}T00:00:00Z` : bound);
}

function floorToDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

function formatBound(ms: number, granularity: Granularity): string {
  const iso = new Date(ms).toISOString();
  return granularity === 'date' ? iso.slice(0, 10) : iso.replace(/\.\d{3}Z$/, 'Z');
}
