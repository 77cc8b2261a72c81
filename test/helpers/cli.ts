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
export function simEnv(sim: GongSimulator, dbFile: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
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

export function spawnCli(args: string[], env: Record<string, string | undefined>): { child: ChildProcess; result: Promise<CliResult> } {
  const started = Date.now();
  const cleanEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) {
    if (v !== undefined && !(k.startsWith('GONG_') && !(k in env))) cleanEnv[k] = v;
  }
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv, stdio: ['ignore', 'pipe', 'pipe'] });
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
