import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * How the user can run gong-sync again, for hints in messages: `gong-sync` when that name on the
 * PATH is this very installation (npm install -g, npm link), `npx gong-sync` otherwise (a clone, or
 * run through npx), so that a printed command works as printed.
 */
export function commandName(env: NodeJS.ProcessEnv = process.env): string {
  cached ??= env.npm_lifecycle_event === 'npx' || !onPath(env) ? 'npx gong-sync' : 'gong-sync';
  return cached;
}

function onPath(env: NodeJS.ProcessEnv): boolean {
  let ours: string;
  try {
    // src/command-name.ts or dist/src/command-name.js -> the package's bin/gong-sync.js
    const root = path.resolve(
      path.dirname(fileURLToPath(import.meta.url)),
      fileURLToPath(import.meta.url).includes(`${path.sep}dist${path.sep}`) ? '../..' : '..',
    );
    ours = fs.realpathSync(path.join(root, 'bin', 'gong-sync.js'));
  } catch {
    return false;
  }
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    try {
      if (fs.realpathSync(path.join(dir, 'gong-sync')) === ours) return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}
