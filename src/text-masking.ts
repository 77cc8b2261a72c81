/**
 * Masks personal contact details spoken in call text (GONG_REDACT_TEXT=1): email addresses and
 * phone numbers, written ("ben@berg.example", "+1 (415) 555-0134") or spelled out as speech
 * recognition writes them ("ben at berg dot com", "five five five zero one three four").
 * Used on what leaves the process (MCP answers, exports); the stored copy stays intact.
 */

export const EMAIL_MASK = '[email]';
export const PHONE_MASK = '[phone]';

/** Fewest digits that make a number a phone number (shorter ones are amounts, years, counts). */
const MIN_PHONE_DIGITS = 7;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** "name at domain dot com" (also "dot co dot uk"), as a transcript writes an address said aloud. */
const SPOKEN_EMAIL =
  /\b[A-Za-z0-9._%+-]+(?:\s+dot\s+[A-Za-z0-9_%+-]+)*\s+at\s+[A-Za-z0-9-]+(?:\s+dot\s+[A-Za-z0-9-]+)*\s+dot\s+(?:com|org|net|io|edu|gov|co|uk|de|fr|ca|au|example)\b/gi;
/** Digits with the separators phone numbers are written with; checked for digit count below. */
const PHONE = /(?<![\w.])\+?\(?\d[\d\s().\-/]{4,}\d(?![\w])/g;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DIGIT_WORD = '(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|double|triple)';
/** Seven or more digit words in a row ("five five five, one two three four"). */
const SPOKEN_PHONE = new RegExp(`\\b${DIGIT_WORD}(?:[\\s,-]+${DIGIT_WORD}){${MIN_PHONE_DIGITS - 1},}\\b`, 'gi');

/** The text with every email address and phone number replaced by [email] / [phone]. */
export function maskContactDetails(text: string): string {
  if (!text) return text;
  return text
    .replace(EMAIL, EMAIL_MASK)
    .replace(SPOKEN_EMAIL, EMAIL_MASK)
    .replace(SPOKEN_PHONE, PHONE_MASK)
    .replace(PHONE, (match) => (isPhoneNumber(match) ? PHONE_MASK : match));
}

function isPhoneNumber(candidate: string): boolean {
  const trimmed = candidate.trim();
  if (ISO_DATE.test(trimmed)) return false;
  const digits = trimmed.replace(/\D/g, '');
  return digits.length >= MIN_PHONE_DIGITS && digits.length <= 15;
}

/**
 * A masker for a setting: the identity when masking is off, so callers need not branch.
 * `GONG_REDACT_TEXT=1` (or true/yes/on) turns it on.
 */
export function textMasker(enabled: boolean): (text: string) => string {
  return enabled ? maskContactDetails : (text) => text;
}

/** Whether an environment value asks for masking. */
export function maskingRequested(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

/** Every string inside a JSON-like value masked (objects and arrays copied, other values kept). */
export function maskStrings<T>(value: T, mask: (text: string) => string): T {
  if (typeof value === 'string') return mask(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskStrings(v, mask)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, maskStrings(v, mask)])) as T;
  }
  return value;
}
