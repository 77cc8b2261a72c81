import { sql } from 'kysely';
import type { SqlExecutor } from '../db/sql-executor.js';
import { SPEC_RESPONSE_FIELDS } from './spec-response-fields.js';

interface Seen {
  endpoint: string;
  path: string;
  exampleType: string;
  count: number;
}

interface EndpointFields {
  known: Set<string>;
  /** Paths whose children are an open map in the spec (anything below is expected). */
  open: string[];
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
  private readonly byEndpoint = new Map<string, EndpointFields | null>();

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
    const fields = this.byEndpoint.get(endpoint)!;
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
            oc.columns(['endpoint', 'path']).doUpdateSet({ last_seen: at, count: sql`_schema_drift.count + ${s.count}`, example_type: s.exampleType }),
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
    if (!this.byEndpoint.has(template)) {
      const list = this.fields[template]!;
      this.byEndpoint.set(template, { known: new Set(list), open: list.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1)) });
    }
    return template;
  }

  private walk(endpoint: string, fields: EndpointFields, value: unknown, path: string): void {
    if (Array.isArray(value)) {
      for (const item of value) this.walk(endpoint, fields, item, `${path}[]`);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      if (fields.open.some((prefix) => childPath.startsWith(prefix))) continue;
      if (fields.known.has(childPath)) this.walk(endpoint, fields, child, childPath);
      else this.note(endpoint, childPath, child);
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
export async function driftSince(exec: SqlExecutor, since: string | null): Promise<Array<{ endpoint: string; path: string; first_seen: string; count: number; example_type: string }>> {
  let query = exec.db.selectFrom('_schema_drift').select(['endpoint', 'path', 'first_seen', 'count', 'example_type']).orderBy('endpoint').orderBy('path');
  if (since) query = query.where('first_seen', '>=', since);
  return (await exec.all<any>(query)).map((r) => ({ ...r, count: Number(r.count) }));
}
