import type { CliCommand } from '../command.js';

/**
 * Every command, in the order --help lists them. A command's module is loaded only when it runs
 * (or when help lists them all), so one command's heavy modules never slow another's start.
 *
 * Adding a command: a file in this folder with `export default defineCommand({...})`, and one line here.
 */
export const COMMANDS: Record<string, () => Promise<{ default: CliCommand<any> }>> = {
  sync: () => import('./sync.js'),
  backfill: () => import('./backfill.js'),
  schedule: () => import('./schedule.js'),
  query: () => import('./query.js'),
  migrate: () => import('./migrate.js'),
  status: () => import('./status.js'),
  demo: () => import('./demo.js'),
  get: () => import('./get.js'),
  download: () => import('./download.js'),
  execute: () => import('./execute.js'),
  export: () => import('./export.js'),
  mcp: () => import('./mcp.js'),
  check: () => import('./check.js'),
  simulator: () => import('./simulator.js'),
  reconcile: () => import('./reconcile.js'),
  forget: () => import('./forget.js'),
  repair: () => import('./repair.js'),
  plan: () => import('./plan.js'),
  webhook: () => import('./webhook.js'),
};
