/**
 * Checks requests and answers against the extract of Gong's OpenAPI spec (gong-spec-extract.json,
 * made by scripts/extract-contract.mjs). Requests are held strictly: every query parameter and
 * body field must be one the spec names (Gong ignores the others silently). Answers may carry
 * more than the spec says (Gong adds fields without notice), but what the spec names must match.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ALLOWED_BEYOND_SPEC, type AllowedBeyondSpec } from './allowed-beyond-spec.js';

export interface SpecParameter {
  name: string;
  in: 'query' | 'path' | 'header' | 'cookie';
  required: boolean;
  schema: Record<string, unknown>;
}

export interface SpecEndpoint {
  method: 'GET' | 'POST';
  path: string;
  parameters: SpecParameter[];
  requestBody: { required: boolean; schema: Record<string, unknown> } | null;
  response200: Record<string, unknown> | null;
}

export interface SeenRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
}

export const EXTRACT_FILE = path.join(__dirname, 'gong-spec-extract.json');

export function loadExtract(): { source: { sha256: string }; endpoints: Record<string, SpecEndpoint> } {
  return JSON.parse(fs.readFileSync(EXTRACT_FILE, 'utf8'));
}

/** A copy of `schema` where objects with named properties take no others (for requests). */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, closed(v)])) : closed(value);
  }
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

/**
 * CRM context field values (of calls and of parties): the spec types them `object`, but integrations see strings, numbers,
 * lists and null (reference/GONG-API.md): any JSON value is accepted there.
 */
function lenient(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(lenient);
  if (schema === null || typeof schema !== 'object') return schema;
  const node = schema as Record<string, any>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, lenient(v)])) : lenient(value);
  }
  if ((node['x-ref'] === 'ContextField' || node['x-ref'] === 'PartyContextField') && out.properties)
    (out.properties as Record<string, unknown>).value = {};
  return out;
}

/** Requests may not carry a field Gong's spec marks deprecated (x-deprecated); answers may (tenants still send some). */
function newAjv(forRequests: boolean): Ajv {
  // Types and shapes, not string formats (date-time, int64): Gong documents those loosely.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addKeyword('x-ref');
  ajv.addKeyword('x-recursive');
  if (forRequests) ajv.addKeyword({ keyword: 'x-deprecated', validate: (deprecated: boolean) => !deprecated, errors: false });
  else ajv.addKeyword('x-deprecated');
  return ajv;
}

function describeErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const at = e.instancePath || '(top level)';
    if (e.keyword === 'x-deprecated') return `${at}: deprecated in Gong's spec: never send it`;
    if (e.keyword === 'additionalProperties')
      return `${at}/${(e.params as { additionalProperty: string }).additionalProperty}: not a field Gong's spec names here`;
    return `${at}: ${e.message}`;
  });
}

export class SpecContract {
  readonly endpoints: Record<string, SpecEndpoint>;
  private readonly requestAjv = newAjv(true);
  private readonly answerAjv = newAjv(false);
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(
    extract = loadExtract(),
    /** Fields sent beyond the spec on purpose, each with its evidence (allowed-beyond-spec.ts). */
    private readonly allowed: AllowedBeyondSpec[] = ALLOWED_BEYOND_SPEC,
  ) {
    this.endpoints = extract.endpoints;
  }

  /** The spec endpoint ("METHOD /path/{id}") a concrete request is for, if any. */
  endpointOf(method: string, concretePath: string): string | undefined {
    return Object.keys(this.endpoints).find((key) => {
      const e = this.endpoints[key]!;
      const pattern = new RegExp(`^${e.path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      return e.method === method && pattern.test(concretePath);
    });
  }

  /** What is wrong with a request for this endpoint, each problem naming the field. */
  requestProblems(key: string, request: SeenRequest): string[] {
    const endpoint = this.endpoints[key]!;
    const problems: string[] = [];
    const queryParams = endpoint.parameters.filter((p) => p.in === 'query');
    const allowedHere = this.allowed.filter((a) => a.endpoint === key);
    for (const name of Object.keys(request.query)) {
      const param = queryParams.find((p) => p.name === name);
      if (!param && allowedHere.some((a) => a.field === `query ${name}`)) continue;
      if (!param) {
        problems.push(
          `query parameter "${name}" is not one Gong's spec lists (it lists: ${queryParams.map((p) => p.name).join(', ') || 'none'})`,
        );
      } else if ((param.schema.type === 'integer' || param.schema.type === 'number') && !/^-?\d+$/.test(request.query[name]!)) {
        problems.push(
          `query parameter "${name}" must be ${param.schema.type} (${param.schema.format ?? ''}), got "${request.query[name]}"`,
        );
      }
    }
    for (const param of queryParams.filter((p) => p.required)) {
      if (!(param.name in request.query)) problems.push(`required query parameter "${param.name}" is missing`);
    }
    if (!endpoint.requestBody) {
      if (request.body !== undefined && request.body !== null) problems.push(`a body was sent, but Gong's spec takes none for ${key}`);
    } else if (request.body === undefined) {
      if (endpoint.requestBody.required) problems.push('the required request body is missing');
    } else {
      const validate = this.validator(this.requestAjv, `${key} request`, () => closed(endpoint.requestBody!.schema));
      if (!validate(request.body)) {
        const beyond = new Set(allowedHere.map((a) => a.field));
        problems.push(
          ...describeErrors(validate.errors)
            .map((p) => `body ${p}`)
            .filter((p) => !beyond.has(p.replace(/: not a field Gong's spec names here$/, ''))),
        );
      }
    }
    return problems;
  }

  /** What is wrong with a 200 answer for this endpoint, each problem naming the field. */
  answerProblems(key: string, answer: unknown): string[] {
    const endpoint = this.endpoints[key]!;
    if (!endpoint.response200) return [];
    const validate = this.validator(this.answerAjv, `${key} 200`, () => lenient(endpoint.response200));
    return validate(answer) ? [] : describeErrors(validate.errors).map((p) => `answer ${p}`);
  }

  private validator(ajv: Ajv, name: string, schema: () => unknown): ValidateFunction {
    let validate = this.compiled.get(name);
    if (!validate) {
      validate = ajv.compile(schema() as object);
      this.compiled.set(name, validate);
    }
    return validate;
  }
}
