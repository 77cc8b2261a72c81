import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrations } from '../migrations/index.js';

const folder = path.resolve(__dirname, '../migrations');
const MIGRATION = /^\d{4}-\d\d-\d\d-\d{4}-[a-z0-9-]+\.ts$/;
const frozen = JSON.parse(fs.readFileSync(path.join(folder, 'frozen.json'), 'utf8')) as Record<string, string>;
const files = fs
  .readdirSync(folder)
  .filter((f) => MIGRATION.test(f))
  .sort();
const sha256 = (file: string) =>
  createHash('sha256')
    .update(fs.readFileSync(path.join(folder, file)))
    .digest('hex');

/**
 * A database never runs a migration again once it has run it, so a shipped migration that changes
 * changes nothing for existing databases and silently splits new ones from old. migrations/frozen.json
 * holds each shipped file's hash; `npm run migrations:freeze` adds new files (never re-hashes one).
 */
describe('frozen migrations', () => {
  it('every migration file is in migrations/frozen.json (npm run migrations:freeze adds new ones)', () => {
    expect(files.filter((f) => !(f in frozen))).toEqual([]);
  });

  it('no shipped migration changed since it was frozen (put changes in a new migration)', () => {
    const changed = Object.keys(frozen).filter((f) => fs.existsSync(path.join(folder, f)) && sha256(f) !== frozen[f]);
    expect(changed).toEqual([]);
  });

  it('no frozen migration was removed, and the registry lists exactly the files', () => {
    expect(Object.keys(frozen).filter((f) => !files.includes(f))).toEqual([]);
    expect(Object.keys(migrations).sort()).toEqual(files.map((f) => f.replace(/\.ts$/, '')));
  });
});
