import fs from 'node:fs';
import type { App } from '../../app.js';
import { requireAuth, secretsOf, type AppConfig } from '../../config.js';
import { GongClient } from '../../gong/client.js';
import { RequestPacer } from '../../gong/pacer.js';
import { checkConnection, type ConnectionVerdict } from '../../gong/connection-check.js';
import { secretRedactor, stderrLine } from '../../logger.js';
import { defineCommand } from '../command.js';

interface CheckFlags {
  json?: boolean;
}

export default defineCommand<CheckFlags>({
  description: 'one cheap authenticated request to Gong: host reachable, credentials accepted, endpoints seen; exit 0 if usable, 2 if not',
  stop: 'graceful',
  db: { accepts: 'sqlite', purpose: 'whose request budget and pacing to share, if it exists (check never creates one)' },
  declare: (command) => command.option('--json', 'print the verdict as JSON'),
  async run(app, _args, flags) {
    const { config } = app;
    const auth = requireAuth(config);
    // An existing database shares its pacing and daily budget; check never creates one.
    const gong = fs.existsSync(config.dbFile) ? await app.connect() : undefined;
    const client =
      gong?.client ?? new GongClient({ baseUrl: config.baseUrl, auth, pacer: new RequestPacer({ requestsPerSecond: config.rateLimit }) });
    try {
      const verdict = await probe(config, client, gong?.counter, app.signal);
      const redact = secretRedactor(secretsOf(config));
      if (!verdict.ok)
        stderrLine(
          'error',
          redact(verdict.problem ?? 'connection check failed'),
          { event: 'connection_check', ok: false, host: verdict.host },
          config.logFormat,
        );
      const stdout = flags.json ? JSON.stringify(verdict, null, 2) : formatVerdict(verdict);
      return { exitCode: verdict.ok ? 0 : 2, stdout: config.quiet && verdict.ok ? undefined : redact(stdout) };
    } finally {
      if (!gong) await client.close();
    }
  },
});

/** The connection check `sync`, `backfill` and `schedule` run first, over the app's pacer and budget. */
export function connectionCheckOf(app: App): () => Promise<ConnectionVerdict> {
  return () => probe(app.config, app.client, app.counter, app.signal);
}

function probe(
  config: AppConfig,
  client: GongClient,
  budget: App['counter'] | undefined,
  signal: AbortSignal | undefined,
): Promise<ConnectionVerdict> {
  return checkConnection({
    baseUrl: client.baseUrl,
    authorization: client.authorizationHeader,
    authKind: requireAuth(config).kind,
    pacer: client.pacer,
    budget,
    timeoutMs: Math.min(config.requestTimeoutMs, 4000),
    signal,
  });
}

function formatVerdict(v: ConnectionVerdict): string {
  const lines = [
    `host:         ${v.host} ${v.reachable ? 'reachable' : 'NOT reachable'}`,
    `credentials:  ${v.credentialsAccepted ? 'accepted' : v.throttled ? 'not known yet (Gong answered 429: throttled)' : v.reachable ? 'NOT accepted' : 'not tried'}`,
    'endpoints seen:',
    ...v.endpoints.map((e) => `  ${e.endpoint.padEnd(22)} ${String(e.answer).padEnd(14)} ${e.meaning}`),
  ];
  if (v.workspaces !== undefined) lines.push(`workspaces:   ${v.workspaces}`);
  lines.push(
    `verdict:      ${v.ok ? 'ok' : 'FAILED'} (${v.requests} request${v.requests === 1 ? '' : 's'}, ${(v.elapsedMs / 1000).toFixed(1)} s)`,
  );
  if (v.problem) lines.push(`what to check: ${v.problem}`);
  return lines.join('\n');
}
