#!/usr/bin/env node
/**
 * Extracts from Gong's OpenAPI spec (V2) the facts the contract test needs, for the endpoints
 * gong-sync uses: method, path, parameters, request-body schema and 200-response schema, with
 * every $ref resolved inline (the schema's name kept as "x-ref"). Gong's prose (descriptions,
 * examples) is left out. The output is committed, so a fresh clone runs the test without the spec.
 *
 *   node scripts/extract-contract.mjs [SPEC] [OUT]
 *   default SPEC: ../shared/reference/gong-openapi-v2.json, OUT: test/contract/gong-spec-extract.json
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const specFile = path.resolve(process.argv[2] ?? path.join(root, '../shared/reference/gong-openapi-v2.json'));
const outFile = path.resolve(process.argv[3] ?? path.join(root, 'test/contract/gong-spec-extract.json'));

/** The endpoints of the reference's 16 entity/actions and call outcomes (the stream registry names the same; the test checks it). */
export const ENDPOINTS = [
  ['GET', '/v2/users'],
  ['GET', '/v2/users/{id}'],
  ['GET', '/v2/calls'],
  ['GET', '/v2/calls/{id}'],
  ['POST', '/v2/calls/extensive'],
  ['POST', '/v2/calls/transcript'],
  ['GET', '/v2/workspaces'],
  ['POST', '/v2/stats/activity/aggregate'],
  ['POST', '/v2/stats/activity/day-by-day'],
  ['POST', '/v2/stats/interaction'],
  ['POST', '/v2/stats/activity/scorecards'],
  ['GET', '/v2/settings/scorecards'],
  ['GET', '/v2/settings/trackers'],
  ['GET', '/v2/library/folders'],
  ['GET', '/v2/library/folder-content'],
  ['GET', '/v2/coaching'],
  // Not in the reference: Gong's 2026 spec (call outcome definitions).
  ['GET', '/v2/call-outcomes'],
];

/** Keywords that only describe: dropped. */
const PROSE = new Set(['description', 'example', 'examples', 'exampleSetFlag', 'summary', 'title', 'externalDocs', 'deprecated']);

function resolve(spec, node, stack = []) {
  if (Array.isArray(node)) return node.map((item) => resolve(spec, item, stack));
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    const name = node.$ref.replace('#/components/schemas/', '');
    if (stack.includes(name)) return { 'x-ref': name, 'x-recursive': true };
    const target = spec.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved $ref ${node.$ref}`);
    return { 'x-ref': name, ...resolve(spec, target, [...stack, name]) };
  }
  const out = {};
  // Gong marks retired fields in prose ("deprecated.") or with the flag: the contract refuses them in requests.
  if (node.deprecated === true || (typeof node.description === 'string' && /^\s*deprecated\b/i.test(node.description)))
    out['x-deprecated'] = true;
  for (const [key, value] of Object.entries(node)) {
    if (PROSE.has(key)) continue;
    // "properties" maps field names to schemas: a field may itself be called "description".
    out[key] =
      key === 'properties'
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(spec, v, stack)]))
        : resolve(spec, value, stack);
  }
  return out;
}

function extract(spec) {
  const endpoints = {};
  for (const [method, apiPath] of ENDPOINTS) {
    const operation = spec.paths?.[apiPath]?.[method.toLowerCase()];
    if (!operation) throw new Error(`Gong's spec has no ${method} ${apiPath}`);
    const parameters = [...(spec.paths[apiPath].parameters ?? []), ...(operation.parameters ?? [])].map((p) => ({
      name: p.name,
      in: p.in,
      required: p.required === true,
      schema: resolve(spec, p.schema ?? {}),
    }));
    const body = operation.requestBody?.content?.['application/json'];
    const ok = operation.responses?.['200']?.content?.['application/json'];
    endpoints[`${method} ${apiPath}`] = {
      method,
      path: apiPath,
      operationId: operation.operationId ?? null,
      parameters,
      requestBody: body ? { required: operation.requestBody.required === true, schema: resolve(spec, body.schema) } : null,
      response200: ok ? resolve(spec, ok.schema) : null,
    };
  }
  return endpoints;
}

const text = fs.readFileSync(specFile, 'utf8');
const spec = JSON.parse(text);
const output = {
  source: {
    file: 'gong-openapi-v2.json',
    openapi: spec.openapi,
    version: spec.info?.version ?? null,
    sha256: createHash('sha256').update(text).digest('hex'),
  },
  generatedBy: 'scripts/extract-contract.mjs',
  endpoints: extract(spec),
};
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, JSON.stringify(output, null, 1) + '\n');
console.log(`${Object.keys(output.endpoints).length} endpoints from ${specFile} -> ${path.relative(process.cwd(), outFile)}`);
