/**
 * One text form for every stored instant, on both databases: ISO-8601 in UTC, `Z`, whole seconds
 * as Gong writes them (`2024-05-01T10:00:00Z`) and milliseconds only when there are any
 * (`2024-05-01T10:00:00.250Z`). A `*_utc` copy of a Gong timestamp that was already in UTC is then
 * the very same text as the original, so the two compare equal as text.
 */
export function instantText(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/** A timestamp with any offset as the stored UTC text, or null when it is not one. */
export function utcInstant(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? instantText(ms) : null;
}

const PG_TIMESTAMPTZ = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d)(?::?(\d\d))?(?::?(\d\d))?$/;

/**
 * PostgreSQL's text output of a timestamptz ("2024-05-01 10:00:00.25+00") as the stored UTC text;
 * values it cannot read (infinity, years BC) come back as PostgreSQL wrote them.
 */
export function fromPostgresTimestamptz(text: string): string {
  const m = PG_TIMESTAMPTZ.exec(text);
  if (!m) return text;
  const [, date, time, fraction = '', hours, minutes = '00', seconds] = m;
  const ms =
    Date.parse(`${date}T${time}${fraction ? `${fraction}000`.slice(0, 4) : ''}${hours}:${minutes}`) -
    (seconds ? Math.sign(Number(`${hours}1`)) * Number(seconds) * 1000 : 0);
  return Number.isFinite(ms) ? instantText(ms) : text;
}
