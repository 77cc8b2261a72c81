import { startWebhook } from '../../webhook/serve.js';
import { defineCommand } from '../command.js';
import { withStopSignals } from '../signals.js';

interface WebhookFlags {
  port: string;
  host: string;
}

export default defineCommand<WebhookFlags>({
  description:
    'receive Gong automation-rule posts ({callData, isTest}) and store each call and its transcript within seconds; SIGINT/SIGTERM stop it',
  stop: 'graceful',
  db: {},
  declare: (command) =>
    command
      .requiredOption('--port <n>', 'port to listen on')
      .option('--host <host>', 'address to listen on (put a TLS reverse proxy in front for Gong)', '127.0.0.1'),
  async run(app, _args, flags) {
    const { config } = app;
    const gong = await app.connect();
    const stats = await withStopSignals(async (signal) => {
      const receiver = await startWebhook(gong, {
        host: flags.host,
        port: Number(flags.port),
        publicKeyPem: app.env.GONG_WEBHOOK_PUBLIC_KEY || undefined,
        settings: { includePrivateCalls: config.includePrivateCalls, exposedFields: config.exposedFields },
        logger: app.logger,
        signal,
      });
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      await receiver.stop();
      return receiver.stats;
    });
    return {
      exitCode: 0,
      stdout: config.quiet
        ? undefined
        : `webhook stopped: ${stats.stored} call(s) stored, ${stats.refused} post(s) refused, ${stats.failed} failed`,
    };
  },
});
