import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/cli.js';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

describe('the package a user installs', () => {
  it('npm pack, npm install -g into a temporary prefix: gong-sync --version and demo --calls 20 work', async () => {
    const dir = tempDir();
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
      files: string[];
      scripts: Record<string, string>;
    };
    // A fresh clone builds on `npm install` (prepare) and before packing; here dist/ is already built by `npm test`.
    expect(pkg.scripts.prepare).toMatch(/tsc/);
    const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--json'], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    const [{ filename, files }] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const paths = files.map((f) => f.path);
    expect(paths).toContain('bin/gong-sync.js');
    expect(paths).toContain('dist/src/cli/main.js');
    expect(paths.some((p) => p.startsWith('test/') || p.startsWith('src/') || p.startsWith('dist/bench/'))).toBe(false);

    const prefix = path.join(dir, 'prefix');
    await run(
      'npm',
      [
        'install',
        '-g',
        '--prefix',
        prefix,
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--allow-scripts=better-sqlite3',
        path.join(dir, filename),
      ],
      {
        cwd: dir,
        maxBuffer: 64 * 1024 * 1024,
        timeout: 540_000,
      },
    );
    const bin = path.join(prefix, 'bin', 'gong-sync');
    const env = { PATH: `${path.join(prefix, 'bin')}:${process.env.PATH}`, HOME: dir };
    const version = await run(bin, ['--version'], { cwd: dir, env });
    expect(version.stdout.trim()).toBe(pkg.version);

    // Unthrottled: the installed package is the subject here, not pacing (test/resilience.test.ts).
    const demo = await run(bin, ['demo', '--calls', '20', '--db', path.join(dir, 'demo.db')], {
      cwd: dir,
      env: { ...env, GONG_RATE_LIMIT: '100' },
      timeout: 240_000,
    });
    expect(demo.stdout).toMatch(/^succeeded: \d+ rows written/m);
    expect(demo.stdout).toMatch(/calls\s+20\b/);
  }, 900_000);

  it('npx gong-sync schedule, stopped by SIGTERM to the pid npx reports, stops the node process behind it', async () => {
    const dir = tempDir();
    const heartbeat = path.join(dir, 'alive');
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('GONG_')) env[k] = v;
    Object.assign(env, {
      GONG_ACCESS_KEY: 'k',
      GONG_ACCESS_KEY_SECRET: 'secret-value',
      GONG_BASE_URL: 'http://127.0.0.1:9',
      GONG_LOG_FORMAT: 'json',
    });
    // npx runs a shell that runs node: the signal reaches npx and the shell, not node itself.
    const args = ['gong-sync', 'schedule', '--cron', '0 0 1 1 *', '--heartbeat-file', heartbeat, '--db', path.join(dir, 'gong.db')];
    const npx = spawn('npx', args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    npx.stderr!.on('data', (d) => (stderr += d));
    // The first npx of a folder installs it into npx's cache (its prepare script builds it): up to minutes.
    for (let i = 0; i < 2400 && !fs.existsSync(heartbeat); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    const nodePid = Number(fs.readFileSync(heartbeat, 'utf8').trim());
    expect(nodePid).toBeGreaterThan(0);
    expect(nodePid).not.toBe(npx.pid);
    npx.kill('SIGTERM');
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 200 && alive(nodePid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    if (alive(nodePid)) process.kill(nodePid, 'SIGKILL');
    expect(alive(nodePid), stderr.slice(-1000)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 500)); // the last lines, written as node ends
    expect(stderr).toMatch(/ended: stopping as on SIGTERM/);
    expect(stderr).not.toContain('secret-value');
  }, 300_000);
});
