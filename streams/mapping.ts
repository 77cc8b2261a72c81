/** Small pure helpers that turn Gong's JSON values into SQLite column values. */
import { idText } from '../src/gong/json.js';
import { utcInstant } from '../src/db/instants.js';

export { idText };

/** Lists and objects are kept as JSON text; absent values become NULL. */
export function jsonText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return JSON.stringify(value);
}

export function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function integer(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Math.trunc(Number(value));
  return null;
}

export function real(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

export function bool(value: unknown): number | null {
  if (value === true || value === 'true') return 1;
  if (value === false || value === 'false') return 0;
  return null;
}

/** The whole record, unknown fields included. */
export function raw(record: unknown): string {
  return JSON.stringify(record);
}

export function asArray<T = any>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

export function asObject(value: unknown): Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, any>) : {};
}

/** A record without its key cannot be stored: the runner reports it instead. */
export function requireId(value: unknown, field: string): string {
  const id = idText(value);
  if (!id) throw new Error(`record has no ${field}`);
  return id;
}

/**
 * A timestamp with any offset as UTC ISO-8601 in the one stored form (src/db/instants.ts): whole
 * seconds as Gong writes them, so a UTC original and its copy are the same text. Or NULL.
 */
export function utcIso(value: unknown): string | null {
  return utcInstant(value);
}

/**
 * What `raw` keeps of a record whose typed rows hold the rest: the first of the slim forms (one, or
 * several from slimmest to least slim) that `restore` gives back as the record exactly (checked
 * here, for every record, as it is written), else the whole record. So a stored record is never
 * lossy, whatever shape Gong sends: an unexpected value simply stays in raw. Key order is not
 * compared (JSON objects have none).
 */
export function storedOnce<T>(record: T, slim: unknown, restore: (slim: any) => unknown): unknown {
  return slimmestStored(record, [slim], restore);
}

/** storedOnce with several slim forms, tried from the slimmest. */
export function slimmestStored<T>(record: T, slimForms: unknown[], restore: (slim: any) => unknown): unknown {
  for (const candidate of slimForms) {
    try {
      if (sameJson(restore(structuredClone(candidate)), record)) return candidate;
    } catch {
      // Not restorable: try the next form.
    }
  }
  return record;
}

/** Equal as JSON values (what Gong sends and the columns give back): cheaper than a general deep equality. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key) || !sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}
