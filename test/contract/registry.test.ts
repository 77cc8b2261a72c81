/**
 * The stream registry against the schema: every table a stream declares exists after `migrate`,
 * keyed as declared, and every stream's endpoint is one `execute` knows (one source for both).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { streams } from '../../streams/index.js';
import { ACTIONS } from '../../src/api/actions.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { query } from '../helpers/database.js';

/** Tables SQLite stores as a view over a table keyed by one integer made of the declared key (migration 0030). */
const STORED_COMPACTLY: Record<string, { table: string; key: string[] }> = {
  transcript_sentences: { table: 'transcript_sentence_rows', key: ['call_id', 'seq'] },
};

describe('the stream registry', () => {
  it('declares tables that exist with the primary keys it names', async () => {
    const db = path.join(tempDir(), 'gong.db');
    const migrated = await runCli(['migrate', '--db', db], { GONG_LOG_FORMAT: 'json' });
    expect(migrated.code, migrated.stderr).toBe(0);
    for (const stream of streams) {
      for (const table of stream.tables) {
        const columns = query<{ name: string; pk: number }>(db, `select name, pk from pragma_table_info(?)`, table.name);
        expect(columns.length, `${stream.name}: table ${table.name} is missing`).toBeGreaterThan(0);
        const stored = STORED_COMPACTLY[table.name];
        if (stored) {
          // A view over one integer-keyed table whose key encodes the declared key (SQLite's compact layout).
          expect(query(db, `select type from sqlite_master where name = ?`, table.name)).toEqual([{ type: 'view' }]);
          expect(query(db, `select name from pragma_table_info(?) where pk > 0`, stored.table)).toEqual([{ name: 'id' }]);
          expect(stored.key, `${stream.name}: primary key of ${table.name}`).toEqual(table.primaryKey);
          continue;
        }
        const key = columns
          .filter((c) => c.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((c) => c.name);
        expect(key, `${stream.name}: primary key of ${table.name}`).toEqual(table.primaryKey);
      }
    }
  });

  it('gives execute its method, path, records key and paging: each action reads a stream declaration', () => {
    for (const action of ACTIONS) {
      const stream = streams.find((s) => s.name === action.entity)!;
      expect(stream, action.entity).toBeDefined();
      if (action.action === 'get')
        expect([action.method, action.path, action.recordKey]).toEqual(['GET', stream.get!.template, stream.get!.recordKey]);
      else expect([action.method, action.path]).toEqual([stream.endpoint.method, stream.endpoint.path]);
      if (action.action === 'list') expect([action.recordsKey, action.paginated]).toEqual([stream.recordsKey, stream.paginated]);
    }
    // A stream's request goes to its declared endpoint.
    for (const stream of streams) {
      const spec = stream.request({
        window: { from: '2026-01-01', to: '2026-02-01' },
        partition: {},
        ids: ['1'],
        settings: { includePrivateCalls: true },
      });
      expect(`${spec.method} ${spec.path}`).toBe(`${stream.endpoint.method} ${stream.endpoint.path}`);
    }
  });
});
