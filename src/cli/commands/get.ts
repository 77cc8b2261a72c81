import type { Command } from 'commander';
import { createApp } from '../../app.js';
import { ConfigError } from '../../errors.js';
import { fetchAndStore } from '../../runner/fetch-one.js';
import { findStream } from '../../../streams/index.js';
import type { CommandResult } from '../main.js';
import { commandConfig } from '../command-config.js';

const ENTITIES = ['users', 'calls'];

export function registerGet(program: Command, done: (result: Promise<CommandResult>) => void) {
  program
    .command('get')
    .description('fetch one user or call live by id, print it as JSON and upsert it into the database')
    .argument('<entity>', `one of: ${ENTITIES.join(', ')}`)
    .argument('<id>', 'the Gong id (digits)')
    .option('--db <file>', 'SQLite file or postgres:// URL (env GONG_DB, default ./gong.db)')
    .action((entity: string, id: string, options: { db?: string }, command: Command) => done(getCommand(entity, id, options, command)));
}

async function getCommand(entity: string, id: string, options: { db?: string }, command: Command): Promise<CommandResult> {
  if (!ENTITIES.includes(entity)) throw new ConfigError(`Cannot get "${entity}": expected one of ${ENTITIES.join(', ')}`);
  if (!/^\d{1,20}$/.test(id)) throw new ConfigError(`"${id}" is not a Gong id: expected up to 20 digits`);
  const config = commandConfig(command, options);
  const app = await createApp(config);
  try {
    const record = await fetchAndStore({
      stream: findStream(entity)!,
      id,
      client: app.client,
      database: app.database,
      settings: { includePrivateCalls: config.includePrivateCalls },
    });
    return { exitCode: 0, stdout: JSON.stringify(record, null, 2) };
  } finally {
    await app.close();
  }
}
