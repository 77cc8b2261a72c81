/**
 * The schema-coverage report: for every field Gong's spec and the connector reference document
 * in each stream's records, where it lands (typed column, JSON column, raw only, dropped).
 * Run: npm run schema-coverage [-- --json] [-- --details]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { streams } from '../../streams/index.js';
import type { RequestInput, StreamDefinition } from '../../streams/types.js';
import { LANDING_RANK, fieldLandings, type FieldLanding, type JsonSchema, type Landing } from './field-landing.js';

export type SchemaSource = 'spec' | 'reference';

export interface StreamCoverage {
  stream: string;
  source: SchemaSource;
  fields: FieldLanding[];
}

export interface CoverageReport {
  streams: StreamCoverage[];
  totals: Record<Landing | 'fields', number>;
  /** typed / fields, 0..1 */
  typedShare: number;
}

function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the schema-coverage module');
    dir = parent;
  }
  return dir;
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(path.join(projectRoot(), file), 'utf8'));
}

/** An input like the runner's: a window, and a value for every partition parameter. */
function sampleInput(stream: StreamDefinition): RequestInput {
  const partition = Object.fromEntries((stream.partitions?.sources ?? []).map((s) => [s.param, `partition-${s.param}`]));
  return { window: { from: '2026-01-01', to: '2026-02-01' }, partition, settings: { includePrivateCalls: true } };
}

/** The record schema of a stream in Gong's spec: the items at its records key in the 200 answer. */
function specRecordSchema(spec: any, stream: StreamDefinition): JsonSchema | undefined {
  const endpoint = spec.endpoints[`${stream.endpoint.method} ${stream.endpoint.path}`];
  return endpoint?.response200?.properties?.[stream.recordsKey]?.items;
}

export function schemaCoverage(): CoverageReport {
  const spec = readJson('test/contract/gong-spec-extract.json');
  const reference = readJson('test/contract/reference-record-schemas.json');
  const results: StreamCoverage[] = [];
  // Several streams read one endpoint (calls_extensive and the media streams): a field counts where it lands best.
  const byRecordSchema = new Map<string, { source: SchemaSource; schema: JsonSchema; streams: StreamDefinition[] }>();
  for (const stream of streams) {
    const specSchema = specRecordSchema(spec, stream);
    if (specSchema) {
      const key = `spec ${stream.endpoint.method} ${stream.endpoint.path}`;
      if (!byRecordSchema.has(key)) byRecordSchema.set(key, { source: 'spec', schema: specSchema, streams: [] });
      byRecordSchema.get(key)!.streams.push(stream);
    }
    const referenceSchema = reference.entities[stream.name] as JsonSchema | undefined;
    if (referenceSchema)
      byRecordSchema.set(`reference ${stream.name}`, { source: 'reference', schema: referenceSchema, streams: [stream] });
  }
  for (const { source, schema, streams: readers } of byRecordSchema.values()) {
    const landings = readers.map((stream) => fieldLandings(stream, schema, sampleInput(stream)));
    const fields = landings[0]!.map((first, i) =>
      landings.map((l) => l[i]!).reduce((best, next) => (LANDING_RANK[next.landing] > LANDING_RANK[best.landing] ? next : best), first),
    );
    results.push({ stream: readers[0]!.name, source, fields });
  }
  const totals = { fields: 0, typed: 0, json: 0, raw: 0, dropped: 0 };
  for (const result of results) {
    for (const field of result.fields) {
      totals.fields++;
      totals[field.landing]++;
    }
  }
  return { streams: results, totals, typedShare: totals.fields === 0 ? 0 : totals.typed / totals.fields };
}

export function formatCoverage(report: CoverageReport, details = false): string {
  const lines = ['stream                          source     fields  typed   json    raw  dropped'];
  for (const s of report.streams) {
    const count = (landing: Landing) => s.fields.filter((f) => f.landing === landing).length;
    lines.push(
      `${s.stream.padEnd(32)}${s.source.padEnd(10)}${String(s.fields.length).padStart(7)}${String(count('typed')).padStart(7)}` +
        `${String(count('json')).padStart(7)}${String(count('raw')).padStart(7)}${String(count('dropped')).padStart(9)}`,
    );
    if (details) for (const f of s.fields.filter((f) => f.landing !== 'typed')) lines.push(`    ${f.landing.padEnd(8)}${f.path}`);
  }
  const t = report.totals;
  lines.push(
    `all documented fields: ${t.fields}; typed columns ${t.typed} (${(report.typedShare * 100).toFixed(1)}%), ` +
      `JSON columns ${t.json}, raw only ${t.raw}, dropped ${t.dropped}`,
  );
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const report = schemaCoverage();
  const args = process.argv.slice(2);
  console.log(args.includes('--json') ? JSON.stringify(report, null, 2) : formatCoverage(report, args.includes('--details')));
}
