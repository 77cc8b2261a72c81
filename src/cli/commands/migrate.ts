import type { Command } from 'commander';
import { connectDatabase, migrateToLatest } from '../../db/database.js';
import { loadConfig } from '../../config.js';
import type { CommandResult } from '../main.js';
import { processStopSignal } from '../signals.js';

export function registerMigrate(program: Command, done: (result: Promise<CommandResult>) => void) {
  program
    .command('migrate')
    .description('apply pending database migrations (sync also does this)')
    .option('--db <file>', 'SQLite file or postgres:// URL (env GONG_DB, default ./gong.db)')
    .action((options: { db?: string }) => done(migrateCommand(options)));
}

async function migrateCommand(options: { db?: string }): Promise<CommandResult> {
  const config = loadConfig(process.env, { db: options.db, logFormat: 'text' });
  const database = await connectDatabase(config.dbFile, { schema: config.dbSchema });
  try {
    const { applied } = await migrateToLatest(database, processStopSignal);
    return { exitCode: 0, stdout: applied.length > 0 ? `applied: ${applied.join(', ')}` : 'database is up to date' };
  } finally {
    await database.close();
  }
}
