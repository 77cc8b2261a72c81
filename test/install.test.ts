import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/cli.js';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

describe('the package a user installs', () => {
  it(
    'npm pack, npm install -g into a temporary prefix: gong-sync --version and demo --calls 20 work',
    async () => {
      const dir = tempDir();
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; files: string[]; scripts: Record<string, string> };
      // A fresh clone builds on `npm install` (prepare) and before packing; here dist/ is already built by `npm test`.
      expect(pkg.scripts.prepare).toMatch(/tsc/);
      const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
      const [{ filename, files }] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
      const paths = files.map((f) => f.path);
      expect(paths).toContain('bin/gong-sync.js');
      expect(paths).toContain('dist/src/cli/main.js');
      expect(paths.some((p) => p.startsWith('test/') || p.startsWith('src/') || p.startsWith('dist/bench/'))).toBe(false);

      const prefix = path.join(dir, 'prefix');
      await run('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', '--allow-scripts=better-sqlite3', path.join(dir, filename)], {
        cwd: dir,
        maxBuffer: 64 * 1024 * 1024,
        timeout: 540_000,
      });
      const bin = path.join(prefix, 'bin', 'gong-sync');
      const env = { PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}`, HOME: dir };
      const version = await run(bin, ['--version'], { cwd: dir, env });
      expect(version.stdout.trim()).toBe(pkg.version);

      const demo = await run(bin, ['demo', '--calls', '20', '--db', path.join(dir, 'demo.db')], { cwd: dir, env, timeout: 240_000 });
      expect(demo.stdout).toMatch(/^succeeded: \d+ rows written/m);
      expect(demo.stdout).toMatch(/calls\s+20\b/);
    },
    900_000,
  );
});
