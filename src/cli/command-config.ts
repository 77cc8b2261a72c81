import type { Command } from 'commander';
import { loadConfig, type AppConfig } from '../config.js';

/** The configuration for a command: the environment, overridden by its --db and the global flags. */
export function commandConfig(command: Command, options: { db?: string }, env: NodeJS.ProcessEnv = process.env): AppConfig {
  const globals = command.optsWithGlobals() as { logFormat?: string; quiet?: boolean };
  return loadConfig(env, { db: options.db, logFormat: globals.logFormat, quiet: globals.quiet });
}
