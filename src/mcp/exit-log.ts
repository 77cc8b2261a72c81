import type { Logger } from '../logger.js';

/**
 * The MCP server never ends without saying why on stderr: the client closing stdin, a signal, an
 * uncaught error. (Signals still end it as they end any server: main's stop rules.)
 */
export function watchExits(logger: Logger): { reason(why: string): void } {
  let why = 'unknown (no reason recorded)';
  const onSignal = (name: NodeJS.Signals) => {
    why = `${name} received`;
    logger.warn(`mcp server stopping: ${name} received`);
    for (const signal of SIGNALS) process.off(signal, onSignal);
    // Main's handler re-raised the signal while this one still caught it: raise it once more, now
    // that nothing catches it, so it ends the server as it ends any other.
    if (process.listenerCount(name) === 0) process.kill(process.pid, name);
  };
  const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('uncaughtException', (error) => {
    logger.error(`mcp server stopping on an unexpected error: ${error.stack ?? error.message}`);
    process.exit(1);
  });
  process.on('unhandledRejection', (error) =>
    logger.warn(`mcp server: an unexpected rejection (still serving): ${(error as Error)?.message ?? String(error)}`),
  );
  process.on('exit', (code) => logger.info(`mcp server exited with code ${code}: ${why}`));
  return {
    reason(text) {
      why = text;
    },
  };
}
