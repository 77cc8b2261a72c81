import type { Command } from 'commander';
import { connectDatabase } from '../../db/database.js';
import { loadConfig } from '../../config.js';
import { formatStatus, readStatus } from '../../status.js';
import { streams } from '../../../streams/index.js';
import type { CommandResult } from '../main.js';

export function registerStatus(program: Command, done: (result: Promise<CommandResult>) => void) {
  program
    .command('status')
    .description('per stream: bookmark, last success, rows, pending work; recent runs; requests used today')
    .option('--json', 'print the status as JSON (stable shape, see README)')
    .option('--db <file>', 'SQLite file or postgres:// URL (env GONG_DB, default ./gong.db)')
    .action((options: { json?: boolean; db?: string }) => done(statusCommand(options)));
}

async function statusCommand(options: { json?: boolean; db?: string }): Promise<CommandResult> {
  const config = loadConfig(process.env, { db: options.db, logFormat: 'text' });
  const database = await connectDatabase(config.dbFile, { readonly: true, schema: config.dbSchema });
  try {
    const report = await readStatus(database, streams, config.dailyBudget);
    return { exitCode: 0, stdout: options.json ? JSON.stringify(report, null, 2) : formatStatus(report) };
  } finally {
    await database.close();
  }
}
