#!/usr/bin/env node
/**
 * Adds every migration file not yet in migrations/frozen.json to it, with its SHA-256: run it when
 * a migration ships (npm run migrations:freeze). A listed file is never re-hashed: a migration that
 * changed after it shipped is reported and the script exits 1 (add a new migration instead).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const folder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations');
const listFile = path.join(folder, 'frozen.json');
const MIGRATION = /^\d{4}-\d\d-\d\d-\d{4}-[a-z0-9-]+\.ts$/;

const frozen = fs.existsSync(listFile) ? JSON.parse(fs.readFileSync(listFile, 'utf8')) : {};
const hashOf = (file) =>
  createHash('sha256')
    .update(fs.readFileSync(path.join(folder, file)))
    .digest('hex');
let changed = 0;
const added = [];
for (const file of fs
  .readdirSync(folder)
  .filter((f) => MIGRATION.test(f))
  .sort()) {
  const hash = hashOf(file);
  if (!(file in frozen)) {
    frozen[file] = hash;
    added.push(file);
  } else if (frozen[file] !== hash) {
    changed++;
    console.error(`${file} changed after it shipped: restore it (git checkout) and put the change in a new migration.`);
  }
}
const sorted = Object.fromEntries(
  Object.keys(frozen)
    .sort()
    .map((k) => [k, frozen[k]]),
);
fs.writeFileSync(listFile, JSON.stringify(sorted, null, 2) + '\n');
console.log(added.length ? `frozen: ${added.join(', ')}` : 'nothing new to freeze');
process.exit(changed ? 1 : 0);
