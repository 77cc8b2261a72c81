import { describe, expect, it } from 'vitest';
import { fieldLandings, leafPaths } from '../src/schema-coverage/field-landing.js';
import { formatCoverage, schemaCoverage } from '../src/schema-coverage/coverage-report.js';
import { defineStream } from '../streams/types.js';
import { jsonText, raw, requireId, text } from '../streams/mapping.js';

describe('schema coverage', () => {
  it('finds where a field lands by mapping a record with and without it', () => {
    const probe = defineStream({
      name: 'probe',
      description: 'a stream that types one field, keeps one as JSON and drops one',
      endpoint: { method: 'GET', path: '/probe' },
      request: () => ({}),
      recordsKey: 'items',
      paginated: false,
      replication: { kind: 'full_refresh' },
      tables: [{ name: 'probe', primaryKey: ['id'] }],
      recordId: (r) => String(r.id),
      toRows: (r) => ({
        probe: [
          {
            id: requireId(r.id, 'id'),
            name: text(r.name),
            tags: jsonText(r.tags),
            raw: raw({ id: r.id, name: r.name, tags: r.tags, note: r.note }),
          },
        ],
      }),
    });
    const schema = {
      type: 'object',
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        tags: { type: 'array', items: { type: 'object', properties: { label: { type: 'string' } } } },
        note: { type: 'string' },
        ignored: { type: 'integer' },
      },
    };
    expect(leafPaths(schema)).toEqual(['id', 'name', 'tags[].label', 'note', 'ignored']);
    const landings = Object.fromEntries(
      fieldLandings(probe, schema, { settings: { includePrivateCalls: true } }).map((f) => [f.path, f.landing]),
    );
    expect(landings).toEqual({ id: 'typed', name: 'typed', 'tags[].label': 'json', note: 'raw', ignored: 'dropped' });
  });

  it('at least 95% of the fields Gong documents (spec and reference) land in typed columns', () => {
    const report = schemaCoverage();
    const untyped = report.streams.flatMap((s) =>
      s.fields.filter((f) => f.landing !== 'typed').map((f) => `${s.stream} (${s.source}): ${f.path} -> ${f.landing}`),
    );
    expect(report.totals.fields).toBeGreaterThan(400);
    expect(report.typedShare, `${formatCoverage(report)}\nnot typed:\n${untyped.join('\n')}`).toBeGreaterThanOrEqual(0.95);
    // Nothing Gong documents is lost: at worst it is in raw.
    expect(untyped.filter((line) => line.endsWith('dropped'))).toEqual([]);
  });
});
