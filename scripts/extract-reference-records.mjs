#!/usr/bin/env node
/**
 * Extracts from the connector reference's response schemas the record schema of each entity
 * (x-airbyte-entity-name), with $refs resolved and prose dropped, for the schema-coverage report.
 * The output is committed, so a fresh clone computes coverage without ../shared.
 *
 *   node scripts/extract-reference-records.mjs [SCHEMAS] [OUT]
 *   default SCHEMAS: ../shared/reference/schemas/agent-connector-response-schemas.json,
 *           OUT: test/contract/reference-record-schemas.json
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const schemasFile = path.resolve(process.argv[2] ?? path.join(root, '../shared/reference/schemas/agent-connector-response-schemas.json'));
const outFile = path.resolve(process.argv[3] ?? path.join(root, 'test/contract/reference-record-schemas.json'));

const text = fs.readFileSync(schemasFile, 'utf8');
const schemas = JSON.parse(text);
const KEEP = new Set(['type', 'properties', 'items', 'format']);

function resolve(schema, seen = []) {
  if (Array.isArray(schema)) return schema.map((s) => resolve(s, seen));
  if (!schema || typeof schema !== 'object') return schema;
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop();
    if (seen.includes(name)) return { 'x-ref': name, type: 'object' };
    return { 'x-ref': name, ...resolve(schemas[name], [...seen, name]) };
  }
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties') out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, seen)]));
    else if (KEEP.has(key)) out[key] = resolve(value, seen);
  }
  return out;
}

const entities = {};
for (const [name, schema] of Object.entries(schemas)) {
  const entity = schema['x-airbyte-entity-name'];
  if (entity) entities[entity] = { 'x-ref': name, ...resolve(schema, [name]) };
}
const out = {
  source: { file: path.basename(schemasFile), sha256: createHash('sha256').update(text).digest('hex') },
  generatedBy: 'scripts/extract-reference-records.mjs',
  entities,
};
fs.writeFileSync(outFile, JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${Object.keys(entities).length} entity record schemas to ${path.relative(root, outFile)}`);
