import { sql } from 'kysely';
import type { SqlExecutor } from '../db/sql-executor.js';
import { SPEC_RESPONSE_FIELDS } from './spec-response-fields.js';

interface Seen {
  endpoint: string;
  path: string;
  exampleType: string;
  count: number;
}

/** The spec's fields of one answer as a tree: what an object may hold, what an array holds. */
interface FieldNode {
  children: Map<string, FieldNode>;
  item?: FieldNode;
  /** An open map (additionalProperties): anything below is expected. */
  open: boolean;
}

function fieldTree(paths: string[]): FieldNode {
  const root: FieldNode = { children: new Map(), open: false };
  for (const path of paths) {
    let node = root;
    for (const segment of path.split('.')) {
      if (segment === '*') {
        node.open = true;
        break;
      }
      const name = segment.replace(/(\[\])+$/, '');
      if (name) {
        let child = node.children.get(name);
        if (!child) node.children.set(name, (child = { children: new Map(), open: false }));
        node = child;
      }
      for (let arrays = (segment.length - name.length) / 2; arrays > 0; arrays--) node = node.item ??= { children: new Map(), open: false };
    }
  }
  return root;
}

/**
 * Records every field of Gong's answers that the committed spec extract does not list, in
 * `_schema_drift` (endpoint, path like `workspaces[].workspaceId`, first and last seen, count, a
 * JSON type). Only the outermost unknown field of a branch is recorded. Nothing ever fails on it.
 * `observe` is cheap and synchronous (a walk of the parsed answer); `flush` writes what it found,
 * inside the page's transaction.
 */
export class DriftRecorder {
  private readonly pending = new Map<string, Seen>();
  private readonly byEndpoint = new Map<string, FieldNode | null>();

  constructor(
    private readonly exec: SqlExecutor,
    private readonly now: () => Date = () => new Date(),
    private readonly fields: Record<string, string[]> = SPEC_RESPONSE_FIELDS,
  ) {}

  observe(request: { method: string; path: string } | string, answer: unknown): void {
    if (answer === null || typeof answer !== 'object') return;
    const label = typeof request === 'string' ? `GET ${request}` : `${request.method} ${request.path}`;
    const endpoint = this.endpointOf(label);
    if (!endpoint) return;
    const fields = this.byEndpoint.get(endpoint);
    if (fields) this.walk(endpoint, fields, answer, '');
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const at = this.now().toISOString();
    const seen = [...this.pending.values()];
    this.pending.clear();
    for (const s of seen) {
      await this.exec.run(
        this.exec.db
          .insertInto('_schema_drift')
          .values({ endpoint: s.endpoint, path: s.path, first_seen: at, last_seen: at, count: s.count, example_type: s.exampleType })
          .onConflict((oc) =>
            oc
              .columns(['endpoint', 'path'])
              .doUpdateSet({ last_seen: at, count: sql`_schema_drift.count + ${s.count}`, example_type: s.exampleType }),
          ),
      );
    }
  }

  /** The spec's endpoint (`GET /v2/users/{id}`) a request's path belongs to, or undefined when the spec lacks it. */
  private endpointOf(label: string): string | undefined {
    if (this.byEndpoint.has(label)) return this.byEndpoint.get(label) ? label : undefined;
    const template = Object.keys(this.fields).find((key) => key === label || templateMatches(key, label));
    if (!template) {
      this.byEndpoint.set(label, null);
      return undefined;
    }
    if (!this.byEndpoint.has(template)) this.byEndpoint.set(template, fieldTree(this.fields[template]!));
    return template;
  }

  /** Descends only where the spec has the field; a path string is built only for objects and unknown fields. */
  private walk(endpoint: string, node: FieldNode, value: unknown, path: string): void {
    if (value === null || typeof value !== 'object' || node.open) return;
    if (Array.isArray(value)) {
      if (!node.item) return;
      const itemPath = `${path}[]`;
      for (const item of value) if (item !== null && typeof item === 'object') this.walk(endpoint, node.item, item, itemPath);
      return;
    }
    for (const key in value) {
      const child = node.children.get(key);
      const childValue = (value as Record<string, unknown>)[key];
      if (!child) this.note(endpoint, path ? `${path}.${key}` : key, childValue);
      else if (childValue !== null && typeof childValue === 'object') this.walk(endpoint, child, childValue, path ? `${path}.${key}` : key);
    }
  }

  private note(endpoint: string, path: string, value: unknown): void {
    const id = `${endpoint}|${path}`;
    const seen = this.pending.get(id);
    if (seen) seen.count++;
    else this.pending.set(id, { endpoint, path, exampleType: jsonType(value), count: 1 });
  }
}

function templateMatches(template: string, label: string): boolean {
  if (!template.includes('{')) return false;
  const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`);
  return pattern.test(label);
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  // Bare-number ids larger than a double arrive as lossless wrappers (src/gong/json.ts).
  if (typeof value === 'object' && value !== null && value.constructor !== Object) return 'integer';
  return typeof value;
}

/** Drift first seen at or after `since` (the start of the latest run), for `status`. */
export async function driftSince(
  exec: SqlExecutor,
  since: string | null,
): Promise<Array<{ endpoint: string; path: string; first_seen: string; count: number; example_type: string }>> {
  let query = exec.db
    .selectFrom('_schema_drift')
    .select(['endpoint', 'path', 'first_seen', 'count', 'example_type'])
    .orderBy('endpoint')
    .orderBy('path');
  if (since) query = query.where('first_seen', '>=', since);
  return (await exec.all<any>(query)).map((r) => ({ ...r, count: Number(r.count) }));
}
