import cron from 'node-cron';

/**
 * What a cron expression means on a real calendar in a time zone: the wall-clock times it names
 * that will not happen (a daylight-saving gap, a day some months or years lack), so `schedule` can
 * say so when it starts instead of letting node-cron silently skip to a later year.
 */
export interface CronSurprise {
  /** e.g. "2027-03-14 02:30" (wall clock in the schedule's time zone). */
  wallClock: string;
  message: string;
  /** The expression runs several times a day, so a later run the same day does the work: worth a note, not a warning. */
  minor: boolean;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The surprises of the next `days` days (daylight-saving gaps), and the days the expression names that some months or years lack. */
export function cronSurprises(expression: string, timeZone: string, from: Date = new Date(), days = 400): CronSurprise[] {
  return [...missingDays(expression), ...daylightSavingGaps(expression, timeZone, from, days)];
}

/** The next `count` run times, as UTC instants with their wall clock in the time zone. */
export function describeNextRuns(runs: Date[], timeZone: string): string[] {
  return runs.map((run) => `${run.toISOString()} (${wallClockOf(run, timeZone)} ${timeZone})`);
}

/** Days named by the day-of-month and month fields that do not exist every year (Feb 29) or ever (Apr 31). */
function missingDays(expression: string): CronSurprise[] {
  const fields = cron.parse(expression);
  if (fields.dayOfMonth.length === 31) return [];
  const out: CronSurprise[] = [];
  for (const month of fields.month) {
    for (const day of fields.dayOfMonth) {
      if (typeof day !== 'number') continue;
      const longest = new Date(Date.UTC(2024, month, 0)).getUTCDate(); // 2024: a leap year
      const usual = new Date(Date.UTC(2025, month, 0)).getUTCDate();
      const name = `${MONTHS[month - 1]} ${day}`;
      if (day > longest) out.push({ wallClock: name, message: `${name} does not exist: the expression never runs on it`, minor: false });
      else if (day > usual)
        out.push({ wallClock: name, message: `${name} exists only in leap years: in other years that run does not happen`, minor: false });
    }
  }
  return out;
}

/** Wall-clock times the expression names inside a spring-forward gap (clocks jump over them). */
function daylightSavingGaps(expression: string, timeZone: string, from: Date, days: number): CronSurprise[] {
  // Matching wall-clock fields, whatever the zone: the expression read in UTC, which has no gaps.
  const wallClock = cron.createTask(expression, () => undefined, { timezone: 'UTC' });
  const fields = cron.parse(expression);
  const step = fields.second.length > 1 ? 1000 : MINUTE;
  const minor = fields.hour.length > 1;
  const out: CronSurprise[] = [];
  try {
    const end = from.getTime() + days * 24 * HOUR;
    // Whole hours, so the jump is found at a whole minute (every zone's transitions are).
    for (let t = Math.floor(from.getTime() / HOUR) * HOUR; t < end; t += HOUR) {
      const before = offsetOf(t, timeZone);
      const after = offsetOf(t + HOUR, timeZone);
      if (after <= before) continue;
      // Clocks jump forward within this hour: find the minute they jump at.
      let low = t;
      let high = t + HOUR;
      while (high - low > MINUTE) {
        const middle = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE || low + MINUTE;
        if (offsetOf(middle, timeZone) === before) low = middle;
        else high = middle;
      }
      const gapStart = high + before; // wall clock (as a UTC instant) the clocks leave
      const gapEnd = high + after; // ... and the one they land on
      const lost: number[] = [];
      for (let w = gapStart; w < gapEnd; w += step) if (wallClock.match(new Date(w))) lost.push(w);
      if (lost.length === 0) continue;
      const first = formatWall(lost[0]!, step < MINUTE);
      const jump = `clocks jump from ${formatWall(gapStart, false).slice(11)} to ${formatWall(gapEnd, false).slice(11)}`;
      out.push({
        wallClock: first,
        message:
          lost.length === 1
            ? `${first} does not exist in ${timeZone} (${jump}): that run does not happen`
            : `${first} to ${formatWall(lost.at(-1)!, step < MINUTE).slice(11)} do not exist in ${timeZone} (${jump}): those ${lost.length} runs do not happen`,
        minor,
      });
    }
  } finally {
    void wallClock.destroy();
  }
  return out;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** How far the zone is ahead of UTC at an instant, in ms. */
function offsetOf(instant: number, timeZone: string): number {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((p) => [p.type, Number(p.value)])) as Record<string, number>;
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

function wallClockOf(instant: Date, timeZone: string): string {
  return formatWall(instant.getTime() + offsetOf(instant.getTime(), timeZone), false);
}

/** A wall-clock time held as a UTC instant, as "YYYY-MM-DD HH:MM[:SS]". */
function formatWall(wall: number, seconds: boolean): string {
  const iso = new Date(wall).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)}`;
}
