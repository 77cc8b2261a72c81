/**
 * Where each documented field of a record lands in the database, found by experiment on the real
 * stream mapping: map a sample record holding every field, then the same record without one field,
 * and see which columns change. A changed typed column means "typed"; only a JSON-text column,
 * "json"; only `raw`, "raw"; nothing at all, "dropped".
 */
import type { RequestInput, Row, StreamDefinition } from '../../streams/types.js';

export type Landing = 'typed' | 'json' | 'raw' | 'dropped';
export const LANDING_RANK: Record<Landing, number> = { typed: 3, json: 2, raw: 1, dropped: 0 };

export interface JsonSchema {
  type?: string | string[];
  format?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  /** A map with free keys (coaching metrics by name). */
  additionalProperties?: JsonSchema | boolean;
}

export interface FieldLanding {
  path: string;
  landing: Landing;
  /** table.column pairs that changed when the field was removed. */
  columns: string[];
}

function typeOf(schema: JsonSchema): string {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type) return type;
  return schema.properties ? 'object' : schema.items ? 'array' : 'string';
}

/** Leaf paths: scalars, lists of scalars, and objects without declared properties. */
export function leafPaths(schema: JsonSchema, prefix = ''): string[] {
  const type = typeOf(schema);
  if (type === 'object' && schema.properties && Object.keys(schema.properties).length > 0) {
    return Object.entries(schema.properties).flatMap(([key, child]) => leafPaths(child, prefix ? `${prefix}.${key}` : key));
  }
  if (type === 'array' && schema.items && typeOf(schema.items) === 'object' && schema.items.properties) {
    return leafPaths(schema.items, `${prefix}[]`);
  }
  return [prefix];
}

/** A record with every field present and every value distinct (lists hold one element). */
export function sampleRecord(schema: JsonSchema): unknown {
  let counter = 0;
  const build = (s: JsonSchema): unknown => {
    const n = ++counter;
    switch (typeOf(s)) {
      case 'object':
        if (s.properties) return Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, build(v)]));
        if (typeof s.additionalProperties === 'object') return { [`key-${n}`]: build(s.additionalProperties) };
        return `object-${n}`;
      case 'array':
        return [build(s.items ?? { type: 'string' })];
      case 'integer':
        return 1000 + n;
      case 'number':
        return n + 0.5;
      case 'boolean':
        return true;
      default:
        if (s.format === 'date-time') return new Date(Date.UTC(2026, 0, 1, 10) + n * 60_000).toISOString().replace('Z', '-07:00');
        if (s.format === 'date') return new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);
        return `value-${n}`;
    }
  };
  return build(schema);
}

/** A deep copy of the record without the field at `path` (in every element of the lists on the way). */
export function withoutField(record: unknown, path: string): unknown {
  const copy = structuredClone(record);
  const steps = path.split('.');
  const visit = (node: unknown, index: number): void => {
    if (node === null || typeof node !== 'object') return;
    let step = steps[index]!;
    const isList = step.endsWith('[]');
    if (isList) step = step.slice(0, -2);
    const holder = node as Record<string, unknown>;
    if (index === steps.length - 1 && !isList) {
      delete holder[step];
      return;
    }
    if (isList && index === steps.length - 1) {
      delete holder[step];
      return;
    }
    const next = holder[step];
    if (isList && Array.isArray(next)) next.forEach((element) => visit(element, index + 1));
    else visit(next, index + 1);
  };
  visit(copy, 0);
  return copy;
}

type Mapped = Record<string, Row[]> | 'rejected';

function mapRecord(stream: StreamDefinition, record: unknown, input: RequestInput): Mapped {
  try {
    return stream.toRows(record, input);
  } catch {
    return 'rejected';
  }
}

function isJsonText(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[[{]/.test(value)) return false;
  try {
    return typeof JSON.parse(value) === 'object';
  } catch {
    return false;
  }
}

/** The column values of each table.column, as a sorted multiset, for comparing two mappings. */
function columnValues(mapped: Record<string, Row[]>): Map<string, string> {
  const byColumn = new Map<string, string[]>();
  for (const [table, rows] of Object.entries(mapped)) {
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        const key = `${table}.${column}`;
        if (!byColumn.has(key)) byColumn.set(key, []);
        byColumn.get(key)!.push(JSON.stringify(value ?? null));
      }
    }
  }
  return new Map([...byColumn].map(([key, values]) => [key, values.sort().join('\n')]));
}

/** Where every leaf field of `schema` lands when `stream` maps a record of that shape. */
export function fieldLandings(stream: StreamDefinition, schema: JsonSchema, input: RequestInput): FieldLanding[] {
  const record = sampleRecord(schema);
  const base = mapRecord(stream, record, input);
  if (base === 'rejected') throw new Error(`${stream.name}: the sample record of its documented shape is rejected by toRows`);
  const baseValues = columnValues(base);
  const jsonColumns = new Set<string>();
  for (const [table, rows] of Object.entries(base)) {
    for (const row of rows)
      for (const [column, value] of Object.entries(row)) if (isJsonText(value) && column !== 'raw') jsonColumns.add(`${table}.${column}`);
  }
  return leafPaths(schema).map((path) => {
    const mapped = mapRecord(stream, withoutField(record, path), input);
    // A field whose absence rejects the record is its key: it lands in the key columns.
    if (mapped === 'rejected') return { path, landing: 'typed', columns: ['(record key)'] };
    const values = columnValues(mapped);
    const changed = [...new Set([...baseValues.keys(), ...values.keys()])].filter((key) => baseValues.get(key) !== values.get(key));
    const typed = changed.filter((key) => !key.endsWith('.raw') && !jsonColumns.has(key));
    const landing: Landing =
      typed.length > 0 ? 'typed' : changed.some((key) => jsonColumns.has(key)) ? 'json' : changed.length > 0 ? 'raw' : 'dropped';
    return { path, landing, columns: landing === 'typed' ? typed : changed };
  });
}
