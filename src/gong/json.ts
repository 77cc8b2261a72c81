/**
 * Gong sends some ids (scorecard settings) as bare JSON numbers of up to 20 digits, which a plain
 * JSON.parse rounds. Before parsing, integers too long to be exact are turned into strings;
 * string literals are matched first so digits inside text are never touched.
 */
const STRING_OR_LONG_INTEGER = /("(?:[^"\\]|\\.)*")|(?<![\d.eE+-])(-?\d{16,})(?![\d.eE])/g;

/** A bare number follows ':', '[' or ',': if no long one does, plain JSON.parse is exact (and much faster). */
const MAYBE_LONG_BARE_INTEGER = /[:[,]\s*-?\d{16,}/;

export function parseJsonLossless(text: string): unknown {
  if (!MAYBE_LONG_BARE_INTEGER.test(text)) return JSON.parse(text);
  const safeText = text.replace(STRING_OR_LONG_INTEGER, (match, stringLiteral: string | undefined, digits: string | undefined) => {
    if (stringLiteral !== undefined || digits === undefined) return match;
    return Number.isSafeInteger(Number(digits)) ? digits : `"${digits}"`;
  });
  return JSON.parse(safeText);
}

/** Ids arrive as strings or numbers; store them as exact text. */
export function idText(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return String(value);
}
