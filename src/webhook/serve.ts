import type { App } from '../app.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../logger.js';
import { WebhookReceiver } from './receiver.js';
import { parsePublicKey } from './signature.js';
import { storePostedCall } from './store-call.js';
import type { Mutex } from './mutex.js';
import type { StreamSettings } from '../../streams/types.js';

/** The receiver over one app: `gong-sync webhook` and `schedule --webhook-port` both start it this way. */
export async function startWebhook(
  gong: Pick<App, 'database' | 'client'>,
  options: {
    host: string;
    port: number;
    publicKeyPem?: string;
    settings: StreamSettings;
    logger: Logger;
    signal?: AbortSignal;
    /** Shared with the scheduled syncs of the same process (`schedule --webhook-port`). */
    mutex?: Mutex;
  },
): Promise<WebhookReceiver> {
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw new ConfigError(`--port ${options.port} is not a port: expected a whole number from 1 to 65535`);
  }
  let publicKey;
  try {
    publicKey = options.publicKeyPem ? parsePublicKey(options.publicKeyPem) : undefined;
  } catch {
    throw new ConfigError(
      'GONG_WEBHOOK_PUBLIC_KEY is not a PEM public key: paste the key Gong shows for the automation rule ("Signed JWT header")',
    );
  }
  const receiver = await WebhookReceiver.start({
    host: options.host,
    port: options.port,
    logger: options.logger,
    publicKey,
    store: async (callData) => {
      const started = Date.now();
      const store = () => storePostedCall(gong, callData, { settings: options.settings, logger: options.logger, signal: options.signal });
      const result = await (options.mutex ? options.mutex.run(store) : store());
      options.logger.info(
        result.stored
          ? `webhook: call ${result.callId} stored${result.transcript ? ' with its transcript' : ' (no transcript yet: a later sync fetches it)'} in ${Date.now() - started} ms, ${result.transcriptRequests} request(s)`
          : `webhook: call ${result.callId} left out (private or erased)`,
        { event: 'webhook_stored', call_id: result.callId, requests: result.transcriptRequests },
      );
    },
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE' || error.code === 'EACCES' || error.code === 'EADDRNOTAVAIL') {
      throw new ConfigError(`cannot listen on ${options.host}:${options.port} (${error.code}): choose another --port or --host`);
    }
    throw error;
  });
  options.logger.info(`webhook: listening on ${receiver.url}${publicKey ? ' (signed posts only)' : ''}`, {
    event: 'webhook_listening',
    url: receiver.url,
  });
  return receiver;
}
