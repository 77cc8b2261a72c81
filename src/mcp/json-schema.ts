import type { McpParam } from './reference-actions.js';
import { docOf } from './param-docs.js';

export type JsonSchema = Record<string, unknown>;

/**
 * A parameter declaration as JSON Schema, described (what it is, its format, an example: from the
 * declaration or param-docs by name); objects with known fields refuse any other field.
 */
export function paramSchema(param: McpParam, name = ''): JsonSchema {
  const doc = docOf(name, param.description);
  const format = doc?.format === 'date-time' || doc?.format === 'date' ? { format: doc.format } : {};
  const described = doc ? { description: doc.description, ...format } : {};
  switch (param.type) {
    case 'string':
      return { type: 'string', ...(param.enum ? { enum: param.enum } : {}), ...described };
    case 'boolean':
      return { type: 'boolean', ...described };
    case 'integer':
      return { type: 'integer', ...described };
    case 'array<string>':
      return { type: 'array', items: { type: 'string' }, ...described };
    case 'object':
      return param.fields ? { ...objectSchema(param.fields), ...described } : { type: 'object', ...described };
  }
}

/** The schema of an object whose properties are these parameters. */
export function objectSchema(params: Record<string, McpParam>): JsonSchema {
  const required = Object.entries(params)
    .filter(([, p]) => p.required)
    .map(([name]) => name);
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(params).map(([name, p]) => [name, paramSchema(p, name)])),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

/**
 * Problems with a tool call's arguments against its schema, at the top level: unknown names,
 * missing required ones, and values of the wrong JSON type. (Nested reference parameters are
 * checked by the action table's own validation.)
 */
export function argumentProblems(schema: JsonSchema, args: Record<string, unknown>): string[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const problems: string[] = [];
  const known = Object.keys(properties);
  if (schema.additionalProperties === false) {
    for (const name of Object.keys(args)) {
      if (!(name in properties))
        problems.push(`unknown parameter "${name}"${known.length ? ` (expected: ${known.join(', ')})` : ' (this tool takes none)'}`);
    }
  }
  for (const name of (schema.required ?? []) as string[]) {
    if (args[name] === undefined || args[name] === null) problems.push(`missing required parameter "${name}"`);
  }
  for (const [name, value] of Object.entries(args)) {
    const expected = properties[name]?.type;
    if (value === undefined || value === null || typeof expected !== 'string') continue;
    if (!hasJsonType(value, expected))
      problems.push(`parameter "${name}" must be ${expected === 'array' ? 'an array' : expected === 'object' ? 'an object' : expected}`);
  }
  return problems;
}

function hasJsonType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return true;
  }
}
