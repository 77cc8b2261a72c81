import fs from 'node:fs';
import type { Command } from 'commander';
import { createApp, createAppLogger, type App } from '../../app.js';
import { requireAuth, secretsOf, type AppConfig } from '../../config.js';
import { GongClient } from '../../gong/client.js';
import { RequestPacer } from '../../gong/pacer.js';
import { checkConnection, type ConnectionVerdict } from '../../gong/connection-check.js';
import { secretRedactor, stderrLine } from '../../logger.js';
import type { CommandResult } from '../main.js';
import { commandConfig } from '../command-config.js';
import { processStopSignal } from '../signals.js';

export function registerCheck(program: Command, done: (result: Promise<CommandResult>) => void) {
  program
    .command('check')
    .description('one cheap authenticated request to Gong: host reachable, credentials accepted, endpoints seen; exit 0 if usable, 2 if not')
    .option('--json', 'print the verdict as JSON')
    .option('--db <file>', 'SQLite file whose request budget and pacing to share, if it exists (env GONG_DB, default ./gong.db)')
    .action((options: CheckFlags, command: Command) => done(checkCommand(options, command)));
}

interface CheckFlags {
  json?: boolean;
  db?: string;
}

/** The connection check `sync`, `backfill` and `schedule` run first, over the app's pacer and budget. */
export function connectionCheckOf(app: App): () => Promise<ConnectionVerdict> {
  return () => probe(app.config, app.client, app.counter);
}

function probe(config: AppConfig, client: GongClient, budget?: App['counter']): Promise<ConnectionVerdict> {
  return checkConnection({
    baseUrl: client.baseUrl,
    authorization: client.authorizationHeader,
    authKind: requireAuth(config).kind,
    pacer: client.pacer,
    budget,
    timeoutMs: Math.min(config.requestTimeoutMs, 4000),
    signal: processStopSignal,
  });
}

async function checkCommand(options: CheckFlags, command: Command): Promise<CommandResult> {
  const config = commandConfig(command, options);
  const auth = requireAuth(config);
  // An existing database shares its pacing and daily budget; check never creates one.
  const useDatabase = fs.existsSync(config.dbFile);
  const app = useDatabase ? await createApp(config, createAppLogger(config)) : undefined;
  const client = app?.client ?? new GongClient({ baseUrl: config.baseUrl, auth, pacer: new RequestPacer({ requestsPerSecond: config.rateLimit }) });
  try {
    const verdict = await probe(config, client, app?.counter);
    const redact = secretRedactor(secretsOf(config));
    if (!verdict.ok) stderrLine('error', redact(verdict.problem ?? 'connection check failed'), { event: 'connection_check', ok: false, host: verdict.host }, config.logFormat);
    const stdout = options.json ? JSON.stringify(verdict, null, 2) : formatVerdict(verdict);
    return { exitCode: verdict.ok ? 0 : 2, stdout: config.quiet && verdict.ok ? undefined : redact(stdout) };
  } finally {
    if (app) await app.close();
    else await client.close();
  }
}

function formatVerdict(v: ConnectionVerdict): string {
  const lines = [
    `host:         ${v.host} ${v.reachable ? 'reachable' : 'NOT reachable'}`,
    `credentials:  ${v.credentialsAccepted ? 'accepted' : v.throttled ? 'not known yet (Gong answered 429: throttled)' : v.reachable ? 'NOT accepted' : 'not tried'}`,
    'endpoints seen:',
    ...v.endpoints.map((e) => `  ${e.endpoint.padEnd(22)} ${String(e.answer).padEnd(14)} ${e.meaning}`),
  ];
  if (v.workspaces !== undefined) lines.push(`workspaces:   ${v.workspaces}`);
  lines.push(`verdict:      ${v.ok ? 'ok' : 'FAILED'} (${v.requests} request${v.requests === 1 ? '' : 's'}, ${(v.elapsedMs / 1000).toFixed(1)} s)`);
  if (v.problem) lines.push(`what to check: ${v.problem}`);
  return lines.join('\n');
}
