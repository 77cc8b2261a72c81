import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { GongSimulator } from '../../src/simulator/server.js';
import { DEMO_CREDENTIALS } from '../../src/simulator/server.js';

const BIN = path.resolve(__dirname, '../../bin/gong-sync.js');
const tempDirs: string[] = [];

afterEach(() => {
  while (tempDirs.length > 0) fs.rmSync(tempDirs.pop()!, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gong-sync-test-'));
  tempDirs.push(dir);
  return dir;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Environment that points the CLI at a simulator, fast (no pacing to speak of) unless overridden. */
export function simEnv(
  sim: GongSimulator,
  dbFile: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    GONG_BASE_URL: sim.url,
    GONG_ACCESS_KEY: DEMO_CREDENTIALS.accessKey,
    GONG_ACCESS_KEY_SECRET: DEMO_CREDENTIALS.accessKeySecret,
    GONG_DB: dbFile,
    GONG_RATE_LIMIT: '1000',
    GONG_RETRY_BASE_MS: '20',
    GONG_START_DATE: new Date(Date.now() - 400 * 86_400_000).toISOString().slice(0, 10),
    GONG_LOG_FORMAT: 'json',
    ...extra,
  };
}

/** This process's environment without its GONG_ variables, plus `env` (undefined removes a variable). */
function cleanEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const cleanEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) {
    if (v !== undefined && !(k.startsWith('GONG_') && !(k in env))) cleanEnv[k] = v;
  }
  return cleanEnv;
}

export function spawnCli(args: string[], env: Record<string, string | undefined>): { child: ChildProcess; result: Promise<CliResult> } {
  const started = Date.now();
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnvironment(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const result = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
  return { child, result };
}

export function runCli(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  return spawnCli(args, env).result;
}

let inProcessRuns = Promise.resolve();

/**
 * The CLI's own main() in this process, with the same environment rules as runCli: no build, no
 * process start. For tests where the process boundary is not the subject (signals, the binary, file
 * descriptors are). One at a time: it swaps process.env, argv, stdout and stderr while it runs.
 * What it captures is redacted as the real process output is.
 */
export function runInProcess(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const run = inProcessRuns.then(() => runMainOnce(args, env));
  inProcessRuns = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

async function runMainOnce(args: string[], env: Record<string, string | undefined>): Promise<CliResult> {
  const [{ main }, { redact }] = await Promise.all([import('../../src/cli/main.js'), import('../../src/redact.js')]);
  const started = Date.now();
  const saved = { env: process.env, argv: process.argv, out: process.stdout.write, err: process.stderr.write };
  const signalListeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  const output = { stdout: '', stderr: '' };
  const capture = (key: 'stdout' | 'stderr') =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      output[key] += redact(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof process.stdout.write;
  process.env = cleanEnvironment(env);
  process.argv = [process.execPath, BIN, ...args];
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    const code = await main(args, process.env);
    return { code, signal: null, stdout: output.stdout, stderr: output.stderr, ms: Date.now() - started };
  } finally {
    process.env = saved.env;
    process.argv = saved.argv;
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    // main() installs stop handlers; the test worker keeps the default behaviour of its signals.
    for (const name of ['SIGINT', 'SIGTERM'] as const) {
      for (const listener of process.listeners(name)) if (!signalListeners[name].includes(listener)) process.off(name, listener);
    }
  }
}

/** stderr as a person reads it: each JSON log line replaced by its message (other lines kept). */
export function messagesOf(stderr: string): string {
  return stderr
    .split('\n')
    .map((line) => {
      if (!line.startsWith('{')) return line;
      try {
        return String(JSON.parse(line).msg ?? line);
      } catch {
        return line;
      }
    })
    .join('\n');
}
