import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/** A misbehaving "Gong" on 127.0.0.1: each test decides how it answers. Closed after each test. */
export interface HostileServer {
  url: string;
  /** Requests received so far (method, path, authorization header), the connection check's included. */
  requests: Array<{ method: string; path: string; authorization: string | undefined }>;
  close(): Promise<void>;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, index: number) => void;

const servers: HostileServer[] = [];

afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close();
});

/**
 * By default the server answers the connection check (GET /v2/workspaces, which sync sends first)
 * as Gong does, and misbehaves on every other path; `misbehaveOnCheck` makes it misbehave there too.
 */
export async function startHostileServer(handler: Handler, options: { misbehaveOnCheck?: boolean } = {}): Promise<HostileServer> {
  const requests: HostileServer['requests'] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: (req.url ?? '').split('?')[0]!, authorization: req.headers.authorization });
    // The body of a POST is read (and ignored) so the client is never stuck sending it.
    req.resume();
    if (!options.misbehaveOnCheck && req.url?.startsWith('/v2/workspaces')) {
      return json(res, 200, { requestId: 'check', workspaces: [{ id: '1', name: 'Sales', description: '' }] });
    }
    handler(req, res, requests.filter((r) => r.path !== '/v2/workspaces').length - 1);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const hostile: HostileServer = {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  servers.push(hostile);
  return hostile;
}

export function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Environment for the CLI against a hostile server: fast pacing, quick retries. */
export function hostileEnv(
  server: HostileServer,
  db: string,
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    GONG_BASE_URL: server.url,
    GONG_ACCESS_KEY: 'hostile-key',
    GONG_ACCESS_KEY_SECRET: 'hostile-secret-value-1234',
    GONG_DB: db,
    GONG_RATE_LIMIT: '1000',
    GONG_RETRY_BASE_MS: '5',
    GONG_START_DATE: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10),
    GONG_LOG_FORMAT: 'json',
    ...extra,
  };
}
